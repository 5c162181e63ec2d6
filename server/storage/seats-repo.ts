import { type Kysely, sql, type Transaction } from "kysely";
import type { Database, SeatStatus } from "./tables.ts";

type Db = Kysely<Database> | Transaction<Database>;

// Keeps each statement well under PostgreSQL's 65,535 bind-parameter limit.
const CHUNK = 5_000;

export interface LockedProduct {
  key: string;
  seats: number;
}

export interface SeatCount {
  granted: number;
  pending: number;
}

export async function orgExists(db: Db, orgId: string): Promise<boolean> {
  return (await db.selectFrom("orgs").select("id").where("id", "=", orgId).executeTakeFirst()) !== undefined;
}

/**
 * Locks the product rows in key order (a single statement: the lock node sits
 * above the sort, so every transaction takes them in the same order and two
 * transactions can never wait on each other's products). Missing keys are skipped.
 */
export async function lockProducts(trx: Transaction<Database>, orgId: string, keys: string[]): Promise<LockedProduct[]> {
  if (!keys.length) return [];
  return trx
    .selectFrom("products")
    .select(["key", "seats"])
    .where("org_id", "=", orgId)
    .where("key", "in", keys)
    .orderBy("key")
    .forUpdate()
    .execute();
}

/** Inserts the product if absent; undefined when another transaction created it first. */
export async function insertProduct(trx: Transaction<Database>, orgId: string, key: string, seats: number) {
  return trx
    .insertInto("products")
    .values({ org_id: orgId, key, seats })
    .onConflict((oc) => oc.columns(["org_id", "key"]).doNothing())
    .returning(["key", "seats"])
    .executeTakeFirst();
}

export async function updateProductSeats(trx: Transaction<Database>, orgId: string, key: string, seats: number) {
  await trx
    .updateTable("products")
    .set({ seats, updated_at: sql`now()` })
    .where("org_id", "=", orgId)
    .where("key", "=", key)
    .execute();
}

/** Which of `keys` are products of the organization. */
export async function existingProductKeys(db: Db, orgId: string, keys: string[]): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const rows = await db.selectFrom("products").select("key").where("org_id", "=", orgId).where("key", "in", keys).execute();
  return new Set(rows.map((r) => r.key));
}

/** Granted and pending seats per product; products without any row are absent. */
export async function seatCounts(db: Db, orgId: string, keys: string[]): Promise<Map<string, SeatCount>> {
  const counts = new Map<string, SeatCount>();
  if (!keys.length) return counts;
  const rows = await db
    .selectFrom("seat_assignments")
    .select([
      "product_key",
      sql<number>`(count(*) filter (where status = 'granted'))::int`.as("granted"),
      sql<number>`(count(*) filter (where status = 'pending'))::int`.as("pending"),
    ])
    .where("org_id", "=", orgId)
    .where("product_key", "in", keys)
    .groupBy("product_key")
    .execute();
  for (const r of rows) counts.set(r.product_key, { granted: r.granted, pending: r.pending });
  return counts;
}

export async function listUsage(db: Db, orgId: string) {
  return db
    .selectFrom("products as p")
    .leftJoin("seat_assignments as sa", (j) => j.onRef("sa.org_id", "=", "p.org_id").onRef("sa.product_key", "=", "p.key"))
    .select([
      "p.key",
      "p.seats",
      sql<number>`(count(sa.user_id) filter (where sa.status = 'granted'))::int`.as("assigned"),
      sql<number>`(count(sa.user_id) filter (where sa.status = 'pending'))::int`.as("pending"),
    ])
    .where("p.org_id", "=", orgId)
    .groupBy(["p.key", "p.seats"])
    .orderBy("p.key")
    .execute();
}

/** Grants up to `limit` pending requests of one product, first come first served. Call with the product locked. */
export async function grantPending(trx: Transaction<Database>, orgId: string, key: string, limit: number): Promise<number> {
  if (limit <= 0) return 0;
  const result = await trx
    .updateTable("seat_assignments")
    .set({ status: "granted", granted_at: sql`now()` })
    .where("org_id", "=", orgId)
    .where("product_key", "=", key)
    .where("user_id", "in", (eb) =>
      eb
        .selectFrom("seat_assignments")
        .select("user_id")
        .where("org_id", "=", orgId)
        .where("product_key", "=", key)
        .where("status", "=", "pending")
        .orderBy("requested_at")
        .orderBy("user_id")
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// ---- one user ----

export async function directProductsOf(db: Db, orgId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("user_products")
    .select("product_key")
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .execute();
  return rows.map((r) => r.product_key);
}

export async function replaceDirectProducts(trx: Transaction<Database>, orgId: string, userId: string, keys: string[]) {
  let del = trx.deleteFrom("user_products").where("org_id", "=", orgId).where("user_id", "=", userId);
  if (keys.length) del = del.where("product_key", "not in", keys);
  await del.execute();
  if (!keys.length) return;
  await trx
    .insertInto("user_products")
    .values(keys.map((k) => ({ org_id: orgId, user_id: userId, product_key: k })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Products of the groups the user is a direct member of (nested groups do not pass products on). */
export async function groupProductsOfUser(db: Db, orgId: string, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("group_members as gm")
    .innerJoin("group_products as gp", (j) => j.onRef("gp.org_id", "=", "gm.org_id").onRef("gp.group_id", "=", "gm.group_id"))
    .select("gp.product_key")
    .distinct()
    .where("gm.org_id", "=", orgId)
    .where("gm.member_id", "=", userId)
    .where("gm.member_type", "=", "User")
    .execute();
  return rows.map((r) => r.product_key);
}

export async function seatRowsOfUser(db: Db, orgId: string, userId: string) {
  return db
    .selectFrom("seat_assignments")
    .select(["product_key", "status"])
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .execute();
}

export async function deleteUserSeats(trx: Transaction<Database>, orgId: string, userId: string, keys: string[]) {
  if (!keys.length) return;
  await trx
    .deleteFrom("seat_assignments")
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .where("product_key", "in", keys)
    .execute();
}

/** New requests wait as pending; requested_at defaults to clock_timestamp(), the FIFO position. */
export async function insertPendingSeats(trx: Transaction<Database>, orgId: string, userId: string, keys: string[]) {
  if (!keys.length) return;
  await trx
    .insertInto("seat_assignments")
    .values(keys.map((k) => ({ org_id: orgId, product_key: k, user_id: userId, status: "pending" as const })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function seatsOfUsers(db: Db, orgId: string, userIds: string[]) {
  const rows: { user_id: string; product_key: string; status: SeatStatus }[] = [];
  for (let i = 0; i < userIds.length; i += CHUNK) {
    rows.push(
      ...(await db
        .selectFrom("seat_assignments")
        .select(["user_id", "product_key", "status"])
        .where("org_id", "=", orgId)
        .where("user_id", "in", userIds.slice(i, i + CHUNK))
        .orderBy("product_key")
        .execute()),
    );
  }
  return rows;
}

// ---- one group, set-based: a member list is never loaded ----

export async function groupProductKeys(db: Db, orgId: string, groupId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("group_products")
    .select("product_key")
    .where("org_id", "=", orgId)
    .where("group_id", "=", groupId)
    .orderBy("product_key")
    .execute();
  return rows.map((r) => r.product_key);
}

export async function replaceGroupProducts(trx: Transaction<Database>, orgId: string, groupId: string, keys: string[]) {
  let del = trx.deleteFrom("group_products").where("org_id", "=", orgId).where("group_id", "=", groupId);
  if (keys.length) del = del.where("product_key", "not in", keys);
  await del.execute();
  if (!keys.length) return;
  await trx
    .insertInto("group_products")
    .values(keys.map((k) => ({ org_id: orgId, group_id: groupId, product_key: k })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Share-locks the users that are direct members of the group and lack a seat
 * row for one of `keys` (the ones about to get one), in id order, before any
 * product is locked. A user write holds its user row FOR UPDATE before locking
 * products, so this keeps one lock order (group, users, products) and makes a
 * concurrent suspend or restore of the same user wait for us (or us for it)
 * instead of acting on a stale `active`. Suspended members always lack rows, so
 * they are locked too: that is what makes a concurrent restore wait. Counted in
 * SQL: no ids come back.
 */
export async function lockMembersLackingSeats(trx: Transaction<Database>, orgId: string, groupId: string, keys: string[]) {
  if (!keys.length) return;
  await sql`
    with locked as (
      select u.id from users u
      where u.org_id = ${orgId}
        and u.id in (
          select gm.member_id from group_members gm
          where gm.org_id = ${orgId} and gm.group_id = ${groupId} and gm.member_type = 'User'
            and exists (
              select 1 from products p
              where p.org_id = ${orgId} and p.key in (${sql.join(keys)})
                and not exists (
                  select 1 from seat_assignments sa
                  where sa.org_id = p.org_id and sa.product_key = p.key and sa.user_id = gm.member_id)))
      order by u.id
      for share of u)
    select count(*)::int as n from locked`.execute(trx);
}

/** One pending request per (active direct member, product of `keys`) that has none yet. */
export async function insertGroupSeats(trx: Transaction<Database>, orgId: string, groupId: string, keys: string[]) {
  if (!keys.length) return;
  await sql`
    insert into seat_assignments (org_id, product_key, user_id, status)
    select gm.org_id, gp.product_key, gm.member_id, 'pending'
    from group_members gm
    join group_products gp on gp.org_id = gm.org_id and gp.group_id = gm.group_id
    join users u on u.org_id = gm.org_id and u.id = gm.member_id
    where gm.org_id = ${orgId} and gm.group_id = ${groupId} and gm.member_type = 'User' and u.active
      and gp.product_key in (${sql.join(keys)})
    order by gm.created_at, gm.member_id
    on conflict do nothing`.execute(trx);
}

/**
 * Deletes every seat row of `keys` whose user no longer wants it (suspended,
 * no direct want, no group granting it). Product-wide, because members removed
 * from a group are no longer listed anywhere; one indexed probe per seat row.
 */
export async function deleteUnwantedSeats(trx: Transaction<Database>, orgId: string, keys: string[]) {
  if (!keys.length) return;
  await sql`
    delete from seat_assignments sa
    where sa.org_id = ${orgId} and sa.product_key in (${sql.join(keys)})
      and not exists (
        select 1 from users u
        where u.org_id = sa.org_id and u.id = sa.user_id and u.active
          and (exists (
                 select 1 from user_products up
                 where up.org_id = sa.org_id and up.user_id = sa.user_id and up.product_key = sa.product_key)
               or exists (
                 select 1 from group_members gm
                 join group_products gp on gp.org_id = gm.org_id and gp.group_id = gm.group_id
                 where gm.org_id = sa.org_id and gm.member_id = sa.user_id and gm.member_type = 'User'
                   and gp.product_key = sa.product_key)))`.execute(trx);
}
