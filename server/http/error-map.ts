import type { ErrorRequestHandler } from "express";
import {
  ConflictError,
  DnsUnavailableError,
  DomainError,
  ForbiddenError,
  InvalidValueError,
  NotFoundError,
  SeatLimitError,
  UniquenessError,
  VerificationFailedError,
  VersionMismatchError,
} from "../domain/errors.ts";
import type { Logger } from "../logger.ts";
import { isTransientConflict } from "../domain/errors.ts";

/** An admin-API error: `{ "error": code, "message": text }` with an HTTP status. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The one place where domain errors become admin-API responses. */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) {
    const status =
      err instanceof NotFoundError ? 404
      : err instanceof UniquenessError ? 409
      : err instanceof SeatLimitError ? 409
      : err instanceof VersionMismatchError ? 412
      : err instanceof InvalidValueError ? 400
      : err instanceof ConflictError ? 409
      : err instanceof ForbiddenError ? 403
      : err instanceof VerificationFailedError ? 422
      : err instanceof DnsUnavailableError ? 503
      : 400;
    return new HttpError(status, err.code, err.message);
  }
  const type = (err as { type?: string } | null)?.type;
  if (type === "entity.parse.failed") return new HttpError(400, "invalid_json", "The request body is not valid JSON");
  if (type === "entity.too.large") return new HttpError(413, "too_large", "The request body is too large");
  if (isTransientConflict(err)) {
    return new HttpError(503, "retry", "The request collided with a concurrent change and was rolled back; retry it");
  }
  return undefined;
}

export function httpErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toHttpError(err);
    if (known) {
      res.status(known.status).json({ error: known.code, message: known.message });
      return;
    }
    logger.error({ err, requestId: res.locals.requestId, method: req.method, path: req.originalUrl.split("?")[0] }, "unhandled error");
    res.status(500).json({ error: "internal", message: "Internal server error" });
  };
}
