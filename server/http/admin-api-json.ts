/**
 * The admin API's JSON shapes: what the routes in this folder send, what the
 * CLI (server/cli) and the browser console (console/) read. Types only and no
 * imports, so the browser bundle can share them without pulling in server code;
 * the routes annotate their shaping functions with these types, so a change to
 * a response that the clients do not know about fails to compile.
 */

export type OrgRoleJson = "admin" | "admin-readonly" | "user";
export type AdminRoleJson = "member" | "manager" | "administrator" | "super-administrator";

export interface RolesJson {
  orgRole: OrgRoleJson;
  adminRole: AdminRoleJson;
  managerScope: { groups: string[]; permissions: string[] };
}

export interface UserJson {
  id: string;
  userName: string;
  displayName: string | null;
  active: boolean;
  emails: { value: string; type: string | null; primary: boolean }[];
  roles: RolesJson;
  products: { granted: string[]; pending: string[] };
  createdAt: string;
  updatedAt: string;
}

export interface AuditEventJson {
  id: string;
  at: string;
  /** `label`: the SCIM token's label or the admin's userName at the time. */
  actor: { kind: string; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string | null; label: string | null };
  details: Record<string, unknown>;
}

export interface UserDetailJson extends UserJson {
  groups: { id: string; displayName: string }[];
  recentAuditEvents: AuditEventJson[];
}

export interface GroupJson {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface DomainJson {
  name: string;
  status: "pending" | "verified";
  txt: { name: string; value: string };
  createdAt: string;
  verifiedAt: string | null;
}

export interface ProductJson {
  key: string;
  seats: number;
  assigned: number;
  pending: number;
}

export interface ScimTokenJson {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** One SCIM request as the provisioning page lists it (never its body or headers). */
export interface ScimRequestJson {
  id: string;
  tokenId: string | null;
  at: string;
  method: string;
  /** With the query string, as the identity provider sent it. */
  path: string;
  status: number;
  scimType: string | null;
  /** The error detail the identity provider received, for a failed request. */
  detail: string | null;
  durationMs: number;
}
