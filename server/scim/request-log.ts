import type { RequestHandler, Response } from "express";
import type { ScimRequestLog } from "../domain/scim-request-log.ts";
import type { ScimContext } from "./context.ts";

/** What the error a SCIM client received said, noted by sendScim for the request log. */
interface SentError {
  scimType: string | null;
  detail: string | null;
}

const SENT_ERROR = "scimErrorSent";

/** Called by sendScim for every error body it sends. */
export function noteSentError(res: Response, body: unknown): void {
  if (typeof body !== "object" || body === null) return;
  const { scimType, detail } = body as { scimType?: unknown; detail?: unknown };
  res.locals[SENT_ERROR] = {
    scimType: typeof scimType === "string" ? scimType : null,
    detail: typeof detail === "string" ? detail : null,
  } satisfies SentError;
}

/**
 * Records every SCIM request that a token authenticated, when its response
 * ends. Mounted first in the SCIM router, so it sees requests whatever answers
 * them later (rate limits, errors, discovery); a request that no token
 * authenticated has no SCIM context and is not recorded (it belongs to no one).
 * The path keeps its query string (the filter an IdP sent is what an
 * administrator needs to see); bodies and headers are never read.
 */
export function recordScimRequests(log: ScimRequestLog): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const at = new Date();
    const { method, originalUrl } = req;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const ctx = (res.locals as { scim?: ScimContext }).scim;
      if (!ctx) return;
      const sent = (res.locals as Record<string, SentError | undefined>)[SENT_ERROR];
      // The client went away before an answer: 499, as nginx logs it ("client closed request").
      const status = res.headersSent ? res.statusCode : 499;
      log.record({
        orgId: ctx.orgId,
        tokenId: ctx.actor.tokenId,
        at,
        method,
        path: originalUrl,
        status,
        scimType: status >= 400 ? (sent?.scimType ?? null) : null,
        detail: status >= 400 ? (sent?.detail ?? (status === 499 ? "The client closed the connection before the response was sent" : null)) : null,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    };
    res.once("finish", finish);
    res.once("close", finish);
    next();
  };
}
