import { type Kysely, type RawBuilder, sql } from "kysely";
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
  const { start, end } = windowOf(windowSeconds);
  const rows = sql.join(keys.map((k) => sql`(${k}, ${start}, ${weight}::int, ${end})`));
  const result = await sql<RawHit>`
    insert into rate_limit_counters as c (key, window_start, hits, expires_at)
    values ${rows}
    ${BUMP}
  `.execute(db);
  return result.rows.map(toHit);
}

/** The current fixed window, cut from the database clock and aligned on the Unix epoch. */
export function windowOf(windowSeconds: number): { start: RawBuilder<unknown>; end: RawBuilder<unknown> } {
  const window = sql`make_interval(secs => ${windowSeconds})`;
  const start = sql`date_bin(${window}, now(), timestamptz 'epoch')`;
  return { start, end: sql`${start} + ${window}` };
}

/** The tail of a counter upsert: add the hits, return each key's count and the seconds left. */
export const BUMP = sql`
    on conflict (key, window_start) do update set hits = c.hits + excluded.hits
    returning c.key, c.hits, greatest(1, ceil(extract(epoch from c.expires_at - now())))::int as reset_in`;

export interface RawHit {
  key: string;
  hits: number;
  reset_in: number;
}

export const toHit = (r: RawHit): CounterHit => ({ key: r.key, hits: Number(r.hits), resetInSeconds: Number(r.reset_in) });

/** Deletes the counters of windows that have ended, whatever their length; returns how many went. */
export async function pruneCounters(db: Kysely<Database>): Promise<number> {
  const result = await db.deleteFrom("rate_limit_counters").where("expires_at", "<", sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
