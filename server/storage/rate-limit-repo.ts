import { type Kysely, sql } from "kysely";
import type { Database } from "./tables.ts";

export interface CounterHit {
  key: string;
  /** Requests counted for this key in the current window, this one included. */
  hits: number;
  /** Whole seconds until the current window ends (at least 1). */
  resetInSeconds: number;
}

/**
 * Counts one request (or `weight` requests) against every key, in one statement and one round trip:
 * an INSERT … ON CONFLICT DO UPDATE … RETURNING bumps each key's counter for the
 * current window atomically, so concurrent requests on any number of server
 * processes never read-then-write (no lost increments).
 *
 * Windows are cut from the database clock (aligned on the Unix epoch), not the
 * process's: every process agrees on where a window starts however their
 * clocks drift. Keys are written in the order given; callers keep one order
 * (most specific first) so two statements lock shared rows in the same order
 * and cannot deadlock.
 */
export async function hitCounters(
  db: Kysely<Database>,
  keys: readonly string[],
  windowSeconds: number,
  weight = 1,
): Promise<CounterHit[]> {
  if (keys.length === 0) return [];
  const window = sql`make_interval(secs => ${windowSeconds})`;
  const start = sql`date_bin(${window}, now(), timestamptz 'epoch')`;
  const rows = sql.join(keys.map((k) => sql`(${k}, ${start}, ${weight}::int, ${start} + ${window})`));
  const result = await sql<{ key: string; hits: number; reset_in: number }>`
    insert into rate_limit_counters as c (key, window_start, hits, expires_at)
    values ${rows}
    on conflict (key, window_start) do update set hits = c.hits + excluded.hits
    returning c.key, c.hits, greatest(1, ceil(extract(epoch from c.expires_at - now())))::int as reset_in
  `.execute(db);
  return result.rows.map((r) => ({ key: r.key, hits: Number(r.hits), resetInSeconds: Number(r.reset_in) }));
}

/** Deletes the counters of windows that have ended, whatever their length; returns how many went. */
export async function pruneCounters(db: Kysely<Database>): Promise<number> {
  const result = await db.deleteFrom("rate_limit_counters").where("expires_at", "<", sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
