const MAX_LENGTH = 2048;
const BASE = "https://relay-state.invalid";

/**
 * The return path after sign-in (RelayState, or `returnTo` at login). Only a
 * same-site relative path is honoured: it starts with one "/", has no "//"
 * prefix (protocol-relative), no backslash (browsers read "/\evil.com" as
 * "//evil.com"), no control characters or whitespace (browsers drop tabs and
 * newlines, so "/\t/evil.com" would become "//evil.com"), and resolving it
 * must not leave our origin. Anything else becomes "/": an open redirect
 * after a successful sign-in is a phishing tool.
 */
export function safeReturnPath(raw: unknown): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_LENGTH) return "/";
  if (!raw.startsWith("/") || raw.startsWith("//")) return "/";
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw)) return "/";
  try {
    const url = new URL(raw, BASE);
    if (url.origin !== BASE) return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
