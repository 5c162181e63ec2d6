/**
 * Turns each PatchOperation into steps on single targets, validating every
 * path, value and static mutability rule first, so that a bad operation
 * anywhere in the request fails it before any operation is applied.
 */
import { invalidPath, invalidSyntax, invalidValue, noTarget } from "../scim-error.ts";
import { normaliseOpName, type OpName } from "./dialects.ts";
import { isPlainObject, isUnassigned, type Json } from "./object-utils.ts";
import { assertRemovable, assertWritable, resolvePath, type AttrTarget, type Target } from "./path.ts";
import type { PatchOperation, SchemaDefinition } from "./types.ts";
import { conformValue } from "./values.ts";

export interface Step {
  op: OpName;
  target: Target;
  /**
   * Conformed value. For add/replace: the attribute's value, one element (filter
   * without sub-attribute) or a sub-attribute value; null means "unassigned".
   * For remove on a multi-valued attribute: optional elements to remove.
   */
  value?: unknown;
}

/** Keys a client echoes from a GET that PATCH has no business changing: ignored in no-path values. */
const ECHOED = new Set(["id", "meta", "schemas"]);

export function compileOperation(op: PatchOperation, schema: SchemaDefinition): Step[] {
  const name = normaliseOpName(op.op);
  if (!name) throw invalidSyntax(`Unknown PATCH op ${JSON.stringify(op.op)}: use add, replace or remove`);
  if (op.path === undefined) {
    // RFC 7644 §3.5.2.2: "If "path" is unspecified, the operation fails with … "noTarget"".
    if (name === "remove") throw noTarget("A remove operation needs a path naming what to remove");
    if (!isPlainObject(op.value)) {
      throw invalidValue(`A ${name} without a path needs a value object of attribute names and values`);
    }
    return expandObject(name, op.value, schema, undefined);
  }
  const target = resolvePath(op.path, schema);
  if (target.kind === "attr") return [attrStep(name, target, op.value)];
  if (name === "remove") return [{ op: "remove", target }];
  // RFC 7643 §2.5: null is "unassigned": replacing with it clears the extension, adding it adds nothing.
  if (op.value === null) return name === "replace" ? [{ op: "remove", target }] : [];
  if (!isPlainObject(op.value)) {
    throw invalidValue(`Path "${op.path}" names the extension ${target.extension.id}: its value must be an object`);
  }
  return expandObject(name, op.value, schema, target.extension);
}

/**
 * A value object's keys are attribute paths: plain (`nickName`), dotted
 * (`name.givenName`) or URN-qualified (`urn:…:enterprise:2.0:User:department`),
 * which is how Entra ID sends a no-path replace; a bare extension URN key holds
 * an object of that extension's attributes.
 */
function expandObject(name: OpName, obj: Json, schema: SchemaDefinition, ext: SchemaDefinition | undefined): Step[] {
  const steps: Step[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (!ext && ECHOED.has(key.toLowerCase())) continue;
    if (key.includes("[")) throw invalidPath(`Value key "${key}": keys of a value object cannot contain a [filter]`);
    const path = ext && !key.toLowerCase().startsWith("urn:") ? `${ext.id}:${key}` : key;
    const target = resolvePath(path, schema);
    if (target.kind === "attr") {
      steps.push(attrStep(name, target, value));
    } else if (ext) {
      throw invalidPath(`Value key "${key}": an extension cannot be nested inside ${ext.id}`);
    } else if (value === null) {
      if (name === "replace") steps.push({ op: "remove", target });
    } else if (isPlainObject(value)) {
      steps.push(...expandObject(name, value, schema, target.extension));
    } else {
      throw invalidValue(`Value key "${key}" names the extension ${target.extension.id}: its value must be an object`);
    }
  }
  return steps;
}

function attrStep(name: OpName, target: AttrTarget, value: unknown): Step {
  assertWritable(target);
  const { attr, sub, filter, display } = target;
  if (name === "remove") {
    assertRemovable(target);
    // Entra ID removes group members with {"op":"Remove","path":"members","value":[{"value":"<id>"}]};
    // the same form is accepted for any multi-valued attribute.
    const removable = attr.config.multiValued && !sub && !filter && value !== undefined && value !== null;
    return removable ? { op: name, target, value: conformValue(attr, value, display, "whole") } : { op: name, target };
  }
  if (value === undefined) throw invalidValue(`Path "${display}": ${name} needs a value (RFC 7644 §3.5.2)`);
  const conformed = sub
    ? conformValue(sub, value, display, "whole")
    : conformValue(attr, value, display, filter ? "element" : "whole");
  // RFC 7643 §2.5: replacing with null or [] unassigns the attribute, which a required one cannot be.
  if (name === "replace" && isUnassigned(conformed)) assertRemovable(target);
  return { op: name, target, value: conformed };
}
