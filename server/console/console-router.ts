import { type Response, Router } from "express";
import type { Logger } from "../logger.ts";
import { consoleBundle } from "./bundle.ts";
import { indexHtml } from "./index-html.ts";

/**
 * The console's pages: same-origin script, style and API calls only; no
 * inline script or style, no eval, no plugins, no framing, forms post only
 * here. img data: is for the favicon.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const BASE = "/admin";
const YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * The browser admin console, mounted at /admin after the admin API
 * (/admin/v1): every other GET under /admin answers the single-page app's
 * index.html (history routing: /admin/orgs/<id>/users/<id> is a real
 * address), and /admin/assets/<hashed name> its bundle. The bundle is built
 * when the router is created, i.e. at server start.
 */
export function adminConsoleRouter({ logger }: { logger: Logger }): Router {
  const r = Router();
  const bundle = consoleBundle();
  bundle.catch((err: unknown) => logger.error({ err }, "the admin console could not be built; /admin answers 500"));

  r.use((req, _res, next) => {
    // The API's own unknown paths stay the API's 404, not a page.
    if (req.path === "/v1" || req.path.startsWith("/v1/")) next("router");
    else next();
  });

  r.get("/assets/:file", async (req, res, next) => {
    const b = await bundle;
    const asset = [b.script, b.style].find((a) => a.name === req.params.file);
    if (!asset) return next();
    securityHeaders(res);
    res.set("Cache-Control", `public, max-age=${YEAR_SECONDS}, immutable`).type(asset.contentType).send(asset.body);
  });

  r.get("/{*path}", async (req, res, next) => {
    if (req.path.startsWith("/assets/")) return next();
    const html = indexHtml(await bundle, BASE);
    securityHeaders(res);
    res.set("Cache-Control", "no-store").type("html").send(html);
  });
  return r;
}

/**
 * The app-wide headers (http/security-headers.ts: nosniff, no-referrer, DENY,
 * COOP, HSTS) stay; the console's pages replace only the default CSP, which
 * lets nothing load, with the one above. Repeated here so the page is never
 * served without them, whatever is mounted in front.
 */
function securityHeaders(res: Response): void {
  res.set({
    "Content-Security-Policy": CONSOLE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
  });
}
