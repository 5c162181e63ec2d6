import type { Request, Response } from "express";
import type { Kysely } from "kysely";
import type { Actor } from "../domain/actor.ts";
import type { Database } from "../storage/tables.ts";

/**
 * Everything a SCIM handler may use, taken per request (never captured when the
 * app is built): the organization comes from the bearer token, the base URL
 * from the app's configuration.
 */
export interface ScimContext {
  db: Kysely<Database>;
  orgId: string;
  actor: Actor & { kind: "scim-token" };
  /** Absolute SCIM base, e.g. https://scim.example.com/scim/v2 */
  baseUrl: string;
}

export function setScimContext(res: Response, ctx: ScimContext): void {
  res.locals.scim = ctx;
}

export function scimContext(req: Request): ScimContext {
  const ctx = (req.res?.locals as { scim?: ScimContext } | undefined)?.scim;
  if (!ctx) throw new Error("SCIM context missing: the auth middleware did not run");
  return ctx;
}
