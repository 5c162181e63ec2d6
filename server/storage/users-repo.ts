import { type Kysely, sql, type Transaction } from "kysely";
import type { ListQuery, Page } from "../domain/list-query.ts";
import { afterPosition, nextPosition, orderExpression, SORT_KEY, sortKeyOf } from "./keyset.ts";
import type { Database, ManagerScope, NewUserRow, UserRow, UserUpdate } from "./tables.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** Row → domain shape. Lives here so rows never leave storage/ and domain/. */
export function toUser(r: UserRow) {
  return {
    id: r.id,
    orgId: r.org_id,
    userName: r.user_name,
    externalId: r.external_id,
    displayName: r.display_name,
    active: r.active,
    profile: (typeof r.resource === "string" ? JSON.parse(r.resource) : r.resource) as Record<string, unknown>,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    roles: {
      orgRole: r.org_role,
      adminRole: r.admin_role,
      managerScope: (typeof r.manager_scope === "string" ? JSON.parse(r.manager_scope) : r.manager_scope) as ManagerScope,
    },
  };
}

/**
 * Locks the organization's active super administrators (in id order), so two
 * concurrent demotions cannot each see the other and leave none.
 */
export async function lockActiveSuperAdmins(trx: Transaction<Database>, orgId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom("users")
    .select("id")
    .where("org_id", "=", orgId)
    .where("admin_role", "=", "super-administrator")
    .where("active", "=", true)
    .orderBy("id")
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

export async function findUser(db: Db, orgId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom("users").selectAll().where("org_id", "=", orgId).where("id", "=", id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertUser(trx: Transaction<Database>, row: NewUserRow): Promise<UserRow> {
  return trx.insertInto("users").values(row).returningAll().executeTakeFirstOrThrow();
}

/** A new user and its emails in one statement (one round trip instead of two). */
export async function insertUserWithEmails(
  trx: Transaction<Database>,
  row: NewUserRow,
  emails: { value: string; type: string | null; primary: boolean }[],
): Promise<UserRow> {
  if (!emails.length) return insertUser(trx, row);
  return trx
    .with("new_user", (db) => db.insertInto("users").values(row).returningAll())
    .with("new_emails", (db) =>
      db.insertInto("user_emails").values(
        emails.map((e, position) => ({
          org_id: row.org_id,
          user_id: row.id,
          position,
          value: e.value,
          type: e.type,
          is_primary: e.primary,
        })),
      ),
    )
    .selectFrom("new_user")
    .selectAll()
    .executeTakeFirstOrThrow() as Promise<UserRow>;
}

export async function updateUser(trx: Transaction<Database>, orgId: string, id: string, set: UserUpdate): Promise<UserRow> {
  return trx
    .updateTable("users")
    .set(set)
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteUser(trx: Transaction<Database>, orgId: string, id: string): Promise<void> {
  await trx.deleteFrom("users").where("org_id", "=", orgId).where("id", "=", id).execute();
}

export async function replaceEmails(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
  emails: { value: string; type: string | null; primary: boolean }[],
): Promise<void> {
  await trx.deleteFrom("user_emails").where("org_id", "=", orgId).where("user_id", "=", userId).execute();
  await insertEmails(trx, orgId, userId, emails);
}

/** The emails of a user that has none yet (a new user). */
export async function insertEmails(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
  emails: { value: string; type: string | null; primary: boolean }[],
): Promise<void> {
  if (!emails.length) return;
  await trx
    .insertInto("user_emails")
    .values(
      emails.map((e, position) => ({
        org_id: orgId,
        user_id: userId,
        position,
        value: e.value,
        type: e.type,
        is_primary: e.primary,
      })),
    )
    .execute();
}

/** Relations of listed users the caller will render, read in the page's own query. */
export interface RelationsWanted {
  groups?: boolean | undefined;
  seats?: boolean | undefined;
}

/** A user row seen at a 0-based position of the unfiltered id-ordered list, and the change count then. */
export interface KnownPosition {
  position: number;
  id: string;
  changes: number;
}

/** Remembered positions of index paging (server/scim/pagination/index-positions.ts). */
export interface PositionHints {
  nearest(orgId: string, offset: number): KnownPosition | undefined;
  record(orgId: string, changes: number, seen: { position: number; id: string }[]): void;
}

export interface ListOptions extends RelationsWanted {
  positions?: PositionHints | undefined;
}

export type ListedUser = ReturnType<typeof toUser> & {
  /** Direct groups, by displayName: present when asked for. */
  groups?: { id: string; displayName: string }[];
  /** Granted and pending products, by key: present when asked for. */
  seats?: { granted: string[]; pending: string[] };
};

/**
 * One page of users. totalResults costs nothing when the page itself proves it
 * (a partial last page: offset + rows); otherwise it is the organization's
 * maintained user count when unfiltered (org_user_counts, read in the page's
 * own statement), a count(*) of the filter's matches only when filtered.
 */
export async function listUsers(db: Db, orgId: string, query: ListQuery, options: ListOptions = {}): Promise<Page<ListedUser>> {
  const want: RelationsWanted = { groups: options.groups, seats: options.seats };
  let base = db.selectFrom("users as u").where("u.org_id", "=", orgId);
  if (query.where) base = base.where(query.where);
  const count = async () =>
    query.where ? (await base.select(sql<number>`count(*)::int`.as("total")).executeTakeFirstOrThrow()).total : countUsers(db, orgId);
  if (query.after) {
    // Keyset page (RFC 9865 cursor): one row more than asked tells whether a next page exists.
    let page = base.selectAll("u").select(sortKeyOf(query.orderBy).as(SORT_KEY)).select(relationColumns("u", want));
    if (!query.where) page = page.select(orgCountColumns(orgId));
    if (query.after !== "start") page = page.where(afterPosition("u", query.orderBy, query.after));
    if (query.orderBy) page = page.orderBy(orderExpression(query.orderBy));
    const rows = (await page.orderBy("u.id").limit(query.limit + 1).execute()) as (UserRow & RelationRow & Partial<OrgCounts> & { [SORT_KEY]: string | null })[];
    const items = rows.slice(0, query.limit).map((r) => listed(r, want));
    // A first page that holds every row counts itself; otherwise the count read along, or a count.
    const counted = rows[0]?.org_users;
    const total =
      query.after === "start" && rows.length <= query.limit ? rows.length : counted !== undefined ? Number(counted) : await count();
    return { total, items, next: nextPosition(rows, query.limit, query.after) };
  }
  if (query.limit === 0) return { total: await count(), items: [] };
  let rows: (UserRow & RelationRow & Partial<OrgCounts>)[];
  if (!query.orderBy) {
    // Deferred join: OFFSET walks the narrow (org_id, id) primary key, and only
    // the page's rows are read from the table. Unfiltered, the walk starts at
    // the nearest position seen before, when nobody was added or removed since.
    const unfiltered = !query.where;
    const page = (from?: KnownPosition) => {
      let ids = base.select("u.id");
      if (from) ids = ids.where("u.id", ">=", from.id);
      ids = ids.orderBy("u.id").offset(from ? query.offset - from.position : query.offset).limit(query.limit);
      let q = db.selectFrom(ids.as("p")).innerJoin("users as x", (j) => j.onRef("x.id", "=", "p.id")).selectAll("x").select(relationColumns("x", want));
      if (unfiltered) q = q.select(orgCountColumns(orgId));
      return q.where("x.org_id", "=", orgId).orderBy("x.id").execute() as Promise<(UserRow & RelationRow & Partial<OrgCounts>)[]>;
    };
    const hint = unfiltered ? options.positions?.nearest(orgId, query.offset) : undefined;
    rows = hint ? await page(hint) : await page();
    // Users were added or removed since that position was seen: it may have moved, read by OFFSET.
    if (hint && (rows.length === 0 || Number(rows[0]!.org_changes) !== hint.changes)) rows = await page();
    if (unfiltered && rows.length) {
      options.positions?.record(orgId, Number(rows[0]!.org_changes), [
        { position: query.offset, id: rows[0]!.id },
        { position: query.offset + rows.length - 1, id: rows[rows.length - 1]!.id },
      ]);
    }
  } else {
    // id last: a total order, so pages neither repeat nor skip rows (ids are time-ordered UUIDv7).
    rows = await base
      .selectAll("u")
      .select(relationColumns("u", want))
      .orderBy(orderExpression(query.orderBy))
      .orderBy("u.id")
      .offset(query.offset)
      .limit(query.limit)
      .execute();
  }
  // A partial page is the last one (or, empty at offset 0, the only one): it proves the total.
  const partial = rows.length < query.limit && (rows.length > 0 || query.offset === 0);
  const counted = rows[0]?.org_users;
  const total = partial ? query.offset + rows.length : counted !== undefined ? Number(counted) : await count();
  return { total, items: rows.map((r) => listed(r, want)) };
}

interface OrgCounts {
  org_users: number;
  org_changes: number;
}

/** The organization's user count and change count (migration 0006), as columns of a page query: no extra round trip. */
function orgCountColumns(orgId: string) {
  return [
    sql<number>`(select coalesce(sum(c.users), 0)::float8 from org_user_counts c where c.org_id = ${orgId})`.as("org_users"),
    sql<number>`(select coalesce(sum(c.changes), 0)::float8 from org_user_counts c where c.org_id = ${orgId})`.as("org_changes"),
  ];
}

interface RelationRow {
  rel_groups?: { id: string; displayName: string }[] | null;
  rel_seats?: [string, "granted" | "pending"][] | null;
}

/**
 * The wanted relations as correlated subqueries of the page query: the same
 * rows (and order) groupsOfMembers and seatsOfUsers read, without their two
 * extra round trips.
 */
function relationColumns(alias: "u" | "x", want: RelationsWanted) {
  const orgId = sql.ref(`${alias}.org_id`);
  const id = sql.ref(`${alias}.id`);
  const columns = [];
  if (want.groups) {
    columns.push(
      sql<RelationRow["rel_groups"]>`(select json_agg(json_build_object('id', g.id, 'displayName', g.display_name) order by g.display_name, g.id)
        from group_members gm join groups g on g.org_id = gm.org_id and g.id = gm.group_id
        where gm.org_id = ${orgId} and gm.member_id = ${id})`.as("rel_groups"),
    );
  }
  if (want.seats) {
    columns.push(
      sql<RelationRow["rel_seats"]>`(select json_agg(json_build_array(sa.product_key, sa.status) order by sa.product_key)
        from seat_assignments sa where sa.org_id = ${orgId} and sa.user_id = ${id})`.as("rel_seats"),
    );
  }
  return columns;
}

function listed(r: UserRow & RelationRow, want: RelationsWanted): ListedUser {
  const user: ListedUser = toUser(r);
  if (want.groups) user.groups = parseJson(r.rel_groups) ?? [];
  if (want.seats) {
    const seats = { granted: [] as string[], pending: [] as string[] };
    for (const [key, status] of parseJson(r.rel_seats) ?? []) seats[status].push(key);
    user.seats = seats;
  }
  return user;
}

function parseJson<T>(v: T | string | null | undefined): T | undefined {
  return typeof v === "string" ? (JSON.parse(v) as T) : (v ?? undefined);
}

/** The organization's user count, kept by triggers (migration 0006): a sum of a few rows. */
export async function countUsers(db: Db, orgId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select coalesce(sum(users), 0)::float8 as n from org_user_counts where org_id = ${orgId}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** The groups each member belongs to directly, for a page of users in one query. */
export async function groupsOfMembers(db: Db, orgId: string, memberIds: string[]) {
  const byMember = new Map<string, { id: string; displayName: string }[]>();
  if (!memberIds.length) return byMember;
  const rows = await db
    .selectFrom("group_members as gm")
    .innerJoin("groups as g", (j) => j.onRef("g.org_id", "=", "gm.org_id").onRef("g.id", "=", "gm.group_id"))
    .select(["gm.member_id", "g.id", "g.display_name"])
    .where("gm.org_id", "=", orgId)
    .where("gm.member_id", "in", memberIds)
    .orderBy("g.display_name")
    .execute();
  for (const r of rows) {
    const list = byMember.get(r.member_id) ?? [];
    list.push({ id: r.id, displayName: r.display_name });
    byMember.set(r.member_id, list);
  }
  return byMember;
}

/**
 * Locks (FOR UPDATE, in id order) the groups that list `memberId`. Deleting a
 * member takes these before the member's own row, the order adding members
 * takes them in (the group, then its members FOR KEY SHARE), so a delete and
 * an add of the same membership queue up instead of deadlocking.
 */
export async function lockGroupsOf(trx: Transaction<Database>, orgId: string, memberId: string): Promise<void> {
  await trx
    .selectFrom("groups")
    .select("id")
    .where("org_id", "=", orgId)
    .where("id", "in", (eb) =>
      eb.selectFrom("group_members").select("group_id").where("org_id", "=", orgId).where("member_id", "=", memberId),
    )
    .orderBy("id")
    .forUpdate()
    .execute();
}

/**
 * Removes a user or group from every group that lists it, bumping those groups'
 * versions: their member lists changed, so their ETags and lastModified must too.
 */
export async function removeFromAllGroups(trx: Transaction<Database>, orgId: string, memberId: string): Promise<void> {
  await trx
    .updateTable("groups")
    .set({ version: sql`version + 1`, updated_at: new Date() })
    .where("org_id", "=", orgId)
    .where("id", "in", (eb) =>
      eb.selectFrom("group_members").select("group_id").where("org_id", "=", orgId).where("member_id", "=", memberId),
    )
    .execute();
  await trx.deleteFrom("group_members").where("org_id", "=", orgId).where("member_id", "=", memberId).execute();
}
