/**
 * The SCIM `roles` of a User, between the identity provider and the role
 * columns of domain/roles.ts. The columns hold the truth about which roles a
 * user has; the profile keeps the roles as the provider last sent them, so
 * the sub-attributes it reads back (`primary`, `type`, `display`) are returned
 * as sent (Entra ID matches on `roles[primary eq "True"].value` and would
 * otherwise re-send the role on every cycle: idp-fixtures/entra-id).
 */
import { ADMIN_ROLE_VALUES, DEFAULT_ROLES, ORG_ROLE_VALUES, type Roles, scimValuesOf } from "../domain/roles.ts";

export type RoleValue = Record<string, unknown> & { value?: unknown };

/** The user's roles as SCIM values, each with the sub-attributes the provider sent for that value. */
export function renderRoles(roles: Roles, sent: unknown): RoleValue[] {
  const sentList = Array.isArray(sent) ? (sent as RoleValue[]) : [];
  return scimValuesOf(roles).map((value) => {
    const match = sentList.find((r) => typeof r?.value === "string" && r.value.trim().toLowerCase() === value);
    const { value: _v, ...meta } = match ?? {};
    return { ...meta, value };
  });
}

/**
 * The role values a PATCH asks for, given the roles it was applied to
 * (`before`, as rendered) and the roles it produced (`after`). RFC 7644 §3.5.2
 * applies PATCH to the resource as the server represents it, where a user
 * always holds one org:* and one admin:* role. So:
 * - a value the PATCH added or wrote supersedes the value of its family it was
 *   next to (`replace roles[primary eq "True"].value` on a user without a primary
 *   role appends an element rather than replacing one);
 * - a family whose value was removed, with nothing in its place, returns to
 *   its default (org:user, admin:member);
 * - untouched families are not sent, so the domain keeps them as they are.
 * Returns the values to send and the roles to keep in the profile.
 */
export function rolesAfterPatch(before: RoleValue[], after: RoleValue[]): { values: string[]; kept: RoleValue[] } {
  const valueOf = (r: RoleValue) => (typeof r?.value === "string" ? r.value.trim().toLowerCase() : "");
  const beforeValues = new Set(before.map(valueOf));
  const afterValues = new Set(after.map(valueOf));
  const added = after.filter((r) => !beforeValues.has(valueOf(r)));
  const values: string[] = [];
  const superseded = new Set<string>();
  for (const family of FAMILIES) {
    const fresh = added.map(valueOf).filter((v) => family.values.has(v));
    if (fresh.length) {
      values.push(...fresh);
      for (const v of afterValues) if (family.values.has(v) && !fresh.includes(v)) superseded.add(v);
      continue;
    }
    const hadOne = [...beforeValues].some((v) => family.values.has(v));
    const hasOne = [...afterValues].some((v) => family.values.has(v));
    if (hadOne && !hasOne) values.push(family.fallback);
  }
  // Values of no known family are passed on, so the domain names them in its refusal.
  values.push(...added.map(valueOf).filter((v) => !FAMILIES.some((f) => f.values.has(v))));
  return { values, kept: after.filter((r) => !superseded.has(valueOf(r))) };
}

const FAMILIES = [
  { values: new Set(Object.values(ORG_ROLE_VALUES)), fallback: ORG_ROLE_VALUES[DEFAULT_ROLES.orgRole] },
  { values: new Set(Object.values(ADMIN_ROLE_VALUES)), fallback: ADMIN_ROLE_VALUES[DEFAULT_ROLES.adminRole] },
];
