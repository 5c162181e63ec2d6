import { type Kysely, sql } from "kysely";
import type { Database } from "./tables.ts";

export async function insertOperatorSession(
  db: Kysely<Database>,
  row: { id_hash: string; token_binding: string; expires_at: Date },
): Promise<void> {
  await db.insertInto("operator_sessions").values(row).execute();
}

/** The session with this hash, still within its absolute and idle limits. */
export async function findLiveOperatorSession(db: Kysely<Database>, idHash: string, idleSeconds: number) {
  return db
    .selectFrom("operator_sessions")
    .select(["id_hash", "token_binding", "expires_at"])
    .where("id_hash", "=", idHash)
    .where("expires_at", ">", sql<Date>`now()`)
    .where("last_seen_at", ">", sql<Date>`now() - make_interval(secs => ${idleSeconds})`)
    .executeTakeFirst();
}

/** Slides the idle limit; written at most once per `granularitySeconds`. */
export async function touchOperatorSession(db: Kysely<Database>, idHash: string, granularitySeconds: number): Promise<void> {
  await db
    .updateTable("operator_sessions")
    .set({ last_seen_at: sql`now()` })
    .where("id_hash", "=", idHash)
    .where("last_seen_at", "<", sql<Date>`now() - make_interval(secs => ${granularitySeconds})`)
    .execute();
}

export async function deleteOperatorSession(db: Kysely<Database>, idHash: string): Promise<boolean> {
  const res = await db.deleteFrom("operator_sessions").where("id_hash", "=", idHash).executeTakeFirst();
  return res.numDeletedRows > 0n;
}

/** Sessions past either limit: swept when a new one starts, so rows do not pile up. */
export async function deleteStaleOperatorSessions(db: Kysely<Database>, idleSeconds: number): Promise<void> {
  await db
    .deleteFrom("operator_sessions")
    .where((eb) =>
      eb.or([eb("expires_at", "<=", sql<Date>`now()`), eb("last_seen_at", "<=", sql<Date>`now() - make_interval(secs => ${idleSeconds})`)]),
    )
    .execute();
}
