/**
 * Applies compiled steps to a resource the caller has already copied (RFC 7644 §3.5.2.1–3).
 * Only rules that depend on the current values are checked here (immutable
 * attributes, filters that match nothing); the rest was checked when compiling.
 */
import { applyMulti } from "./apply-multi.ts";
import { guardImmutable, mergeInto, putOrDrop, setOrClear } from "./assign.ts";
import type { Step } from "./compile.ts";
import { deleteKey, isPlainObject, readKey, type Json } from "./object-utils.ts";
import type { AttrTarget } from "./path.ts";

/** Mutates doc: applyPatch hands in its own deep copy. */
export function applyStepsInPlace(doc: Json, steps: Step[]): void {
  for (const step of steps) applyStep(doc, step);
}

function applyStep(doc: Json, step: Step): void {
  const { target } = step;
  if (target.kind === "extension") {
    // Compiling expands add/replace of a whole extension into its attributes; only remove is left.
    deleteKey(doc, target.extension.id);
    return;
  }
  const containerKey = target.container;
  const existing = containerKey === undefined ? doc : readKey(doc, containerKey);
  const holder = isPlainObject(existing) ? existing : {};
  if (target.attr.config.multiValued) applyMulti(holder, step.op, target, step.value);
  else if (target.sub) applySubOfSingle(holder, step.op, target, step.value);
  else applySingle(holder, step.op, target, step.value);
  if (containerKey !== undefined) putOrDrop(doc, containerKey, holder);
}

function applySingle(holder: Json, op: Step["op"], target: AttrTarget, value: unknown): void {
  const { attr, display } = target;
  if (op === "remove") return setOrClear(holder, attr, undefined, display);
  if (value === null && op === "add") return; // adding "unassigned" adds nothing
  if (String(attr.type) !== "complex" || value === null) return setOrClear(holder, attr, value, display);
  const current = readKey(holder, attr.name);
  const merged = isPlainObject(current) ? structuredClone(current) : {};
  mergeInto(attr, merged, value as Json, display);
  guardImmutable(attr, current, merged, display);
  putOrDrop(holder, attr.name, merged);
}

function applySubOfSingle(holder: Json, op: Step["op"], target: AttrTarget, value: unknown): void {
  const { attr, sub, display } = target;
  if (!sub || (op === "add" && value === null)) return;
  const current = readKey(holder, attr.name);
  const obj = isPlainObject(current) ? current : {};
  setOrClear(obj, sub, op === "remove" ? undefined : value, display);
  putOrDrop(holder, attr.name, obj);
}
