import { type Kysely, sql, type Transaction } from "kysely";
import type { Database, UserRow } from "./tables.ts";

type Db = Kysely<Database> | Transaction<Database>;

export async function insertSession(
  trx: Transaction<Database>,
  row: { id_hash: string; org_id: string; user_id: string; expires_at: Date },
): Promise<void> {
  await trx.insertInto("sessions").values(row).execute();
}

/**
 * The session with this hash, still within its absolute and idle limits, and
 * its user, only while that user is active.
 */
export async function findLiveSession(db: Db, idHash: string, idleSeconds: number) {
  return db
    .selectFrom("sessions as s")
    .innerJoin("users as u", (j) => j.onRef("u.org_id", "=", "s.org_id").onRef("u.id", "=", "s.user_id"))
    .innerJoin("orgs as o", "o.id", "s.org_id")
    .selectAll("u")
    .select(["s.id_hash", "s.last_seen_at", "s.expires_at", "o.name as org_name"])
    .where("s.id_hash", "=", idHash)
    .where("s.expires_at", ">", sql<Date>`now()`)
    .where("s.last_seen_at", ">", sql<Date>`now() - make_interval(secs => ${idleSeconds})`)
    .where("u.active", "=", true)
    .executeTakeFirst() as Promise<(UserRow & { id_hash: string; last_seen_at: Date; expires_at: Date; org_name: string }) | undefined>;
}

/** Slides the idle limit; written at most once per `granularitySeconds` per session. */
export async function touchSession(db: Db, idHash: string, granularitySeconds: number): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ last_seen_at: sql`now()` })
    .where("id_hash", "=", idHash)
    .where("last_seen_at", "<", sql<Date>`now() - make_interval(secs => ${granularitySeconds})`)
    .execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<{ org_id: string; user_id: string } | undefined> {
  return db.deleteFrom("sessions").where("id_hash", "=", idHash).returning(["org_id", "user_id"]).executeTakeFirst();
}

export async function deleteUserSessions(db: Db, orgId: string, userId: string): Promise<number> {
  const res = await db.deleteFrom("sessions").where("org_id", "=", orgId).where("user_id", "=", userId).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Ends the user's sessions that are past their limits, so a user's rows do not pile up. */
export async function deleteStaleUserSessions(db: Db, orgId: string, userId: string, idleSeconds: number): Promise<void> {
  await db
    .deleteFrom("sessions")
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .where((eb) =>
      eb.or([eb("expires_at", "<=", sql<Date>`now()`), eb("last_seen_at", "<=", sql<Date>`now() - make_interval(secs => ${idleSeconds})`)]),
    )
    .execute();
}

export async function deleteOrgSessions(db: Db, orgId: string): Promise<number> {
  const res = await db.deleteFrom("sessions").where("org_id", "=", orgId).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Locks the user row against a concurrent suspension (FOR SHARE) and says whether it is active. */
export async function lockActiveUser(trx: Transaction<Database>, orgId: string, userId: string): Promise<boolean> {
  const row = await trx
    .selectFrom("users")
    .select("active")
    .where("org_id", "=", orgId)
    .where("id", "=", userId)
    .forShare()
    .executeTakeFirst();
  return row?.active === true;
}
