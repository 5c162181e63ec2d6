import { type Kysely, sql } from "kysely";
import { uuidv7 } from "../lib/ids.ts";
import { constantTimeEqual, hashSecret, newSecret } from "../lib/secrets.ts";
import type { CounterHit } from "../storage/rate-limit-repo.ts";
import { findTokenCounting, type TokenCharge } from "../storage/scim-token-auth-repo.ts";
import type { Database } from "../storage/tables.ts";
import { InvalidValueError, NotFoundError } from "./errors.ts";

export interface ScimTokenInfo {
  id: string;
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface ScimCaller {
  orgId: string;
  tokenId: string;
  label: string;
}

/** Creates a token; the secret is returned this once and stored only as a hash. */
export async function createScimToken(
  db: Kysely<Database>,
  orgId: string,
  label: unknown,
): Promise<ScimTokenInfo & { token: string }> {
  if (typeof label !== "string" || !label.trim()) throw new InvalidValueError('"label" must be a non-empty string');
  if (label.length > 200) throw new InvalidValueError('"label" must be at most 200 characters');
  const token = newSecret("scim");
  const row = await db
    .insertInto("scim_tokens")
    .values({ org_id: orgId, id: uuidv7(), label: label.trim(), token_hash: hashSecret(token) })
    .returning(["id", "label", "created_at", "last_used_at"])
    .executeTakeFirstOrThrow();
  return { ...toInfo(row), token };
}

export async function listScimTokens(db: Kysely<Database>, orgId: string): Promise<ScimTokenInfo[]> {
  const rows = await db
    .selectFrom("scim_tokens")
    .select(["id", "label", "created_at", "last_used_at"])
    .where("org_id", "=", orgId)
    .orderBy("id")
    .execute();
  return rows.map(toInfo);
}

/** Revocation deletes the row, so the very next request with the token is refused. */
export async function revokeScimToken(db: Kysely<Database>, orgId: string, tokenId: string): Promise<void> {
  const res = await db
    .deleteFrom("scim_tokens")
    .where("org_id", "=", orgId)
    .where("id", "=", tokenId)
    .executeTakeFirst();
  if (res.numDeletedRows === 0n) throw new NotFoundError("SCIM token", tokenId);
}

// last_used_at is advisory: write it at most once a minute per token, not on every request.
const LAST_USED_GRANULARITY = sql<string>`interval '1 minute'`;
const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * Resolves a presented bearer secret to its organization, or undefined. With
 * `charge`, the request is counted against the token's and the organization's
 * rate-limit counters in the same statement (domain/rate-limiter.ts judges the
 * returned counts): one round trip for what every SCIM request needs first.
 */
export async function authenticateScimToken(
  db: Kysely<Database>,
  presented: string,
  charge?: TokenCharge,
): Promise<(ScimCaller & { hits: CounterHit[] }) | undefined> {
  const hash = hashSecret(presented);
  const found = await findTokenCounting(db, hash, charge);
  const row = found?.token;
  // The lookup is by hash; compare again in constant time so no code path depends on early exit.
  if (!found || !row || !constantTimeEqual(row.token_hash, hash)) return undefined;
  // Skip the write (and its round trip) on every request but the first of each minute.
  const lastUsed = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
  const caller = { orgId: row.org_id, tokenId: row.id, label: row.label, hits: found.hits };
  if (Date.now() - lastUsed < LAST_USED_GRANULARITY_MS) return caller;
  await db
    .updateTable("scim_tokens")
    .set({ last_used_at: sql`now()` })
    .where("org_id", "=", row.org_id)
    .where("id", "=", row.id)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", sql<Date>`now() - ${LAST_USED_GRANULARITY}`)]))
    .execute();
  return caller;
}

function toInfo(r: { id: string; label: string; created_at: Date | string; last_used_at: Date | string | null }): ScimTokenInfo {
  return {
    id: r.id,
    label: r.label,
    createdAt: new Date(r.created_at),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
  };
}
