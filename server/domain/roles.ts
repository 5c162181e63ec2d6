import type { AdminRole, ManagerScope, OrgRole } from "../storage/tables.ts";
import { InvalidValueError } from "./errors.ts";

/**
 * Two role families, as in a SaaS admin centre:
 * - organization centre: administrator (read-write), administrator (read-only), user;
 * - admin centre: member, manager (of some groups and/or permissions), administrator, super administrator.
 * Over SCIM they travel in the core `roles` attribute with these values.
 */
export const ORG_ROLE_VALUES: Record<OrgRole, string> = {
  admin: "org:admin",
  "admin-readonly": "org:admin-readonly",
  user: "org:user",
};

export const ADMIN_ROLE_VALUES: Record<AdminRole, string> = {
  member: "admin:member",
  manager: "admin:manager",
  administrator: "admin:administrator",
  "super-administrator": "admin:super-administrator",
};

/** What a manager may be put in charge of, besides a list of groups. */
export const MANAGER_PERMISSIONS = ["users", "groups", "products", "domains", "sso", "provisioning", "audit"] as const;

export const ALL_ROLE_VALUES = [...Object.values(ORG_ROLE_VALUES), ...Object.values(ADMIN_ROLE_VALUES)];

export interface Roles {
  orgRole: OrgRole;
  adminRole: AdminRole;
  managerScope: ManagerScope;
}

export const DEFAULT_ROLES: Roles = { orgRole: "user", adminRole: "member", managerScope: { groups: [], permissions: [] } };

const byValue = new Map<string, { org?: OrgRole; admin?: AdminRole }>([
  ...Object.entries(ORG_ROLE_VALUES).map(([k, v]) => [v, { org: k as OrgRole }] as const),
  ...Object.entries(ADMIN_ROLE_VALUES).map(([k, v]) => [v, { admin: k as AdminRole }] as const),
]);

/**
 * Reads role values sent by an identity provider. Missing families keep the
 * user's current role (an IdP that manages only one family does not reset the
 * other). Super administrator is never granted or revoked over SCIM: it is
 * kept as it is, and an IdP asking to grant it is refused (an attribute-mapping
 * mistake must not be able to hand out, or take away, the keys of the organization).
 */
export function rolesFromScimValues(values: string[], current: Roles): Roles {
  let orgRole: OrgRole | undefined;
  let adminRole: AdminRole | undefined;
  for (const raw of values) {
    const hit = byValue.get(raw.trim().toLowerCase());
    if (!hit) {
      throw new InvalidValueError(`roles: "${raw}" is not a role here; use one of ${ALL_ROLE_VALUES.join(", ")}`);
    }
    if (hit.org) {
      if (orgRole && orgRole !== hit.org) throw new InvalidValueError("roles: give at most one org:* role");
      orgRole = hit.org;
    }
    if (hit.admin) {
      if (adminRole && adminRole !== hit.admin) throw new InvalidValueError("roles: give at most one admin:* role");
      adminRole = hit.admin;
    }
  }
  const isSuper = current.adminRole === "super-administrator";
  if (adminRole === "super-administrator" && !isSuper) {
    throw new InvalidValueError(
      "roles: admin:super-administrator can only be granted in the admin API, not by an identity provider",
    );
  }
  const nextAdmin = isSuper ? "super-administrator" : (adminRole ?? current.adminRole);
  return {
    orgRole: orgRole ?? current.orgRole,
    adminRole: nextAdmin,
    managerScope: nextAdmin === "manager" ? current.managerScope : { groups: [], permissions: [] },
  };
}

export function scimValuesOf(roles: Roles): string[] {
  return [ORG_ROLE_VALUES[roles.orgRole], ADMIN_ROLE_VALUES[roles.adminRole]];
}

/** Validates roles set through the admin API (where super administrator may be granted). */
export function parseRoles(input: unknown, current: Roles): Roles {
  if (typeof input !== "object" || input === null) throw new InvalidValueError("roles must be an object");
  const { orgRole, adminRole, managerScope } = input as Record<string, unknown>;
  const next: Roles = { ...current };
  if (orgRole !== undefined) {
    // hasOwn, not `in`: "constructor" or "toString" must be refused here, not by the column's CHECK (a 500).
    if (typeof orgRole !== "string" || !Object.hasOwn(ORG_ROLE_VALUES, orgRole)) {
      throw new InvalidValueError(`orgRole must be one of ${Object.keys(ORG_ROLE_VALUES).join(", ")}`);
    }
    next.orgRole = orgRole as OrgRole;
  }
  if (adminRole !== undefined) {
    if (typeof adminRole !== "string" || !Object.hasOwn(ADMIN_ROLE_VALUES, adminRole)) {
      throw new InvalidValueError(`adminRole must be one of ${Object.keys(ADMIN_ROLE_VALUES).join(", ")}`);
    }
    next.adminRole = adminRole as AdminRole;
  }
  if (managerScope !== undefined) {
    if (next.adminRole !== "manager") throw new InvalidValueError("managerScope applies only to adminRole manager");
    next.managerScope = parseScope(managerScope);
  } else if (next.adminRole !== "manager") {
    next.managerScope = { groups: [], permissions: [] };
  }
  return next;
}

function parseScope(raw: unknown): ManagerScope {
  const { groups = [], permissions = [] } = (raw ?? {}) as Record<string, unknown>;
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== "string")) {
    throw new InvalidValueError("managerScope.groups must be a list of group ids");
  }
  if (!Array.isArray(permissions) || permissions.some((p) => !MANAGER_PERMISSIONS.includes(p as never))) {
    throw new InvalidValueError(`managerScope.permissions must be a list of ${MANAGER_PERMISSIONS.join(", ")}`);
  }
  return { groups: [...new Set(groups as string[])], permissions: [...new Set(permissions as string[])] };
}
