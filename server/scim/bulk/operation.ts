/**
 * One bulk operation, validated: which method, on which resource. An error
 * here fails this operation only (400, as the same request would on its own),
 * never the bulk request.
 */
import { invalidSyntax, invalidValue } from "../scim-error.ts";
import type { RawOperation } from "./request.ts";

export type BulkMethod = "POST" | "PUT" | "PATCH" | "DELETE";
export type BulkResource = "Users" | "Groups";

export interface BulkOperation {
  method: BulkMethod;
  resource: BulkResource;
  /** The id in the path (PUT, PATCH, DELETE); may still be a "bulkId:…" reference. */
  id: string | undefined;
  bulkId: string | undefined;
  /** The If-Match value of this operation (RFC 7644 §3.7: "version"). */
  version: string | undefined;
  data: unknown;
}

const METHODS: readonly BulkMethod[] = ["POST", "PUT", "PATCH", "DELETE"];
// Resource type names match case-insensitively, as the single-request routes do (Express).
const PATH = /^\/(users|groups)(?:\/([^/?#]+))?\/?$/i;

/** The method as it will be echoed in the response: upper-cased when it is one we know. */
export function methodOf(raw: RawOperation): string | undefined {
  if (typeof raw.method !== "string") return undefined;
  const upper = raw.method.toUpperCase();
  return (METHODS as readonly string[]).includes(upper) ? upper : raw.method;
}

export function validateOperation(raw: RawOperation): BulkOperation {
  const method = methodOf(raw) as BulkMethod | undefined;
  if (method === undefined || !METHODS.includes(method)) {
    throw invalidValue(`method ${JSON.stringify(raw.method ?? null)} is not one of ${METHODS.join(", ")}`);
  }
  const expected = method === "POST" ? `"/Users" or "/Groups"` : `"/Users/{id}" or "/Groups/{id}"`;
  if (typeof raw.path !== "string") throw invalidValue(`path is required: ${method} needs ${expected}`);
  const match = PATH.exec(raw.path);
  const segment = match?.[2];
  if (!match || (method === "POST") !== (segment === undefined)) {
    throw invalidValue(`path "${raw.path}" is not valid for ${method}: use ${expected}`);
  }
  const resource: BulkResource = match[1]!.toLowerCase() === "users" ? "Users" : "Groups";
  if (method === "POST" && raw.bulkId === undefined) {
    throw invalidValue(`bulkId is required with POST (RFC 7644 §3.7): it names the new resource in the response and in references`);
  }
  if (method !== "DELETE" && raw.data === undefined) {
    throw invalidSyntax(`data is required with ${method}: the body the single ${method} request would carry`);
  }
  if (raw.version !== undefined && raw.version !== null && typeof raw.version !== "string") {
    throw invalidValue(`version must be an ETag string such as W/"3", got ${JSON.stringify(raw.version)}`);
  }
  return {
    method,
    resource,
    id: segment === undefined ? undefined : decodeSegment(segment),
    bulkId: raw.bulkId,
    version: method === "POST" ? undefined : ((raw.version as string | null | undefined) ?? undefined),
    data: raw.data,
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidValue(`path segment "${segment}" is not valid percent-encoding`);
  }
}
