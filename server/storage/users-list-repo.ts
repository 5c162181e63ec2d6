import { type Kysely, sql, type Transaction } from "kysely";
import type { ListQuery, Page } from "../domain/list-query.ts";
import { afterPosition, nextPosition, orderExpression, SORT_KEY, sortKeyOf } from "./keyset.ts";
import type { Database, UserRow } from "./tables.ts";
import { toUser } from "./users-repo.ts";

// The user list of SCIM GET /Users and the admin search: one statement per page
// with its relations and the organization's counts (see listUsers).

type Db = Kysely<Database> | Transaction<Database>;

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
