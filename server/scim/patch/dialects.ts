/**
 * Client dialects: the shapes identity providers send that are not strict
 * RFC 7644, rewritten at the boundary into what the engine expects. Each
 * function names the provider that needs it; none loosens the schema itself.
 */
import type { Attribute } from "./types.ts";
import { isPlainObject } from "./object-utils.ts";

const OPS = ["add", "replace", "remove"] as const;
export type OpName = (typeof OPS)[number];

/**
 * Microsoft Entra ID sends "Add", "Replace", "Remove" (capitalised), against
 * RFC 7644 §3.5.2 which spells them lower-case. Returns undefined for anything
 * that is not one of the three operations in any case.
 */
export function normaliseOpName(op: unknown): OpName | undefined {
  if (typeof op !== "string") return undefined;
  const lower = op.toLowerCase();
  return OPS.find((o) => o === lower);
}

/**
 * Microsoft Entra ID sends booleans as strings ("True", "False") for `active`
 * and `emails[…].primary` (scimmy refuses these: scimmyjs/scimmy#86). Only
 * applied when the target attribute is declared boolean.
 */
export function coerceStringBoolean(attr: Attribute, value: unknown): unknown {
  if (String(attr.type) !== "boolean" || typeof value !== "string") return value;
  const lower = value.trim().toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return value;
}

/**
 * Microsoft Entra ID sends the enterprise `manager` as a bare id string
 * ({"op":"Add","path":"urn:…:enterprise:2.0:User:manager","value":"26118915-6090-4610-87a4-74b9b27ebfc2"}),
 * where RFC 7643 §4.3 defines a complex attribute with a `value` sub-attribute.
 */
export function wrapStringAsValueObject(attr: Attribute, value: unknown): unknown {
  if (String(attr.type) !== "complex" || typeof value !== "string") return value;
  const hasValueSub = (attr.subAttributes ?? []).some((s) => s.name === "value");
  return hasValueSub ? { value } : value;
}

/**
 * A single value where RFC 7644 §3.5.2.1 expects an array for a multi-valued
 * attribute: Microsoft's SCIM validator adds a member with `"value": "<id>"`
 * (AzureAD/SCIMReferenceCode#24), and clients of jelhub/scimgateway#16 send
 * `"value": {"value": "<id>"}`. Strings inside then go through
 * wrapStringAsValueObject.
 */
export function wrapSingleValueInArray(attr: Attribute, value: unknown): unknown {
  if (!attr.config.multiValued || Array.isArray(value) || value === null || value === undefined) return value;
  return isPlainObject(value) || typeof value === "string" ? [value] : value;
}
