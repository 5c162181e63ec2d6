/** Shapes of the admin API's people resources: the server's own declarations (server/http/admin-api-json.ts). */
import type { AuditEventJson, GroupJson, ProductJson, RolesJson, UserDetailJson, UserJson } from "../../server/http/admin-api-json.ts";

export type UserRoles = RolesJson;
export type UserSummary = UserJson;
export type AuditEvent = AuditEventJson;
export type UserDetail = UserDetailJson;
export type GroupSummary = GroupJson;
export type ProductUsage = ProductJson;

export const ORG_ROLES: [UserRoles["orgRole"], string][] = [
  ["user", "User"],
  ["admin-readonly", "Administrator (read-only)"],
  ["admin", "Administrator (read-write)"],
];

export const ADMIN_ROLES: [UserRoles["adminRole"], string][] = [
  ["member", "Member"],
  ["manager", "Manager"],
  ["administrator", "Administrator"],
  ["super-administrator", "Super administrator"],
];

/** The same list as server/domain/roles.ts (the browser bundle does not import server code). */
export const MANAGER_PERMISSIONS = ["users", "groups", "products", "domains", "sso", "provisioning", "audit"] as const;

export const roleLabel = (r: UserRoles): string =>
  `${ORG_ROLES.find(([k]) => k === r.orgRole)?.[1] ?? r.orgRole} · ${ADMIN_ROLES.find(([k]) => k === r.adminRole)?.[1] ?? r.adminRole}`;

export const primaryEmail = (u: UserSummary): string => (u.emails.find((e) => e.primary) ?? u.emails[0])?.value ?? "";
