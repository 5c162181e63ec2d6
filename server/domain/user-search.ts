/**
 * The people directory of an organization, as its administrators search it:
 * users by text, status, product, group and role, one keyset page at a time.
 * Read-only; every change to a user goes through users.ts.
 *
 * `q` is a case-insensitive SUBSTRING match (not a prefix) on userName,
 * displayName and every email address: administrators search by fragments
 * (a surname inside "Robert Jones", "@contractor.example" inside an address).
 * %, _ and \ in it match themselves. Pages are keyset on the time-ordered id,
 * so a user created while someone pages is never shown twice nor skips another.
 */
import type { Kysely } from "kysely";
import { isUuid } from "../lib/ids.ts";
import { findUser, groupsOfMembers, toUser } from "../storage/users-repo.ts";
import { emailsOfUsers, searchUserRows } from "../storage/user-search-repo.ts";
import type { AdminRole, Database, OrgRole } from "../storage/tables.ts";
import { type AuditEvent, listAudit } from "./audit.ts";
import { InvalidValueError, NotFoundError } from "./errors.ts";
import { getOrg } from "./orgs.ts";
import { ADMIN_ROLE_VALUES, ORG_ROLE_VALUES } from "./roles.ts";
import { seatsOfUsers, type UserSeats } from "./seats.ts";
import type { User, UserGroupRef } from "./users.ts";

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** Longer search text is a mistake, not a search: refused rather than scanned for. */
export const MAX_SEARCH_TEXT = 256;
/** How many audit events the detail view of a user carries. */
export const RECENT_AUDIT_EVENTS = 20;

export interface UserSearchQuery {
  /** Case-insensitive substring of userName, displayName or any email address. */
  q?: string | undefined;
  status?: string | undefined;
  /** A product key: users holding a granted seat of it (pending requests do not count). */
  product?: string | undefined;
  /** A group id: its direct members. */
  group?: string | undefined;
  /** An organization role (admin, admin-readonly, user) or an admin role (member, manager, administrator, super-administrator). */
  role?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface EmailView {
  value: string;
  type: string | null;
  primary: boolean;
}

export interface UserSummary {
  user: User;
  emails: EmailView[];
  products: UserSeats;
}

export interface UserDetail extends UserSummary {
  groups: UserGroupRef[];
  /** The newest events whose target is this user, newest first. */
  recentAudit: AuditEvent[];
}

export interface CursorPage<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export async function searchUsers(db: Kysely<Database>, orgId: string, query: UserSearchQuery): Promise<CursorPage<UserSummary>> {
  await assertOrg(db, orgId);
  const limit = pageSize(query.limit);
  const rows = await searchUserRows(db, orgId, {
    text: searchText(query.q),
    active: statusFilter(query.status),
    product: query.product?.trim() || undefined,
    groupId: idFilter("group", query.group),
    ...roleFilter(query.role),
    afterId: cursorOf(query.cursor),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit).map(toUser);
  return {
    items: await summaries(db, orgId, page),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

export async function getUserDetail(db: Kysely<Database>, orgId: string, id: string): Promise<UserDetail> {
  await assertOrg(db, orgId);
  const row = isUuid(id) ? await findUser(db, orgId, id) : undefined;
  if (!row) throw new NotFoundError("User", id);
  const user = toUser(row);
  const [summary] = await summaries(db, orgId, [user]);
  const groups = (await groupsOfMembers(db, orgId, [user.id])).get(user.id) ?? [];
  const audit = await listAudit(db, orgId, { targetId: user.id, limit: RECENT_AUDIT_EVENTS });
  return { ...summary!, groups, recentAudit: audit.events };
}

/** The same view of one user after a change made through users.ts. */
export async function summaryOf(db: Kysely<Database>, orgId: string, user: User): Promise<UserSummary> {
  return (await summaries(db, orgId, [user]))[0]!;
}

async function summaries(db: Kysely<Database>, orgId: string, users: User[]): Promise<UserSummary[]> {
  const ids = users.map((u) => u.id);
  const [emails, seats] = await Promise.all([emailsOfUsers(db, orgId, ids), seatsOfUsers(db, orgId, ids)]);
  return users.map((user) => ({
    user,
    emails: emails.get(user.id) ?? [],
    products: seats.get(user.id) ?? { granted: [], pending: [] },
  }));
}

export async function assertOrg(db: Kysely<Database>, orgId: string): Promise<void> {
  if (!isUuid(orgId)) throw new NotFoundError("Organization", orgId);
  await getOrg(db, orgId);
}

/** Page size: default 50, at most 200; anything else is refused rather than silently changed. */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidValueError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`);
  }
  return limit;
}

/** Keyset cursors are the last id of the previous page. */
export function cursorOf(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  if (!isUuid(cursor)) throw new InvalidValueError("cursor is not valid; use nextCursor from the previous page");
  return cursor.toLowerCase();
}

export function searchText(q: string | undefined): string | undefined {
  const text = q?.trim();
  if (!text) return undefined;
  if (text.length > MAX_SEARCH_TEXT) throw new InvalidValueError(`q must be at most ${MAX_SEARCH_TEXT} characters`);
  return text;
}

function statusFilter(status: string | undefined): boolean | undefined {
  if (status === undefined || status === "") return undefined;
  if (status === "active") return true;
  if (status === "suspended") return false;
  throw new InvalidValueError(`status must be "active" or "suspended", not "${status}"`);
}

function idFilter(name: string, id: string | undefined): string | undefined {
  if (id === undefined || id === "") return undefined;
  if (!isUuid(id)) throw new InvalidValueError(`${name} must be a ${name} id (a UUID), not "${id}"`);
  return id.toLowerCase();
}

function roleFilter(role: string | undefined): { orgRole?: OrgRole; adminRole?: AdminRole } {
  if (role === undefined || role === "") return {};
  if (Object.hasOwn(ORG_ROLE_VALUES, role)) return { orgRole: role as OrgRole };
  if (Object.hasOwn(ADMIN_ROLE_VALUES, role)) return { adminRole: role as AdminRole };
  throw new InvalidValueError(
    `role "${role}" is not a role; use an organization role (${Object.keys(ORG_ROLE_VALUES).join(", ")}) ` +
      `or an admin role (${Object.keys(ADMIN_ROLE_VALUES).join(", ")})`,
  );
}
