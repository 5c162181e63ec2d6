import type { User, UserGroupRef, UserInput } from "../domain/users.ts";
import { etagOf } from "./etag.ts";
import { ignoreEmptyCanonicalValues } from "./dialects/empty-canonical-values.ts";
import { coerceStringBooleans } from "./dialects/string-booleans.ts";
import { ENTERPRISE_USER_SCHEMA, SCIMGATE_USER_SCHEMA, USER_SCHEMA, userSchemaDefinition } from "./schemas.ts";
import { invalidSyntax, invalidValue } from "./scim-error.ts";
import { renderRoles, rolesAfterPatch, type RoleValue } from "./user-roles.ts";

/** A SCIM User request body (POST, PUT) → domain input, validated by scimmy's schema. */
export function userInputFromBody(body: unknown): UserInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidSyntax("The request body must be a JSON object holding a SCIM User");
  }
  return userInputFromDocument(body as Record<string, unknown>);
}

/** Any User document (a body, or a stored profile after PATCH) → validated domain input. */
export function userInputFromDocument(doc: Record<string, unknown>): UserInput {
  const definition = ignoreEmptyCanonicalValues(userSchemaDefinition());
  let coerced: Record<string, unknown>;
  try {
    coerced = JSON.parse(JSON.stringify(definition.coerce(coerceStringBooleans(doc, definition), "in")));
  } catch (e) {
    throw invalidValue((e as Error).message);
  }
  // Never stored in the profile: id and meta are ours, password is write-only,
  // groups is read-only and derived from memberships, and our extension is
  // read-only state. Roles are granted by their own columns; the profile keeps
  // them as sent only for their sub-attributes (user-roles.ts).
  const { schemas: _s, meta: _m, id: _i, password, groups: _g, roles, [SCIMGATE_USER_SCHEMA]: _x, ...rest } = coerced;
  const sentRoles = Array.isArray(roles) ? roles : [];
  const profile: Record<string, unknown> = { ...rest, ...(sentRoles.length ? { roles: sentRoles } : {}) };
  const emails = Array.isArray(profile.emails) ? (profile.emails as Record<string, unknown>[]) : [];
  return {
    userName: String(profile.userName),
    externalId: typeof profile.externalId === "string" ? profile.externalId : null,
    displayName: typeof profile.displayName === "string" ? profile.displayName : null,
    active: profile.active !== false,
    emails: emails.map((e) => ({
      value: String(e.value ?? ""),
      type: typeof e.type === "string" ? e.type : null,
      primary: e.primary === true,
    })),
    profile: { ...profile, active: profile.active !== false },
    password: typeof password === "string" ? password : undefined,
    products: valuesOf(profile.entitlements),
    roleValues: valuesOf(roles),
  };
}

function valuesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((e) => (e as { value?: unknown })?.value).filter((v): v is string => typeof v === "string" && v !== "");
}

export interface UserRelations {
  groups: UserGroupRef[];
  /** Undefined when not loaded (not requested): entitlements then show what was asked for. */
  seats?: { granted: string[]; pending: string[] } | undefined;
}

/**
 * Domain user → SCIM User resource (RFC 7643 §4.1). `entitlements` lists the
 * products the user holds (granted seats, directly or through a group); those
 * it waits for are in our extension's `pendingProducts`. `roles` carries the
 * organization-centre and admin-centre roles (see domain/roles.ts).
 */
export function renderUser(user: User, rel: UserRelations, baseUrl: string): Record<string, unknown> {
  const { groups, seats } = rel;
  const hasEnterprise = ENTERPRISE_USER_SCHEMA in user.profile;
  const pending = seats?.pending ?? [];
  const { entitlements: _asked, roles: sentRoles, ...profile } = user.profile;
  const entitlements = seats ? seats.granted.map((value) => ({ value })) : (user.profile.entitlements as unknown[] | undefined);
  return {
    schemas: [USER_SCHEMA, ...(hasEnterprise ? [ENTERPRISE_USER_SCHEMA] : []), ...(pending.length ? [SCIMGATE_USER_SCHEMA] : [])],
    id: user.id,
    userName: user.userName,
    ...profile,
    active: user.active,
    ...(entitlements?.length ? { entitlements } : {}),
    roles: renderRoles(user.roles, sentRoles),
    ...(pending.length ? { [SCIMGATE_USER_SCHEMA]: { pendingProducts: pending } } : {}),
    ...(groups.length
      ? {
          groups: groups.map((g) => ({
            value: g.id,
            $ref: `${baseUrl}/Groups/${g.id}`,
            display: g.displayName,
            type: "direct",
          })),
        }
      : {}),
    meta: {
      resourceType: "User",
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: `${baseUrl}/Users/${user.id}`,
      version: etagOf(user.version),
    },
  };
}

/**
 * The document PATCH operates on: what the identity provider set (entitlements
 * as it assigned them, not as granted), plus roles and the indexed columns.
 */
export function patchableUser(user: User): Record<string, unknown> {
  return {
    ...user.profile,
    userName: user.userName,
    active: user.active,
    roles: renderRoles(user.roles, user.profile.roles),
  };
}

/**
 * The domain input of a PATCHed user document. Roles go through
 * rolesAfterPatch: a PATCH that leaves them alone sends none (the domain keeps
 * the current ones), one that writes a role replaces the role of its family.
 */
export function userInputFromPatchedDocument(current: User, patched: Record<string, unknown>): UserInput {
  const input = userInputFromDocument(patched);
  const before = renderRoles(current.roles, current.profile.roles);
  const after = (input.profile.roles as RoleValue[] | undefined) ?? [];
  const { roles: _sent, ...profile } = input.profile;
  if (JSON.stringify(before) === JSON.stringify(after)) {
    const kept = current.profile.roles;
    return { ...input, roleValues: [], profile: kept === undefined ? profile : { ...profile, roles: kept } };
  }
  const { values, kept } = rolesAfterPatch(before, after);
  return { ...input, roleValues: values, profile: kept.length ? { ...profile, roles: kept } : profile };
}
