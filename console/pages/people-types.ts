/** Shapes of the admin API's people resources (server/http/users-admin-routes.ts, groups-admin-routes.ts). */
export interface UserRoles {
  orgRole: "admin" | "admin-readonly" | "user";
  adminRole: "member" | "manager" | "administrator" | "super-administrator";
  managerScope: { groups: string[]; permissions: string[] };
}

export interface UserSummary {
  id: string;
  userName: string;
  displayName: string | null;
  active: boolean;
  emails: { value: string; type: string | null; primary: boolean }[];
  roles: UserRoles;
  products: { granted: string[]; pending: string[] };
  createdAt: string;
  updatedAt: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor: { kind: string; id: string | null };
  action: string;
  target: { type: string; id: string | null; label: string | null };
  details: Record<string, unknown>;
}

export interface UserDetail extends UserSummary {
  groups: { id: string; displayName: string }[];
  recentAuditEvents: AuditEvent[];
}

export interface GroupSummary {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface ProductUsage {
  key: string;
  seats: number;
  assigned: number;
  pending: number;
}

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
