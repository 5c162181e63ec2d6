import { type Kysely, sql, type Transaction } from "kysely";
import type { ListQuery, Page } from "../domain/list-query.ts";
import { afterPosition, nextPosition, orderExpression, SORT_KEY, sortKeyOf } from "./keyset.ts";
import type { Database, GroupRow, MemberType, NewGroupRow } from "./tables.ts";

type Db = Kysely<Database> | Transaction<Database>;

// Keeps each INSERT well under PostgreSQL's 65,535 bind-parameter limit.
const INSERT_CHUNK = 5_000;

export function toGroup(r: GroupRow) {
  return {
    id: r.id,
    orgId: r.org_id,
    displayName: r.display_name,
    externalId: r.external_id,
    profile: (typeof r.resource === "string" ? JSON.parse(r.resource) : r.resource) as Record<string, unknown>,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export async function findGroup(db: Db, orgId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom("groups").selectAll().where("org_id", "=", orgId).where("id", "=", id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertGroup(trx: Transaction<Database>, row: NewGroupRow): Promise<GroupRow> {
  return trx.insertInto("groups").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateGroup(
  trx: Transaction<Database>,
  orgId: string,
  id: string,
  set: Partial<Omit<NewGroupRow, "org_id" | "id">>,
): Promise<GroupRow> {
  return trx
    .updateTable("groups")
    .set(set)
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteGroup(trx: Transaction<Database>, orgId: string, id: string): Promise<void> {
  await trx.deleteFrom("groups").where("org_id", "=", orgId).where("id", "=", id).execute();
}

export async function listGroups(db: Db, orgId: string, query: ListQuery): Promise<Page<ReturnType<typeof toGroup>>> {
  let base = db.selectFrom("groups as g").where("g.org_id", "=", orgId);
  if (query.where) base = base.where(query.where);
  const { total } = await base.select(sql<number>`count(*)::int`.as("total")).executeTakeFirstOrThrow();
  if (query.after) {
    // Keyset page (RFC 9865 cursor): one row more than asked tells whether a next page exists.
    let page = base.selectAll("g").select(sortKeyOf(query.orderBy).as(SORT_KEY));
    if (query.after !== "start") page = page.where(afterPosition("g", query.orderBy, query.after));
    if (query.orderBy) page = page.orderBy(orderExpression(query.orderBy));
    const rows = await page.orderBy("g.id").limit(query.limit + 1).execute();
    return { total, items: rows.slice(0, query.limit).map(toGroup), next: nextPosition(rows, query.limit, query.after) };
  }
  if (query.limit === 0 || query.offset >= total) return { total, items: [] };
  if (!query.orderBy) {
    // Deferred join: OFFSET walks the narrow (org_id, id) primary key, and only
    // the page's rows are read from the table, so deep pages stay cheap.
    const ids = base.select("g.id").orderBy("g.id").offset(query.offset).limit(query.limit);
    const rows = await db
      .selectFrom(ids.as("p"))
      .innerJoin("groups as x", (j) => j.onRef("x.id", "=", "p.id"))
      .selectAll("x")
      .where("x.org_id", "=", orgId)
      .orderBy("x.id")
      .execute();
    return { total, items: rows.map(toGroup) };
  }
  const rows = await base
    .selectAll("g")
    .orderBy(orderExpression(query.orderBy))
    .orderBy("g.id")
    .offset(query.offset)
    .limit(query.limit)
    .execute();
  return { total, items: rows.map(toGroup) };
}

/**
 * Which of `ids` are users or groups of the organization (keys lower-cased).
 * The rows found are locked FOR KEY SHARE until the transaction ends, so a
 * concurrent DELETE of a member waits for the membership to commit (and then
 * removes it) instead of leaving a membership to a deleted user behind.
 */
export async function memberTypes(
  trx: Transaction<Database>,
  orgId: string,
  ids: string[],
): Promise<Map<string, MemberType>> {
  const found = new Map<string, MemberType>();
  for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
    const chunk = ids.slice(i, i + INSERT_CHUNK);
    // Two statements: PostgreSQL does not allow FOR KEY SHARE with UNION.
    for (const [table, type] of [["users", "User"], ["groups", "Group"]] as const) {
      const rows = await trx
        .selectFrom(table)
        .select(sql<string>`id::text`.as("id"))
        .where("org_id", "=", orgId)
        .where("id", "in", chunk)
        .forKeyShare()
        .execute();
      for (const r of rows) found.set(r.id.toLowerCase(), type);
    }
  }
  return found;
}

export async function insertMembers(
  trx: Transaction<Database>,
  orgId: string,
  groupId: string,
  members: { member_id: string; member_type: MemberType }[],
): Promise<void> {
  for (let i = 0; i < members.length; i += INSERT_CHUNK) {
    await trx
      .insertInto("group_members")
      .values(members.slice(i, i + INSERT_CHUNK).map((m) => ({ org_id: orgId, group_id: groupId, ...m })))
      .onConflict((oc) => oc.columns(["org_id", "group_id", "member_id"]).doNothing())
      .execute();
  }
}

export async function deleteMembers(trx: Transaction<Database>, orgId: string, groupId: string, ids: string[]) {
  for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
    await trx
      .deleteFrom("group_members")
      .where("org_id", "=", orgId)
      .where("group_id", "=", groupId)
      .where("member_id", "in", ids.slice(i, i + INSERT_CHUNK))
      .execute();
  }
}

export async function deleteAllMembers(trx: Transaction<Database>, orgId: string, groupId: string) {
  await trx.deleteFrom("group_members").where("org_id", "=", orgId).where("group_id", "=", groupId).execute();
}

/** Members of the given groups with their current display names, in member-id order. */
export async function membersOf(db: Db, orgId: string, groupIds: string[]) {
  const byGroup = new Map<string, { id: string; type: MemberType; display: string | null }[]>();
  if (!groupIds.length) return byGroup;
  const rows = await db
    .selectFrom("group_members as gm")
    .leftJoin("users as u", (j) => j.onRef("u.org_id", "=", "gm.org_id").onRef("u.id", "=", "gm.member_id"))
    .leftJoin("groups as mg", (j) => j.onRef("mg.org_id", "=", "gm.org_id").onRef("mg.id", "=", "gm.member_id"))
    .select([
      "gm.group_id",
      "gm.member_id",
      "gm.member_type",
      sql<string | null>`coalesce(u.display_name, u.user_name, mg.display_name)`.as("display"),
    ])
    .where("gm.org_id", "=", orgId)
    .where("gm.group_id", "in", groupIds)
    .orderBy("gm.group_id")
    .orderBy("gm.member_id")
    .execute();
  for (const r of rows) {
    const list = byGroup.get(r.group_id) ?? [];
    list.push({ id: r.member_id, type: r.member_type, display: r.display });
    byGroup.set(r.group_id, list);
  }
  return byGroup;
}
