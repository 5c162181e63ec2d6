/**
 * Checks a PATCH value against the attribute it targets and rewrites it into
 * the stored shape: canonical sub-attribute names, client dialects undone.
 * A null stays null: RFC 7643 §2.5 makes it "unassigned", which apply reads as
 * "clear this".
 */
import { invalidPath, invalidValue, mutability } from "../scim-error.ts";
import { coerceStringBoolean, wrapSingleValueInArray, wrapStringAsValueObject } from "./dialects.ts";
import { isPlainObject, type Json } from "./object-utils.ts";
import { isReadOnly } from "./path.ts";
import type { Attribute } from "./types.ts";

/** "whole": the attribute's full value (an array when multi-valued); "element": one value of it. */
export type Shape = "whole" | "element";

export function conformValue(attr: Attribute, value: unknown, display: string, shape: Shape): unknown {
  if (value === null) return null;
  if (!attr.config.multiValued || shape === "element") return conformSingle(attr, value, display);
  const list = wrapSingleValueInArray(attr, value);
  if (!Array.isArray(list)) throw invalidValue(`Path "${display}": "${attr.name}" is multi-valued and needs an array`);
  return list.filter((v) => v !== null).map((v) => conformSingle(attr, v, display));
}

function conformSingle(attr: Attribute, value: unknown, display: string): unknown {
  if (String(attr.type) !== "complex") return conformScalar(attr, value, display);
  const obj = wrapStringAsValueObject(attr, value);
  if (!isPlainObject(obj)) {
    throw invalidValue(`Path "${display}": "${attr.name}" is complex and needs an object of sub-attributes`);
  }
  const out: Json = {};
  for (const [key, v] of Object.entries(obj)) {
    const sub = (attr.subAttributes ?? []).find((s) => s.name.toLowerCase() === key.toLowerCase());
    if (!sub) throw invalidPath(`Path "${display}": "${attr.name}" has no sub-attribute "${key}"`);
    if (isReadOnly(sub)) {
      throw mutability(`Path "${display}": "${attr.name}.${sub.name}" is readOnly (RFC 7643 §2.2) and cannot be set`);
    }
    out[sub.name] = v === null ? null : conformScalar(sub, v, display);
  }
  return out;
}

const CHECKS: Record<string, [string, (v: unknown) => boolean]> = {
  string: ["a string", (v) => typeof v === "string"],
  reference: ["a string (URI reference)", (v) => typeof v === "string"],
  binary: ["a base64 string", (v) => typeof v === "string"],
  boolean: ["a boolean", (v) => typeof v === "boolean"],
  decimal: ["a number", (v) => typeof v === "number" && Number.isFinite(v)],
  integer: ["an integer", (v) => Number.isInteger(v)],
  dateTime: ["an xsd:dateTime string", (v) => typeof v === "string" && !Number.isNaN(Date.parse(v))],
};

function conformScalar(attr: Attribute, value: unknown, display: string): unknown {
  const v = coerceStringBoolean(attr, value);
  const check = CHECKS[String(attr.type)];
  if (check && !check[1](v)) {
    throw invalidValue(`Path "${display}": "${attr.name}" must be ${check[0]}, got ${JSON.stringify(value)}`);
  }
  return v;
}
