import express, { Router } from "express";
import type { Kysely } from "kysely";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/tables.ts";
import { scimAuth } from "./auth.ts";
import { bulkJsonParser, bulkRouter } from "./bulk/bulk-routes.ts";
import { discoveryRouter } from "./discovery.ts";
import { scimErrorHandler } from "./error-map.ts";
import type { ScimRequestLog } from "../domain/scim-request-log.ts";
import { recordScimRequests } from "./request-log.ts";
import { groupsRouter } from "./groups-routes.ts";
import { type ScimRateLimits, scimBulkRateLimit } from "./rate-limit.ts";
import { ScimError } from "./scim-error.ts";
import { usersRouter } from "./users-routes.ts";

/** Largest request body accepted (SCIM resources are small; bulk has its own limit). */
export const MAX_BODY_BYTES = 1_048_576;

const JSON_TYPES = ["application/scim+json", "application/json", "application/*+json"];
// Matched as Express matches the route: case-insensitively, trailing slash or not.
const BULK_PATH = /^\/bulk\/?$/i;

export interface ScimRouterDeps {
  db: Kysely<Database>;
  /** Absolute base URL of this router, e.g. https://scim.example.com/scim/v2 */
  baseUrl: string;
  logger: Logger;
  /** Records each token-authenticated request for the console's provisioning page. */
  requestLog?: ScimRequestLog | undefined;
  /** Per-token and per-organization limits; absent means unlimited. */
  rateLimit?: ScimRateLimits | undefined;
}

/** The SCIM 2.0 service at /scim/v2: auth, body parsing, resources, discovery, one error map. */
export function scimRouter({ db, baseUrl, logger, requestLog, rateLimit }: ScimRouterDeps): Router {
  const r = Router();
  // First, so that whatever answers the request later is recorded.
  if (requestLog) r.use(recordScimRequests(requestLog));
  // Counted against the rate limits by the token lookup itself, before the body is read.
  r.use(scimAuth(db, baseUrl, rateLimit));
  // RFC 7644 §3.1: application/scim+json; application/json is accepted too (Okta, Entra send either).
  const parseJson = express.json({ type: JSON_TYPES, limit: MAX_BODY_BYTES, strict: false });
  // /Bulk carries up to maxOperations resources: its own, larger limit (bulk/limits.ts).
  const parseBulkJson = bulkJsonParser(JSON_TYPES);
  r.use((req, res, next) => (BULK_PATH.test(req.path) ? parseBulkJson : parseJson)(req, res, next));
  r.use(requireJsonBody);
  if (rateLimit) r.use(BULK_PATH, scimBulkRateLimit(rateLimit));
  r.use("/Users", usersRouter());
  r.use("/Groups", groupsRouter());
  r.use(discoveryRouter());
  r.all("/Me", () => {
    throw new ScimError(501, undefined, "/Me is not supported: SCIM callers here are identity providers, not users");
  });
  r.use("/Bulk", bulkRouter({ logger }));
  r.use((req) => {
    throw new ScimError(404, undefined, `No SCIM endpoint at ${req.method} ${req.baseUrl}${req.path}`);
  });
  r.use(scimErrorHandler(logger));
  return r;
}

/** A write with a body that is not JSON gets a clear error instead of an empty-body failure later. */
const requireJsonBody: express.RequestHandler = (req, _res, next) => {
  const writes = req.method === "POST" || req.method === "PUT" || req.method === "PATCH";
  if (writes && !req.path.endsWith("/.search") && req.body === undefined) {
    throw new ScimError(
      400,
      "invalidSyntax",
      `The request needs a JSON body with Content-Type: application/scim+json (got ${req.get("content-type") ?? "none"})`,
    );
  }
  next();
};
