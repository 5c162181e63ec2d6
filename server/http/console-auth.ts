import type { Request, RequestHandler, Response } from "express";
import type { Kysely } from "kysely";
import type { Actor } from "../domain/actor.ts";
import { type AdminAccess, accessOfRoles, OPERATOR_ACCESS } from "../domain/admin-access.ts";
import { isLiveOperatorSession } from "../domain/operator-sessions.ts";
import type { Roles } from "../domain/roles.ts";
import { getSignedInUser } from "../domain/sessions.ts";
import { constantTimeEqual } from "../lib/secrets.ts";
import type { Database } from "../storage/tables.ts";
import { clearOperatorCookie, clearSessionCookie, OPERATOR_COOKIE, readCookie, SESSION_COOKIE } from "./console-cookies.ts";
import { assertCsrf } from "./csrf.ts";
import { HttpError } from "./error-map.ts";

/** Who is calling the admin API, and how they proved it. */
export interface ConsoleCaller {
  access: AdminAccess;
  /** A cookie credential carries its secret: the CSRF token derives from it. */
  credential: { type: "bearer" } | { type: "operator-cookie"; secret: string } | { type: "session-cookie"; secret: string };
  user?: { id: string; userName: string; roles: Roles } | undefined;
  organization?: { id: string; name: string } | undefined;
}

export interface ConsoleAuthDeps {
  db: Kysely<Database>;
  adminToken: string | undefined;
  publicUrl: string;
}

/**
 * Authenticates an admin-API request, by the first credential present:
 * 1. `Authorization: Bearer <ADMIN_TOKEN>`: the operator (a wrong token is 401,
 *    never a fall back to cookies: a script that sends a header meant that header);
 * 2. the `sg_operator` cookie of a live operator session;
 * 3. the `sg_session` cookie of a SAML sign-in, whose user must hold an
 *    administrator role (403 not_an_admin otherwise).
 * Undefined when there is no live credential (cookies that ended are cleared).
 */
export async function authenticateConsole(req: Request, res: Response, deps: ConsoleAuthDeps): Promise<ConsoleCaller | undefined> {
  const { db, adminToken } = deps;
  const secure = deps.publicUrl.startsWith("https:");
  const authorization = req.get("authorization");
  if (authorization !== undefined) {
    if (!adminToken) refuse(res, "admin_disabled", DISABLED);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match || !constantTimeEqual(match[1]!, adminToken)) refuse(res, "unauthorized", "Authorization: Bearer <ADMIN_TOKEN> is required");
    return { access: OPERATOR_ACCESS, credential: { type: "bearer" } };
  }

  const operatorSecret = readCookie(req, OPERATOR_COOKIE);
  if (operatorSecret && (await isLiveOperatorSession(db, adminToken, operatorSecret))) {
    return { access: OPERATOR_ACCESS, credential: { type: "operator-cookie", secret: operatorSecret } };
  }
  const sessionSecret = readCookie(req, SESSION_COOKIE);
  const me = sessionSecret ? await getSignedInUser(db, sessionSecret) : undefined;
  if (sessionSecret && me) {
    const access = accessOfRoles(me.roles);
    if (!access) {
      throw new HttpError(
        403,
        "not_an_admin",
        `${me.userName} has no administrator role in ${me.organization.name}; ask one of its administrators for one`,
      );
    }
    return {
      access,
      credential: { type: "session-cookie", secret: sessionSecret },
      user: { id: me.id, userName: me.userName, roles: me.roles },
      organization: me.organization,
    };
  }
  // Cookies of sessions that ended: the browser may as well forget them.
  if (req.headers.cookie?.includes(`${OPERATOR_COOKIE}=`)) clearOperatorCookie(res, secure);
  if (sessionSecret) clearSessionCookie(res, secure);
  return undefined;
}

const DISABLED = "The operator API is disabled: start the server with ADMIN_TOKEN set (organization administrators sign in with SAML)";

/**
 * Every /admin/v1 route after the session endpoints: authenticates (401 when
 * nothing is presented), records the caller and the audit actor, and refuses a
 * cookie-authenticated change without its CSRF token.
 */
export function consoleAuth(deps: ConsoleAuthDeps): RequestHandler {
  const publicOrigin = new URL(deps.publicUrl).origin;
  return async (req, res, next) => {
    res.set("Cache-Control", "no-store");
    const caller = await authenticateConsole(req, res, deps);
    if (!caller) {
      if (readCookie(req, OPERATOR_COOKIE) || readCookie(req, SESSION_COOKIE)) {
        refuse(res, "unauthenticated", "Your session has ended; sign in again");
      }
      if (!deps.adminToken) refuse(res, "admin_disabled", DISABLED);
      refuse(res, "unauthorized", "Authorization: Bearer <ADMIN_TOKEN> is required, or sign in to the console at /admin/");
    }
    setConsoleCaller(res, caller);
    if (caller.credential.type !== "bearer") assertCsrf(req, caller.credential.secret, publicOrigin);
    next();
  };
}

export function setConsoleCaller(res: Response, caller: ConsoleCaller): void {
  res.locals.console = caller;
  // What every route's audit records: operator writes stay "operator".
  res.locals.actor = (
    caller.access.kind === "operator" ? { kind: "operator" } : { kind: "admin", orgId: caller.organization!.id, userId: caller.user!.id, userName: caller.user!.userName }
  ) satisfies Actor;
}

export function consoleCallerOf(res: Response): ConsoleCaller {
  const caller = (res.locals as { console?: ConsoleCaller }).console;
  if (!caller) throw new Error("No console caller: mount consoleAuth before this router");
  return caller;
}

// RFC 7235 §3.1: every 401 carries a challenge.
export function refuse(res: Response, code: string, message: string): never {
  res.set("WWW-Authenticate", 'Bearer realm="admin"');
  throw new HttpError(401, code, message);
}
