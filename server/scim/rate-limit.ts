import type { Request, RequestHandler } from "express";
import { type Budget, describeWindow, type RateDecision, type RateLimiter } from "../domain/rate-limiter.ts";
import type { CounterHit } from "../storage/rate-limit-repo.ts";
import { scimContext } from "./context.ts";
import { ScimError } from "./scim-error.ts";

export interface ScimRateLimits {
  limiter: RateLimiter;
  /** Requests per window per SCIM token; 0 = unlimited. */
  perToken: number;
  /** Requests per window per organization, all its tokens together; 0 = unlimited. */
  perOrg: number;
}

/** What the token lookup should count (scim/auth.ts): one statement finds the token and bumps its counters. */
export function chargeOf({ limiter, perToken, perOrg }: ScimRateLimits) {
  return { windowSeconds: limiter.windowSeconds, token: perToken > 0, org: perOrg > 0 };
}

/**
 * Judges the counts the token lookup took, right after authentication and
 * before the body is parsed, so a refused request costs nothing more. 429 with
 * Retry-After in seconds: Entra ID and Okta both back off and retry on it
 * (RFC 6585 §4; RFC 7644 §3.12 error body, no scimType fits).
 */
export function assertWithinRateLimit(limits: ScimRateLimits, orgId: string, tokenId: string, hits: readonly CounterHit[]): void {
  refuseIfOver(limits.limiter.settle(budgetsOf(limits, orgId, tokenId), hits));
}

/**
 * A Bulk request counts as its operations, not as one request: otherwise one
 * request of 1,000 creates would cost what a single lookup costs. Mounted after
 * the body is parsed; the request itself was already charged once.
 */
export function scimBulkRateLimit(limits: ScimRateLimits): RequestHandler {
  return async (req, _res, next) => {
    const operations = (req.body as { Operations?: unknown } | undefined)?.Operations;
    const extra = Array.isArray(operations) ? operations.length - 1 : 0;
    if (req.method === "POST" && extra > 0) {
      const { orgId, actor } = scimContext(req as Request);
      refuseIfOver(await limits.limiter.take(budgetsOf(limits, orgId, actor.tokenId), extra));
    }
    next();
  };
}

// Most specific first: the order the counters are written and refusals reported in.
function budgetsOf({ perToken, perOrg }: ScimRateLimits, orgId: string, tokenId: string): Budget[] {
  return [
    { scope: "token", id: tokenId, limit: perToken },
    { scope: "org", id: orgId, limit: perOrg },
  ];
}

function refuseIfOver(decision: RateDecision): void {
  if (decision.allowed) return;
  const who = decision.scope === "token" ? "this SCIM token" : "this organization's SCIM tokens together";
  throw new ScimError(
    429,
    undefined,
    `Rate limit reached: ${who} may make ${decision.limit} requests per ${describeWindow(decision.windowSeconds)} ` +
      `(a Bulk request counts as its operations); retry after ${decision.retryAfterSeconds} seconds (Retry-After)`,
    decision.retryAfterSeconds,
  );
}
