/**
 * A BulkRequest message (RFC 7644 §3.7) → its operations, unvalidated one by
 * one. What makes the whole request unusable (not a BulkRequest, too many
 * operations, two operations with one bulkId) fails it whole; what is wrong
 * with one operation is that operation's error in the BulkResponse
 * (operation.ts), so the others still run.
 */
import { isPlainObject, readKey } from "../patch/object-utils.ts";
import { invalidSyntax, invalidValue, ScimError } from "../scim-error.ts";
import { BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD_BYTES } from "./limits.ts";

export const BULK_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

/** One element of Operations as sent; SCIM member names are case-insensitive (RFC 7643 §2.1). */
export interface RawOperation {
  method: unknown;
  bulkId: string | undefined;
  version: unknown;
  path: unknown;
  data: unknown;
}

export interface BulkRequest {
  operations: RawOperation[];
  /** Stop after this many failed operations; undefined: run them all. */
  failOnErrors: number | undefined;
}

export function parseBulkRequest(body: unknown): BulkRequest {
  if (!isPlainObject(body)) throw invalidSyntax("A bulk request body must be a JSON object (RFC 7644 §3.7)");
  const schemas = readKey(body, "schemas");
  const urn = BULK_REQUEST_SCHEMA.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === urn)) {
    throw invalidSyntax(`A bulk request's "schemas" must include "${BULK_REQUEST_SCHEMA}"`);
  }
  const operations = readKey(body, "Operations");
  if (!Array.isArray(operations)) {
    throw invalidSyntax(`A bulk request needs "Operations": an array of {method, path, bulkId, version, data}`);
  }
  if (operations.length > BULK_MAX_OPERATIONS) throw tooManyOperations(operations.length);
  const failOnErrors = parseFailOnErrors(readKey(body, "failOnErrors"));
  // bulkId is unique within a request (RFC 7644 §3.7): a reference must name one operation.
  const seen = new Map<string, number>();
  const parsed = operations.map((op, i) => {
    const raw = rawOperation(op, i);
    if (raw.bulkId === undefined) return raw;
    const first = seen.get(raw.bulkId);
    if (first !== undefined) throw invalidValue(`Operations[${first}] and Operations[${i}] have the same bulkId "${raw.bulkId}"; each must be unique`);
    seen.set(raw.bulkId, i);
    return raw;
  });
  return { operations: parsed, failOnErrors };
}

export function tooManyOperations(count: number): ScimError {
  return new ScimError(
    413,
    undefined,
    `The bulk request holds ${count} operations; maxOperations is ${BULK_MAX_OPERATIONS} ` +
      `(and maxPayloadSize ${BULK_MAX_PAYLOAD_BYTES} bytes, see /ServiceProviderConfig): split it into several requests`,
  );
}

export function payloadTooLarge(): ScimError {
  return new ScimError(
    413,
    undefined,
    `The bulk request body is larger than maxPayloadSize, ${BULK_MAX_PAYLOAD_BYTES} bytes ` +
      `(at most ${BULK_MAX_OPERATIONS} operations, see /ServiceProviderConfig): split it into several requests`,
  );
}

function parseFailOnErrors(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw invalidValue(`failOnErrors must be a whole number of at least 1 (processing stops after that many failed operations), got ${JSON.stringify(value)}`);
  }
  return value;
}

function rawOperation(op: unknown, i: number): RawOperation {
  if (!isPlainObject(op)) throw invalidSyntax(`Operations[${i}] must be an object with method, path and, for POST, PUT and PATCH, data`);
  const bulkId = readKey(op, "bulkId") ?? undefined;
  if (bulkId !== undefined && (typeof bulkId !== "string" || bulkId === "")) {
    throw invalidValue(`Operations[${i}].bulkId must be a non-empty string, got ${JSON.stringify(bulkId)}`);
  }
  return {
    method: readKey(op, "method"),
    bulkId,
    version: readKey(op, "version"),
    path: readKey(op, "path"),
    data: readKey(op, "data"),
  };
}
