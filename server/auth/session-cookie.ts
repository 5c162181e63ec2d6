import type { Request, Response } from "express";

export const SESSION_COOKIE = "sg_session";

/** The session cookie of the request, if any (the first one: a cookie name may repeat). */
export function readSessionCookie(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]+$/.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * HttpOnly (no script can read it), SameSite=Lax (not sent on cross-site
 * POSTs, so no CSRF on /logout; still sent on the top-level redirect after
 * the IdP's POST to the ACS), Path=/, Secure whenever PUBLIC_URL is https.
 */
export function setSessionCookie(res: Response, token: string, expiresAt: Date, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure,
    expires: expiresAt,
  });
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", path: "/", secure });
}
