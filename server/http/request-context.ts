import type { Request, RequestHandler, Response } from "express";
import { isUuid, uuidv7 } from "../lib/ids.ts";
import type { Logger } from "../logger.ts";

/** What one finished request looks like to the access log and the metrics. */
export interface RequestSample {
  method: string;
  /** The route pattern (`/scim/v2/Users/:id`), never the raw URL: bounded label cardinality. */
  route: string;
  /** The path without the query string (queries may carry filters with personal data). */
  path: string;
  status: number;
  durationSeconds: number;
  requestId: string;
  orgId: string | undefined;
  /** The client went away before the response was sent. */
  aborted: boolean;
  /** The operations of a SCIM Bulk request, each with its own outcome. */
  bulkOperations?: BulkOperationSample[] | undefined;
}

/** One operation of a Bulk request: method and path relative to the SCIM base (`/Users/…`). */
export interface BulkOperationSample {
  method: string;
  path: string;
  status: number;
}

export const REQUEST_ID_HEADER = "X-Request-Id";

// A caller's id is echoed in a header and in logs: only a short, plain token is
// safe there (no header or log injection, no unbounded length).
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface RequestContextOptions {
  logger: Logger;
  /** Called once per request when it ends (metrics). */
  onComplete?: (sample: RequestSample) => void;
}

/**
 * First middleware of the app: gives every request an id (the caller's
 * X-Request-Id when it is a sane token, a fresh UUIDv7 otherwise), echoes it on
 * the response, and writes one JSON access-log line when the request ends. The
 * line holds no headers, cookies, bodies or query strings: those are where
 * tokens, passwords and SAML assertions travel.
 */
export function requestContext({ logger, onComplete }: RequestContextOptions): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.get(REQUEST_ID_HEADER);
    const requestId = incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : uuidv7();
    res.locals.requestId = requestId;
    res.set(REQUEST_ID_HEADER, requestId);
    const route = trackRoute(req);
    const path = req.path;
    const method = req.method;

    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const sample: RequestSample = {
        method,
        route: route.pattern() ?? unmatchedRoute(path, res.statusCode),
        path,
        status: res.statusCode,
        durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
        requestId,
        orgId: orgIdOf(res),
        aborted: !res.writableFinished,
        bulkOperations: (res.locals as { bulkOperations?: BulkOperationSample[] }).bulkOperations,
      };
      logger.info(
        {
          requestId,
          method,
          path,
          route: sample.route,
          status: sample.status,
          durationMs: Math.round(sample.durationSeconds * 1e4) / 10,
          ...(sample.orgId ? { orgId: sample.orgId } : {}),
          ...(sample.aborted ? { aborted: true } : {}),
        },
        "request",
      );
      onComplete?.(sample);
    };
    res.once("finish", finish);
    res.once("close", finish);
    next();
  };
}

function orgIdOf(res: Response): string | undefined {
  const locals = res.locals as { scim?: { orgId?: string }; actor?: { orgId?: string } };
  return locals.scim?.orgId ?? locals.actor?.orgId;
}

/**
 * Express 5 sets `req.route` when a route matches but keeps only the last
 * router's part of the pattern, and restores `req.baseUrl` as the request
 * leaves each router; by the time the response ends neither says which route
 * ran. So the moment the router assigns `req.route`, the mount prefix in force
 * is recorded with it. The prefix holds real values for mount parameters
 * (`/admin/v1/orgs/<uuid>`), which are folded back into placeholders.
 */
function trackRoute(req: Request): { pattern(): string | undefined } {
  let route: unknown;
  let pattern: string | undefined;
  Object.defineProperty(req, "route", {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === "string") pattern = foldIds(req.baseUrl) + (path === "/" && req.baseUrl ? "" : path);
    },
  });
  return { pattern: () => pattern };
}

function foldIds(prefix: string): string {
  const segments = prefix.split("/");
  return segments.map((s, i) => (i > 0 && segments[i - 1] === "orgs" ? ":org" : isUuid(s) ? ":id" : s)).join("/");
}

/** No route ran (refused by a router-level middleware, or nothing there): name the area, not the URL. */
function unmatchedRoute(path: string, status: number): string {
  if (status === 404) return "unmatched";
  for (const area of ["/scim/v2", "/admin/v1"]) if (path === area || path.startsWith(`${area}/`)) return `${area}/*`;
  return "unmatched";
}
