import type { Response } from "express";
import { noteSentError } from "./request-log.ts";

export const SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8";

/** Every SCIM response body goes out as application/scim+json (RFC 7644 §3.1). */
export function sendScim(res: Response, status: number, body: unknown): void {
  // The request log shows an identity provider's errors with the detail it received.
  if (status >= 400) noteSentError(res, body);
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}
