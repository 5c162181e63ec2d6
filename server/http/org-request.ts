import type { Request, Response } from "express";
import type { Actor } from "../domain/actor.ts";
import { isUuid } from "../lib/ids.ts";
import { actorOf } from "./actor.ts";
import { HttpError } from "./error-map.ts";

/**
 * The organization named by `:org` in the mount path, and the caller. The
 * organization's existence is the domain's to check (404 from there); here a
 * caller bound to one organization is kept out of every other one (defence in
 * depth: an id it may not see answers exactly like one that does not exist).
 */
export function orgCaller(req: Request, res: Response): { orgId: string; actor: Actor } {
  const id = String((req.params as Record<string, string | undefined>).org);
  const actor = actorOf(res);
  if (!isUuid(id) || ("orgId" in actor && actor.orgId !== id)) {
    throw new HttpError(404, "not_found", `Organization "${id}" not found`);
  }
  return { orgId: id.toLowerCase(), actor };
}

/**
 * The query string as single strings. Unknown parameters are refused (a typo
 * such as `stauts=suspended` must not silently list everyone) and so are
 * repeated ones (which value would win is not obvious to the caller).
 */
export function queryOf<K extends string>(req: Request, allowed: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [key, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (!allowed.includes(key as K)) {
      throw new HttpError(400, "invalid_query", `unknown query parameter "${key}"; this endpoint accepts ${allowed.join(", ")}`);
    }
    if (typeof value !== "string") throw new HttpError(400, "invalid_query", `give the query parameter "${key}" once`);
    out[key as K] = value;
  }
  return out;
}

/** `limit` as a number for the domain to check (a non-number becomes NaN and is refused there). */
export function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
}

export function bodyOf(req: Request, example: string): Record<string, unknown> {
  const body = req.body as unknown;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_body", `Send a JSON object such as ${example} with Content-Type: application/json`);
  }
  return body as Record<string, unknown>;
}
