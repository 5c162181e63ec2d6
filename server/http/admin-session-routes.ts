import express, { Router } from "express";
import { OPERATOR_ACCESS } from "../domain/admin-access.ts";
import { createFailedSignInThrottle } from "../domain/failed-sign-ins.ts";
import { endOperatorSession, startOperatorSession } from "../domain/operator-sessions.ts";
import { signOut } from "../domain/sign-in.ts";
import { constantTimeEqual } from "../lib/secrets.ts";
import type { Logger } from "../logger.ts";
import { authenticateConsole, type ConsoleAuthDeps, type ConsoleCaller, refuse } from "./console-auth.ts";
import { clearOperatorCookie, clearSessionCookie, OPERATOR_COOKIE, readCookie, setOperatorCookie } from "./console-cookies.ts";
import { assertCsrf, csrfTokenOf } from "./csrf.ts";
import { HttpError } from "./error-map.ts";

export interface AdminSessionRouterDeps extends ConsoleAuthDeps {
  logger: Logger;
}

/** Ten wrong tokens per client address per quarter hour, then 429 until the quarter hour ends. */
const FAILED_SIGN_INS = { scope: "operator-sign-in", limit: 10, windowSeconds: 15 * 60 };

/**
 * The console's session, mounted at /admin/v1 ahead of consoleAuth:
 *   POST   /session/operator {"token": "<ADMIN_TOKEN>"}  operator sign-in: sets the sg_operator cookie
 *   GET    /session                                     who is signed in, with what access, and the CSRF token
 *   DELETE /session                                     signs out the session of the cookie used
 */
export function adminSessionRouter(deps: AdminSessionRouterDeps): Router {
  const { db, logger } = deps;
  const r = Router();
  const secure = deps.publicUrl.startsWith("https:");
  const publicOrigin = new URL(deps.publicUrl).origin;
  const failures = createFailedSignInThrottle(db, FAILED_SIGN_INS);

  r.use("/session", (_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });

  r.post("/session/operator", express.json({ limit: "4kb" }), async (req, res) => {
    // No session yet, so no CSRF token; a cross-site page still must not sign a browser in.
    const origin = req.get("origin");
    if (origin !== undefined && origin !== publicOrigin) throw new HttpError(403, "csrf", "Cross-origin sign-in refused");
    const client = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const wait = await failures.retryAfterSeconds(client);
    if (wait > 0) {
      res.set("Retry-After", String(wait));
      throw new HttpError(429, "rate_limited", `Too many failed sign-ins from your address; retry after ${wait} seconds`);
    }
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== "string") {
      throw new HttpError(400, "invalid_body", 'Send {"token": "<ADMIN_TOKEN>"} with Content-Type: application/json');
    }
    if (!deps.adminToken) refuse(res, "admin_disabled", "Operator sign-in is disabled: start the server with ADMIN_TOKEN set");
    if (!constantTimeEqual(token, deps.adminToken)) {
      await failures.fail(client);
      logger.warn({ requestId: res.locals.requestId }, "operator sign-in refused: wrong token");
      refuse(res, "unauthorized", "That is not the ADMIN_TOKEN");
    }
    await endOperatorSession(db, readCookie(req, OPERATOR_COOKIE));
    const session = await startOperatorSession(db, deps.adminToken);
    setOperatorCookie(res, session.token, session.expiresAt, secure);
    logger.info({ requestId: res.locals.requestId, expiresAt: session.expiresAt.toISOString() }, "operator signed in to the console");
    res.json(sessionJson({ access: OPERATOR_ACCESS, credential: { type: "operator-cookie", secret: session.token } }));
  });

  r.get("/session", async (req, res) => {
    const caller = await authenticateConsole(req, res, deps);
    if (!caller) refuse(res, "unauthenticated", NOT_SIGNED_IN);
    res.json(sessionJson(caller));
  });

  r.delete("/session", async (req, res) => {
    const caller = await authenticateConsole(req, res, deps);
    if (!caller) refuse(res, "unauthenticated", NOT_SIGNED_IN);
    const credential = caller.credential;
    if (credential.type === "operator-cookie") {
      assertCsrf(req, credential.secret, publicOrigin);
      await endOperatorSession(db, credential.secret);
      clearOperatorCookie(res, secure);
    } else if (credential.type === "session-cookie") {
      assertCsrf(req, credential.secret, publicOrigin);
      await signOut(db, credential.secret);
      clearSessionCookie(res, secure);
    }
    // A Bearer call has no session: nothing to end.
    res.status(204).end();
  });
  return r;
}

const NOT_SIGNED_IN = "Not signed in (or the session ended): sign in with your organization's SSO, or as the operator";

function sessionJson(caller: ConsoleCaller) {
  const { access, credential, user, organization } = caller;
  return {
    kind: access.kind,
    // Bearer calls need no CSRF token, and have no session to derive one from.
    csrfToken: credential.type === "bearer" ? null : csrfTokenOf(credential.secret),
    user: user ? { id: user.id, userName: user.userName } : null,
    organization: organization ? { id: organization.id, name: organization.name } : null,
    access: access.access,
    permissions: access.permissions,
    role: access.role,
    groupScope: access.groupScope ?? null,
  };
}
