/** Validates a PatchOp request body (RFC 7644 §3.5.2) into normalised operations. */
import { invalidPath, invalidSyntax, invalidValue } from "../scim-error.ts";
import { normaliseOpName } from "./dialects.ts";
import { isPlainObject, readKey } from "./object-utils.ts";
import { inOperation } from "./op-context.ts";
import type { PatchOperation } from "./types.ts";

export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isPlainObject(body)) throw invalidSyntax("A PATCH body must be a JSON object (RFC 7644 §3.5.2)");
  // Member names are case-insensitive in SCIM (RFC 7643 §2.1), so "operations" is accepted too.
  const schemas = readKey(body, "schemas");
  const urn = PATCH_OP_SCHEMA.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === urn)) {
    throw invalidSyntax(`A PATCH body's "schemas" must include "${PATCH_OP_SCHEMA}"`);
  }
  const operations = readKey(body, "Operations");
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax(`A PATCH body needs "Operations": a non-empty array of {op, path, value}`);
  }
  return operations.map((raw, i) => inOperation(i, () => parseOperation(raw)));
}

function parseOperation(raw: unknown): PatchOperation {
  if (!isPlainObject(raw)) throw invalidSyntax("each operation must be an object with op, path and value");
  const rawOp = readKey(raw, "op");
  const op = normaliseOpName(rawOp);
  if (!op) throw invalidSyntax(`op ${JSON.stringify(rawOp ?? null)} is not one of add, replace, remove`);
  // A JSON null path is read as an absent one: both mean "the resource itself".
  const rawPath = readKey(raw, "path") ?? undefined;
  if (rawPath !== undefined && typeof rawPath !== "string") {
    throw invalidPath(`path must be a string, got ${JSON.stringify(rawPath)}`);
  }
  const path = rawPath?.trim();
  if (path === "") throw invalidPath("path is empty; omit it to target the whole resource");
  const value = readKey(raw, "value");
  if (op !== "remove" && value === undefined) {
    throw invalidValue(`${op} needs a "value" (RFC 7644 §3.5.2.${op === "add" ? 1 : 3})`);
  }
  return { op, ...(path !== undefined ? { path } : {}), ...(value !== undefined ? { value } : {}) };
}
