import type { Request, RequestHandler } from "express";
import { describeWindow, type RateLimiter } from "../domain/rate-limiter.ts";
import { scimContext } from "./context.ts";
import { ScimError } from "./scim-error.ts";

export interface ScimRateLimits {
  limiter: RateLimiter;
  /** Requests per window per SCIM token; 0 = unlimited. */
  perToken: number;
  /** Requests per window per organization, all its tokens together; 0 = unlimited. */
  perOrg: number;
}

/**
 * Runs right after bearer authentication (the token names the organization)
 * and before the body is parsed, so a refused request costs one small
 * statement. 429 with Retry-After in seconds: Entra ID and Okta both back off
 * and retry on it (RFC 6585 §4; RFC 7644 §3.12 error body, no scimType fits).
 */
export function scimRateLimit(limits: ScimRateLimits): RequestHandler {
  return async (req, _res, next) => {
    await charge(limits, req, 1);
    next();
  };
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
    if (req.method === "POST" && extra > 0) await charge(limits, req, extra);
    next();
  };
}

async function charge({ limiter, perToken, perOrg }: ScimRateLimits, req: Request, weight: number): Promise<void> {
  const { orgId, actor } = scimContext(req);
  const decision = await limiter.take(
    [
      { scope: "token", id: actor.tokenId, limit: perToken },
      { scope: "org", id: orgId, limit: perOrg },
    ],
    weight,
  );
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
