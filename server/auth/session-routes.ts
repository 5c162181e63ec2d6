import { Router } from "express";
import type { Kysely } from "kysely";
import { getSignedInUser } from "../domain/sessions.ts";
import { signOut } from "../domain/sign-in.ts";
import type { Database } from "../storage/tables.ts";
import { clearSessionCookie, readSessionCookie } from "./session-cookie.ts";

/**
 * GET /me: the signed-in user, or 401. POST /logout: ends the session (204,
 * also when there was none: signing out is idempotent) and clears the cookie.
 */
export function sessionRouter({ db, publicUrl }: { db: Kysely<Database>; publicUrl: string }): Router {
  const r = Router();
  const secure = publicUrl.startsWith("https:");

  r.get("/me", async (req, res) => {
    res.set("Cache-Control", "no-store");
    const token = readSessionCookie(req);
    const me = await getSignedInUser(db, token);
    if (!me) {
      if (req.headers.cookie?.includes("sg_session=")) clearSessionCookie(res, secure);
      res.status(401).json({ error: "unauthenticated", message: "Not signed in (or the session ended). Sign in: GET /sso/login?email=you@company.com" });
      return;
    }
    res.json(me);
  });

  r.post("/logout", async (req, res) => {
    res.set("Cache-Control", "no-store");
    await signOut(db, readSessionCookie(req));
    clearSessionCookie(res, secure);
    res.status(204).end();
  });
  return r;
}
