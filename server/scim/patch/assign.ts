/** Writes of one attribute or sub-attribute, with the immutable rule that depends on the current value. */
import { mutability } from "../scim-error.ts";
import { deepEqual, deleteKey, isUnassigned, readKey, writeKey, type Json } from "./object-utils.ts";
import type { Attribute } from "./types.ts";

/** RFC 7643 §2.2 "immutable": may be set when it has no value, never changed or cleared afterwards. */
export function guardImmutable(def: Attribute, current: unknown, next: unknown, display: string): void {
  if (def.config.mutable !== "immutable" || isUnassigned(current) || deepEqual(current, next)) return;
  throw mutability(`Path "${display}": "${def.name}" is immutable (RFC 7643 §2.2): it has a value that cannot be changed`);
}

/** Sets a canonical key, or drops it when the new value is unassigned (RFC 7643 §2.5). */
export function setOrClear(obj: Json, def: Attribute, next: unknown, display: string): void {
  guardImmutable(def, readKey(obj, def.name), next, display);
  if (isUnassigned(next)) deleteKey(obj, def.name);
  else writeKey(obj, def.name, next);
}

/** A complex value left with no sub-attributes is unassigned too: drop the key. */
export function putOrDrop(obj: Json, key: string, value: Json): void {
  if (Object.keys(value).length === 0) deleteKey(obj, key);
  else writeKey(obj, key, value);
}

/** RFC 7644 §3.5.2.1/3: sub-attributes given are set, null ones cleared, the others left unchanged. */
export function mergeInto(attr: Attribute, obj: Json, patch: Json, display: string): void {
  for (const [key, value] of Object.entries(patch)) {
    const sub = (attr.subAttributes ?? []).find((s) => s.name === key);
    if (sub) setOrClear(obj, sub, value, display);
  }
}

