import { createHmac } from "node:crypto";
import type { Request } from "express";
import { isSafeMethod } from "../domain/admin-access.ts";
import { constantTimeEqual } from "../lib/secrets.ts";
import { HttpError } from "./error-map.ts";

export const CSRF_HEADER = "X-CSRF-Token";
const LABEL = "scim-gate admin console csrf v1";

/**
 * The CSRF token of a session: an HMAC of a fixed label keyed by the session's
 * cookie secret. Nothing to store, the same for the whole session, useless
 * after it ends, and unguessable without the cookie (which scripts cannot read).
 */
export function csrfTokenOf(sessionSecret: string): string {
  return createHmac("sha256", sessionSecret).update(LABEL, "utf8").digest("base64url");
}

/**
 * Refuses a state-changing request authenticated by a cookie unless it carries
 * the session's CSRF token, and one whose Origin (when the browser sends it)
 * is not ours. Bearer calls are not at risk: a browser never adds the header by itself.
 */
export function assertCsrf(req: Request, sessionSecret: string, publicOrigin: string): void {
  if (isSafeMethod(req.method)) return;
  const origin = req.get("origin");
  if (origin !== undefined && origin !== publicOrigin) {
    throw new HttpError(403, "csrf", `Cross-origin request refused: Origin ${origin.slice(0, 200)} is not ${publicOrigin}`);
  }
  const presented = req.get(CSRF_HEADER);
  if (!presented || !constantTimeEqual(presented, csrfTokenOf(sessionSecret))) {
    throw new HttpError(
      403,
      "csrf",
      `Missing or wrong ${CSRF_HEADER} header: send the csrfToken of GET /admin/v1/session with every change`,
    );
  }
}
