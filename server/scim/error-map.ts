import type { ErrorRequestHandler } from "express";
import SCIMMY from "scimmy";
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
import { ScimError } from "./scim-error.ts";
import { sendScim } from "./send.ts";

/** The one place where domain errors become SCIM errors (RFC 7644 §3.12). */
export function toScimError(err: unknown): ScimError | undefined {
  if (err instanceof ScimError) return err;
  if (err instanceof DomainError) {
    if (err instanceof NotFoundError) return new ScimError(404, undefined, `${err.resource} ${err.id} not found`);
    if (err instanceof UniquenessError) return new ScimError(409, "uniqueness", err.message);
    // A seat limit is a state conflict; RFC 7644 §3.12 defines no scimType for it.
    if (err instanceof SeatLimitError) return new ScimError(409, undefined, err.message);
    if (err instanceof VersionMismatchError) return new ScimError(412, undefined, err.message);
    if (err instanceof InvalidValueError) return new ScimError(400, "invalidValue", err.message);
    if (err instanceof ConflictError) return new ScimError(409, undefined, err.message);
    if (err instanceof ForbiddenError) return new ScimError(403, undefined, err.message);
    if (err instanceof VerificationFailedError) return new ScimError(422, undefined, err.message);
    if (err instanceof DnsUnavailableError) return new ScimError(503, undefined, err.message);
    return new ScimError(400, undefined, err.message);
  }
  if (err instanceof SCIMMY.Types.Error) {
    return new ScimError(err.status, err.scimType as ScimError["scimType"], err.message);
  }
  // body-parser's errors carry a `type`.
  const type = (err as { type?: string } | null)?.type;
  if (type === "entity.parse.failed") {
    return new ScimError(400, "invalidSyntax", "The request body is not valid JSON");
  }
  if (type === "entity.too.large") {
    const limit = (err as { limit?: number }).limit;
    return new ScimError(413, undefined, `The request body is larger than the ${limit ?? ""} bytes this server accepts`.replace("  ", " "));
  }
  if (type === "encoding.unsupported" || type === "charset.unsupported") {
    return new ScimError(415, undefined, "Unsupported request body encoding; send UTF-8 JSON");
  }
  if (isTransientConflict(err)) {
    // Identity providers retry on 503 with Retry-After; the whole write was rolled back.
    return new ScimError(503, undefined, "The request collided with a concurrent change and was rolled back; retry it", 1);
  }
  return undefined;
}

export function scimErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const scim = toScimError(err);
    if (scim) {
      if (scim.retryAfter !== undefined) res.set("Retry-After", String(scim.retryAfter));
      return sendScim(res, scim.status, scim.toJSON());
    }
    // Unknown errors are bugs or outages: log the cause, never leak it.
    logger.error({ err, requestId: res.locals.requestId, method: req.method, path: req.originalUrl.split("?")[0] }, "unhandled error in SCIM request");
    sendScim(res, 500, new ScimError(500, undefined, "Internal server error").toJSON());
  };
}
