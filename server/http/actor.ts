import type { Response } from "express";
import type { Actor } from "../domain/actor.ts";

const KINDS = new Set<Actor["kind"]>(["operator", "scim-token", "admin", "system"]);

/**
 * The caller of this request, as the authentication middleware recorded it in
 * `res.locals.actor`. A route that needs an actor must never run without one,
 * so a missing or malformed actor is a wiring bug: it throws (a 500), it never
 * falls back to a default caller.
 */
export function actorOf(res: Response): Actor {
  const actor = (res.locals as { actor?: unknown }).actor;
  if (typeof actor !== "object" || actor === null || !KINDS.has((actor as { kind?: unknown }).kind as Actor["kind"])) {
    throw new Error("No actor on this request: mount the authentication middleware (which sets res.locals.actor) before this router");
  }
  return actor as Actor;
}
