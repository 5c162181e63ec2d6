import type { RequestHandler } from "express";

/**
 * The default for everything this server answers (JSON, XML, redirects, errors):
 * nothing may load, frame it, or be submitted elsewhere. A router that serves
 * pages (the console at /admin) overrides the CSP with what its pages need.
 */
export const DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Two years: the HSTS preload list's minimum is one. No includeSubDomains: other hosts of the domain are not ours to pin. */
const HSTS = "max-age=63072000";

/**
 * Security headers on every response, set before any router runs:
 * - X-Content-Type-Options: nosniff — a JSON error echoing input is never sniffed into HTML;
 * - Referrer-Policy: no-referrer — console and SSO URLs carry org ids and return paths;
 * - X-Frame-Options: DENY and CSP frame-ancestors 'none' — no clickjacking (old and new browsers);
 * - Cross-Origin-Opener-Policy: same-origin — no cross-window handle on our pages;
 * - Strict-Transport-Security when the server is published over https.
 */
export function securityHeaders({ publicUrl }: { publicUrl: string }): RequestHandler {
  const headers: [string, string][] = [
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "no-referrer"],
    ["X-Frame-Options", "DENY"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Content-Security-Policy", DEFAULT_CSP],
  ];
  if (publicUrl.startsWith("https:")) headers.push(["Strict-Transport-Security", HSTS]);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
