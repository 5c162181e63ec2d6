import type { RequestHandler } from "express";
import type { Kysely } from "kysely";
import { authenticateScimToken } from "../domain/scim-tokens.ts";
import type { Database } from "../storage/tables.ts";
import { setScimContext } from "./context.ts";
import { ScimError } from "./scim-error.ts";
import { assertWithinRateLimit, chargeOf, type ScimRateLimits } from "./rate-limit.ts";
import { sendScim } from "./send.ts";

/**
 * Bearer-token authentication (RFC 6750). The token alone names the
 * organization, so one SCIM base URL serves every tenant and no request can
 * reach another tenant's data. With rate limits, the same statement that finds
 * the token counts the request (scim/rate-limit.ts judges it).
 */
export function scimAuth(db: Kysely<Database>, baseUrl: string, rateLimit?: ScimRateLimits): RequestHandler {
  const charge = rateLimit && chargeOf(rateLimit);
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    if (!match) return refuse(res, "Authorization: Bearer <token> is required", false);
    const caller = await authenticateScimToken(db, match[1]!, charge);
    if (!caller) return refuse(res, "The bearer token is not valid (unknown or revoked)", true);
    setScimContext(res, {
      db,
      orgId: caller.orgId,
      actor: { kind: "scim-token", orgId: caller.orgId, tokenId: caller.tokenId, label: caller.label },
      baseUrl,
    });
    // After the context is set, so a refusal is logged against its organization and token.
    if (rateLimit) assertWithinRateLimit(rateLimit, caller.orgId, caller.tokenId, caller.hits);
    next();
  };
}

function refuse(res: Parameters<RequestHandler>[1], detail: string, invalidToken: boolean) {
  res.set("WWW-Authenticate", `Bearer realm="scim"${invalidToken ? ', error="invalid_token"' : ""}`);
  sendScim(res, 401, new ScimError(401, undefined, detail).toJSON());
}
