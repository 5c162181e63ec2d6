import type { RequestHandler, Response } from "express";
import type { Actor } from "../domain/actor.ts";
import { constantTimeEqual } from "../lib/secrets.ts";
import { HttpError } from "./error-map.ts";

/**
 * The operator API is guarded by ADMIN_TOKEN. With no token configured every
 * call is refused (fail closed); the start-up log tells the operator how to set it.
 */
export function operatorAuth(adminToken: string | undefined): RequestHandler {
  return (req, res, next) => {
    res.set("Cache-Control", "no-store");
    if (!adminToken) {
      refuse(res, "admin_disabled", "The operator API is disabled: start the server with ADMIN_TOKEN set");
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    if (!match || !constantTimeEqual(match[1]!, adminToken)) {
      refuse(res, "unauthorized", "Authorization: Bearer <ADMIN_TOKEN> is required");
    }
    res.locals.actor = { kind: "operator" } satisfies Actor;
    next();
  };
}

// RFC 7235 §3.1: every 401 carries a challenge, the "disabled" one included.
function refuse(res: Response, code: string, message: string): never {
  res.set("WWW-Authenticate", 'Bearer realm="admin"');
  throw new HttpError(401, code, message);
}
