import express, { type RequestHandler, Router } from "express";
import type { Logger } from "../../logger.ts";
import { scimContext } from "../context.ts";
import { ScimError } from "../scim-error.ts";
import { sendScim } from "../send.ts";
import { BULK_MAX_PAYLOAD_BYTES } from "./limits.ts";
import { parseBulkRequest, payloadTooLarge } from "./request.ts";
import { runBulk } from "./run.ts";

/**
 * POST /Bulk (RFC 7644 §3.7). The caller was authenticated once for the whole
 * request; each operation then runs as its single request would. The answer is
 * 200 with a BulkResponse whenever the request itself was valid, whatever its
 * operations' outcomes (§3.7.3).
 */
export function bulkRouter({ logger }: { logger: Logger }): Router {
  const r = Router();
  r.post("/", async (req, res) => {
    const ctx = scimContext(req);
    const request = parseBulkRequest(req.body);
    const response = await runBulk(ctx, request, (err, operation) =>
      logger.error({ err, requestId: res.locals.requestId, operation }, "unhandled error in a SCIM bulk operation"),
    );
    // For the metrics (http/request-context.ts reads res.locals.bulkOperations):
    // each operation counts as the single write it stands for.
    res.locals.bulkOperations = response.Operations.map((result, i) => ({
      method: String(request.operations[i]?.method ?? "").toUpperCase(),
      path: typeof request.operations[i]?.path === "string" ? (request.operations[i]!.path as string) : "",
      status: Number(result.status),
    }));
    sendScim(res, 200, response);
  });
  r.all("/", (_req, res) => {
    res.set("Allow", "POST");
    throw new ScimError(405, undefined, "/Bulk accepts POST only, with a BulkRequest body (RFC 7644 §3.7)");
  });
  return r;
}

/**
 * The JSON body parser of /Bulk: its own limit, maxPayloadSize (larger than a
 * single resource's), and a 413 whose detail names the bulk limits.
 */
export function bulkJsonParser(types: string[]): RequestHandler {
  const parse = express.json({ type: types, limit: BULK_MAX_PAYLOAD_BYTES, strict: false });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      next((err as { type?: unknown } | undefined)?.type === "entity.too.large" ? payloadTooLarge() : err);
    });
}
