import express, { Router } from "express";
import type { Kysely } from "kysely";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/tables.ts";
import { scimAuth } from "./auth.ts";
import { discoveryRouter } from "./discovery.ts";
import { scimErrorHandler } from "./error-map.ts";
import { groupsRouter } from "./groups-routes.ts";
import { ScimError } from "./scim-error.ts";
import { usersRouter } from "./users-routes.ts";

/** Largest request body accepted (SCIM resources are small; bulk has its own limit). */
export const MAX_BODY_BYTES = 1_048_576;

export interface ScimRouterDeps {
  db: Kysely<Database>;
  /** Absolute base URL of this router, e.g. https://scim.example.com/scim/v2 */
  baseUrl: string;
  logger: Logger;
}

/** The SCIM 2.0 service at /scim/v2: auth, body parsing, resources, discovery, one error map. */
export function scimRouter({ db, baseUrl, logger }: ScimRouterDeps): Router {
  const r = Router();
  r.use(scimAuth(db, baseUrl));
  // RFC 7644 §3.1: application/scim+json; application/json is accepted too (Okta, Entra send either).
  r.use(express.json({ type: ["application/scim+json", "application/json", "application/*+json"], limit: MAX_BODY_BYTES, strict: false }));
  r.use(requireJsonBody);
  r.use("/Users", usersRouter());
  r.use("/Groups", groupsRouter());
  r.use(discoveryRouter());
  r.all("/Me", () => {
    throw new ScimError(501, undefined, "/Me is not supported: SCIM callers here are identity providers, not users");
  });
  r.all("/Bulk", () => {
    throw new ScimError(501, undefined, "Bulk operations are not supported yet (see /ServiceProviderConfig)");
  });
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
