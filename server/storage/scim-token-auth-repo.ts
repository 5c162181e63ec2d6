import { CompiledQuery, type Kysely, sql } from "kysely";
import { BUMP, type CounterHit, type RawHit, toHit, windowOf } from "./rate-limit-repo.ts";
import type { Database, ScimTokenRow } from "./tables.ts";

export type TokenAuthRow = Pick<ScimTokenRow, "org_id" | "id" | "label" | "token_hash" | "last_used_at">;

// Written once as SQL rather than built and compiled by Kysely on every request.
const TOKEN_BY_HASH = `select "org_id", "id", "label", "token_hash", "last_used_at" from "scim_tokens" where "token_hash" = $1`;

/** Which of a token's rate-limit counters to bump, and the window they count in. */
export interface TokenCharge {
  windowSeconds: number;
  token: boolean;
  org: boolean;
}

/**
 * Finds a SCIM token by the hash of its secret and, in the same statement,
 * counts the request against the token's and its organization's rate-limit
 * counters (keys `scim-token:<id>`, `org:<id>`, as domain/rate-limiter.ts
 * names them; token first, the order every writer of these rows keeps). Every
 * SCIM request runs this, so it is one round trip instead of two. An unknown
 * hash counts nothing.
 */
export async function findTokenCounting(
  db: Kysely<Database>,
  hash: string,
  charge: TokenCharge | undefined,
): Promise<{ token: TokenAuthRow; hits: CounterHit[] } | undefined> {
  if (!charge || (!charge.token && !charge.org)) {
    const { rows } = await db.executeQuery<TokenAuthRow>(CompiledQuery.raw(TOKEN_BY_HASH, [hash]));
    return rows[0] && { token: rows[0], hits: [] };
  }
  const { start, end } = windowOf(charge.windowSeconds);
  const result = await sql<TokenAuthRow & { hits: RawHit[] | null }>`
    with t as (
      select org_id, id, label, token_hash, last_used_at from scim_tokens where token_hash = ${hash}
    ), hit as (
      insert into rate_limit_counters as c (key, window_start, hits, expires_at)
      select k.key, ${start}, 1, ${end}
      from t cross join lateral (values (1, 'scim-token:' || t.id::text), (2, 'org:' || t.org_id::text)) as k(ord, key)
      where (k.ord = 1 and ${charge.token}) or (k.ord = 2 and ${charge.org})
      order by k.ord
      ${BUMP}
    )
    select t.*, (select json_agg(json_build_object('key', key, 'hits', hits, 'reset_in', reset_in)) from hit) as hits from t
  `.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const { hits, ...token } = row;
  return { token, hits: (hits ?? []).map(toHit) };
}
