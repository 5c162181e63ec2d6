import type { Kysely } from "kysely";
import { type CounterHit, hitCounters, pruneCounters } from "../storage/rate-limit-repo.ts";
import type { Database } from "../storage/tables.ts";

/** What is limited: one SCIM token, one organization (all its tokens), one sign-in client address. */
export type RateLimitScope = "token" | "org" | "sso_client";

/** Limits per fixed window; 0 turns a limit off. */
export interface RateLimitSettings {
  windowSeconds: number;
  perToken: number;
  perOrg: number;
  perSsoClient: number;
}

/** One counter a request is charged to. */
export interface Budget {
  scope: RateLimitScope;
  /** Who within the scope: a token id, an organization id, a client address. */
  id: string;
  /** Requests allowed per window; 0 means unlimited (not even counted). */
  limit: number;
}

export type RateDecision =
  | { allowed: true }
  | { allowed: false; scope: RateLimitScope; limit: number; windowSeconds: number; retryAfterSeconds: number };

export interface RateLimiter {
  readonly windowSeconds: number;
  /**
   * Charges one request to every budget that has a limit and refuses it when
   * any of them is over. Refused requests count too, so a client that ignores
   * Retry-After stays refused until the window ends. `weight` charges that many
   * requests at once (a Bulk request counts as its operations).
   */
  take(budgets: readonly Budget[], weight?: number): Promise<RateDecision>;
  /**
   * Judges counts already taken elsewhere (the SCIM token lookup bumps its
   * counters in its own statement) against the budgets, as take() does.
   */
  settle(budgets: readonly Budget[], hits: readonly CounterHit[]): RateDecision;
}

export interface RateLimiterOptions {
  windowSeconds: number;
  /** Called for each refusal (metrics). */
  onRefused?: (scope: RateLimitScope) => void;
  /** Pruning runs off the request path; its failures are reported here, never to a client. */
  onPruneError?: (err: unknown) => void;
}

/**
 * Fixed-window counters in the database, shared by every server process: any
 * number of processes on one PostgreSQL enforce one limit. A fixed window lets
 * a client send up to twice the limit across a window boundary; what matters
 * here is the sustained rate, and Retry-After is exact (the window's end).
 */
export function createRateLimiter(db: Kysely<Database>, options: RateLimiterOptions): RateLimiter {
  const { windowSeconds } = options;
  let nextPruneAt = 0;

  // Ended windows are deleted at most once per window per process, after a
  // request and without holding it up: the table stays as small as the set of
  // keys active in the last two windows.
  const pruneNow = () => {
    const now = Date.now();
    if (now < nextPruneAt) return;
    nextPruneAt = now + windowSeconds * 1000;
    pruneCounters(db).catch((err: unknown) => options.onPruneError?.(err));
  };

  const settle = (budgets: readonly Budget[], hits: readonly CounterHit[]): RateDecision => {
    const limited = budgets.filter((b) => b.limit > 0);
    if (limited.length === 0) return { allowed: true };
    pruneNow();
    const byKey = new Map(hits.map((h) => [h.key, h]));
    // The first budget over its limit is reported: callers list the most specific first.
    for (const b of limited) {
      const hit = byKey.get(keyOf(b));
      if (hit && hit.hits > b.limit) {
        options.onRefused?.(b.scope);
        return { allowed: false, scope: b.scope, limit: b.limit, windowSeconds, retryAfterSeconds: hit.resetInSeconds };
      }
    }
    return { allowed: true };
  };

  return {
    windowSeconds,
    settle,
    async take(budgets, weight = 1) {
      const limited = budgets.filter((b) => b.limit > 0);
      if (limited.length === 0) return { allowed: true };
      return settle(limited, await hitCounters(db, limited.map(keyOf), windowSeconds, weight));
    },
  };
}

const KEY_PREFIX: Record<RateLimitScope, string> = { token: "scim-token", org: "org", sso_client: "sso-client" };

const keyOf = (b: Budget): string => `${KEY_PREFIX[b.scope]}:${b.id}`;

/** "minute" or "30 seconds", for messages that tell a client which limit it hit. */
export function describeWindow(windowSeconds: number): string {
  if (windowSeconds === 60) return "minute";
  if (windowSeconds === 3600) return "hour";
  return windowSeconds === 1 ? "second" : `${windowSeconds} seconds`;
}
