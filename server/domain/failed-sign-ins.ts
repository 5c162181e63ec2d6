import type { Kysely } from "kysely";
import { hitCounters, pruneCounters } from "../storage/rate-limit-repo.ts";
import type { Database } from "../storage/tables.ts";

export interface FailedSignInThrottle {
  /** Seconds until this client may try again, or 0 when it may try now. */
  retryAfterSeconds(client: string): Promise<number>;
  /** Counts one failed attempt of this client. */
  fail(client: string): Promise<void>;
}

/**
 * Counts failed sign-ins per client address where one right guess unlocks
 * everything (the operator's ADMIN_TOKEN). The counters are the rate limiter's
 * table, so every server process shares them: N processes do not give an
 * attacker N times the guesses. Only failures count, so an operator signing in
 * often is never refused.
 */
export function createFailedSignInThrottle(
  db: Kysely<Database>,
  { scope, limit, windowSeconds }: { scope: string; limit: number; windowSeconds: number },
): FailedSignInThrottle {
  const keyOf = (client: string) => `${scope}:${client}`;
  let nextPruneAt = 0;
  return {
    async retryAfterSeconds(client) {
      // A weight of 0 reads the current window's count in the same statement that counts.
      const [hit] = await hitCounters(db, [keyOf(client)], windowSeconds, 0);
      return hit && hit.hits >= limit ? hit.resetInSeconds : 0;
    },
    async fail(client) {
      await hitCounters(db, [keyOf(client)], windowSeconds, 1);
      if (Date.now() >= nextPruneAt) {
        nextPruneAt = Date.now() + windowSeconds * 1000;
        // Off the request path; a failed prune only leaves ended rows for the next one.
        pruneCounters(db).catch(() => undefined);
      }
    },
  };
}
