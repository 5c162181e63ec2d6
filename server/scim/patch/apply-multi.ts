/**
 * Steps on multi-valued attributes (emails, addresses, members…): append,
 * replace wholesale, or act on the elements a value filter selects.
 */
import { invalidValue, noTarget } from "../scim-error.ts";
import { guardImmutable, mergeInto, setOrClear } from "./assign.ts";
import type { OpName } from "./dialects.ts";
import { deepEqual, deleteKey, isPlainObject, readKey, writeKey, type Json } from "./object-utils.ts";
import type { AttrTarget } from "./path.ts";
import type { Attribute } from "./types.ts";

export function applyMulti(holder: Json, op: OpName, target: AttrTarget, value: unknown): void {
  const { attr, sub, filter, display } = target;
  const current = readKey(holder, attr.name);
  const list: unknown[] = Array.isArray(current) ? current : [];
  let result: unknown[];
  let written: unknown[] = [];
  if (filter) {
    ({ result, written } = applyFiltered(list, op, target, value));
  } else if (sub) {
    ({ result, written } = applyToEveryElement(list, op, target, value));
  } else if (op === "remove") {
    // Without a value the whole attribute goes; with one (Entra's members form) only matching elements.
    const doomed = Array.isArray(value) ? value : undefined;
    result = doomed ? list.filter((el) => !doomed.some((d) => isSubsetOf(attr, d, el))) : [];
  } else if (op === "add") {
    // RFC 7644 §3.5.2.1: values are added to the existing set; an exact duplicate adds nothing.
    result = [...list];
    for (const el of (value as unknown[] | null) ?? []) {
      const clean = withoutNulls(el);
      if (!result.some((e) => deepEqual(e, clean))) (result.push(clean), written.push(clean));
    }
  } else {
    // RFC 7644 §3.5.2.3: no filter on a multi-valued attribute replaces all of its values.
    result = ((value as unknown[] | null) ?? []).map(withoutNulls);
    guardImmutable(attr, current, result, display);
    written = result;
  }
  enforceSinglePrimary(attr, result, written, display);
  const kept = result.filter((el) => !(isPlainObject(el) && Object.keys(el).length === 0));
  if (kept.length === 0) deleteKey(holder, attr.name);
  else writeKey(holder, attr.name, kept);
}

type Outcome = { result: unknown[]; written: unknown[] };

/** `emails.type` with no filter addresses that sub-attribute of every element. */
function applyToEveryElement(list: unknown[], op: OpName, target: AttrTarget, value: unknown): Outcome {
  const { sub, display } = target;
  if (!sub || (op === "add" && value === null)) return { result: list, written: [] };
  if (list.length === 0) {
    // RFC 7644 §3.5.2.3: replacing what does not exist is treated as an add.
    const created = op === "remove" || value === null ? [] : [{ [sub.name]: value }];
    return { result: created, written: created };
  }
  for (const el of list) if (isPlainObject(el)) setOrClear(el, sub, op === "remove" ? undefined : value, display);
  return { result: list, written: op === "remove" ? [] : list };
}

function applyFiltered(list: unknown[], op: OpName, target: AttrTarget, value: unknown): Outcome {
  const { attr, sub, filter, display } = target;
  const matched = list.filter((el) => filter?.matches(el));
  if (matched.length === 0) {
    // Removing what is not there is a no-op, as a retried request must be (same as SQL member deltas).
    if (op === "remove" || value === null) return { result: list, written: [] };
    const eqs = filter?.equalities;
    if (!eqs) {
      throw noTarget(
        `Path "${display}" matched no value of "${attr.name}"; a new one can only be created from a filter of eq comparisons joined by and`,
      );
    }
    // Entra ID sets `emails[type eq "work"].value` on users that have no work email yet.
    const created = sub ? { ...eqs, [sub.name]: value } : { ...eqs, ...(withoutNulls(value) as Json) };
    return { result: [...list, created], written: [created] };
  }
  const result: unknown[] = [];
  for (const el of list) {
    if (!matched.includes(el) || !isPlainObject(el)) result.push(el);
    else if (sub) {
      if (!(op === "add" && value === null)) setOrClear(el, sub, op === "remove" ? undefined : value, display);
      result.push(el);
    } else if (op === "add") {
      // RFC 7643 §2.5: adding null (unassigned) adds nothing, as for a sub-attribute above.
      if (value !== null) mergeInto(attr, el, value as Json, display);
      result.push(el);
    } else if (op === "replace" && value !== null) {
      // RFC 7644 §3.5.2.3 (replace work address example): the whole matched value is replaced.
      for (const s of attr.subAttributes ?? []) guardImmutable(s, el[s.name], (value as Json)[s.name], display);
      const replacement = withoutNulls(value);
      result.push(replacement);
      matched[matched.indexOf(el)] = replacement;
    }
    // remove (or replace with null) of a matched value: leave it out.
  }
  return { result, written: op === "remove" ? [] : matched };
}

/** RFC 7643 §2.4: "primary" true appears at most once; the value just written wins. */
function enforceSinglePrimary(attr: Attribute, list: unknown[], written: unknown[], display: string): void {
  if (!(attr.subAttributes ?? []).some((s) => s.name === "primary")) return;
  const primaries = list.filter((el): el is Json => isPlainObject(el) && el.primary === true);
  if (primaries.length <= 1) return;
  const fresh = primaries.filter((el) => written.includes(el));
  if (fresh.length > 1) {
    throw invalidValue(`Path "${display}": more than one "${attr.name}" value has primary true (RFC 7643 §2.4 allows one)`);
  }
  if (fresh.length === 1) for (const el of primaries) if (el !== fresh[0]) el.primary = false;
}

/** Does `pattern` (e.g. {value: "id"}) agree with `el` on every sub-attribute it gives? */
function isSubsetOf(attr: Attribute, pattern: unknown, el: unknown): boolean {
  if (!isPlainObject(pattern) || !isPlainObject(el)) return deepEqual(pattern, el);
  return Object.entries(pattern).every(([k, v]) => {
    const sub = (attr.subAttributes ?? []).find((s) => s.name === k);
    const caseless = sub && !sub.config.caseExact && typeof v === "string" && typeof el[k] === "string";
    return caseless ? v.toLowerCase() === (el[k] as string).toLowerCase() : deepEqual(v, el[k]);
  });
}

function withoutNulls(v: unknown): unknown {
  return isPlainObject(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null)) : v;
}
