import type { Request, Response } from "express";

/** The operator's console session (sign-in with ADMIN_TOKEN). */
export const OPERATOR_COOKIE = "sg_operator";
/** The SAML session cookie (server/auth/session-cookie.ts sets it; the admin API reads and clears it). */
export const SESSION_COOKIE = "sg_session";

/** A cookie of the request by name (the first one: a name may repeat), if its value is a plain token. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]+$/.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (never sent on a request
 * another site starts: the operator's powers are the widest there are),
 * Path=/admin (only the console and its API see it), Secure over https.
 */
const operatorCookieOptions = (secure: boolean) => ({ httpOnly: true, sameSite: "strict" as const, path: "/admin", secure });

export function setOperatorCookie(res: Response, token: string, expiresAt: Date, secure: boolean): void {
  res.cookie(OPERATOR_COOKIE, token, { ...operatorCookieOptions(secure), expires: expiresAt });
}

export function clearOperatorCookie(res: Response, secure: boolean): void {
  res.clearCookie(OPERATOR_COOKIE, operatorCookieOptions(secure));
}

/** Same attributes as the SAML sign-in sets, or the browser keeps the cookie. */
export function clearSessionCookie(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", path: "/", secure });
}
