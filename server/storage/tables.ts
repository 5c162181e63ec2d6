import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Timestamps are written as Date and read back as Date on both pg and PGlite. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<Record<string, unknown>, string | Record<string, unknown>, string | Record<string, unknown>>;

export interface OrgsTable {
  id: string;
  name: string;
  created_at: DefaultTimestamp;
}

export interface ScimTokensTable {
  org_id: string;
  id: string;
  label: string;
  token_hash: string;
  created_at: DefaultTimestamp;
  last_used_at: Timestamp | null;
}

export interface UsersTable {
  org_id: string;
  id: string;
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  active: Generated<boolean>;
  resource: Json;
  password_hash: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  org_role: Generated<OrgRole>;
  admin_role: Generated<AdminRole>;
  manager_scope: ColumnType<ManagerScope, string | undefined, string>;
}

export type OrgRole = "admin" | "admin-readonly" | "user";
export type AdminRole = "member" | "manager" | "administrator" | "super-administrator";
export interface ManagerScope {
  groups: string[];
  permissions: string[];
}

export interface UserEmailsTable {
  org_id: string;
  user_id: string;
  position: number;
  value: string;
  type: string | null;
  is_primary: Generated<boolean>;
}

export interface GroupsTable {
  org_id: string;
  id: string;
  display_name: string;
  external_id: string | null;
  resource: Json;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type MemberType = "User" | "Group";

export interface GroupMembersTable {
  org_id: string;
  group_id: string;
  member_id: string;
  member_type: MemberType;
  created_at: DefaultTimestamp;
}

export interface OrgDomainsTable {
  org_id: string;
  name: string;
  verification_token: string;
  status: "pending" | "verified";
  created_at: DefaultTimestamp;
  verified_at: Timestamp | null;
}

export interface ProductsTable {
  org_id: string;
  key: string;
  seats: number;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface UserProductsTable {
  org_id: string;
  user_id: string;
  product_key: string;
}

export interface GroupProductsTable {
  org_id: string;
  group_id: string;
  product_key: string;
}

export type SeatStatus = "granted" | "pending";

export interface SeatAssignmentsTable {
  org_id: string;
  product_key: string;
  user_id: string;
  status: SeatStatus;
  requested_at: DefaultTimestamp;
  granted_at: Timestamp | null;
}

export interface AuditEventsTable {
  org_id: string;
  id: string;
  at: DefaultTimestamp;
  actor_kind: string;
  actor_id: string | null;
  /** The actor's name when the event was written (token label, userName). */
  actor_label: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  target_label: string | null;
  details: Json;
}

export interface SamlConfigsTable {
  org_id: string;
  idp_entity_id: string;
  idp_sso_url: string;
  /** PEM strings, in the order they were given. */
  idp_certificates: ColumnType<string[], string, string>;
  allow_idp_initiated: Generated<boolean>;
  jit_provisioning: Generated<boolean>;
  clock_skew_seconds: Generated<number>;
  source: "metadata" | "manual";
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface SamlRequestsTable {
  org_id: string;
  id: string;
  /** node-saml's cached value: the request's IssueInstant. */
  issued_at: string;
  expires_at: Timestamp;
}

export interface SamlAssertionsSeenTable {
  org_id: string;
  assertion_id: string;
  expires_at: Timestamp;
}

export interface SessionsTable {
  id_hash: string;
  org_id: string;
  user_id: string;
  created_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface OperatorSessionsTable {
  id_hash: string;
  token_binding: string;
  created_at: DefaultTimestamp;
  last_seen_at: DefaultTimestamp;
  expires_at: Timestamp;
}

export interface ScimRequestsTable {
  id: string;
  org_id: string;
  token_id: string;
  at: Timestamp;
  method: string;
  path: string;
  status: number;
  scim_type: string | null;
  detail: string | null;
  duration_ms: number;
}

/** One fixed window of one rate-limited key ("scim-token:<id>", "org:<id>", "sso-client:<address>"). */
export interface RateLimitCountersTable {
  key: string;
  window_start: Timestamp;
  hits: number;
  /** The end of the window: the row is worthless after it. */
  expires_at: Timestamp;
}

export interface Database {
  orgs: OrgsTable;
  scim_tokens: ScimTokensTable;
  users: UsersTable;
  user_emails: UserEmailsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  org_domains: OrgDomainsTable;
  products: ProductsTable;
  user_products: UserProductsTable;
  group_products: GroupProductsTable;
  seat_assignments: SeatAssignmentsTable;
  audit_events: AuditEventsTable;
  saml_configs: SamlConfigsTable;
  saml_requests: SamlRequestsTable;
  saml_assertions_seen: SamlAssertionsSeenTable;
  sessions: SessionsTable;
  rate_limit_counters: RateLimitCountersTable;
  operator_sessions: OperatorSessionsTable;
  scim_requests: ScimRequestsTable;
}

export type OrgRow = Selectable<OrgsTable>;
export type ScimTokenRow = Selectable<ScimTokensTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type UserEmailRow = Selectable<UserEmailsTable>;
export type GroupRow = Selectable<GroupsTable>;
export type NewGroupRow = Insertable<GroupsTable>;
export type GroupMemberRow = Selectable<GroupMembersTable>;
export type OrgDomainRow = Selectable<OrgDomainsTable>;
export type ProductRow = Selectable<ProductsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type SamlConfigRow = Selectable<SamlConfigsTable>;
export type SessionRow = Selectable<SessionsTable>;
