/**
 * bulkId references (RFC 7644 §3.7.2): the string "bulkId:<id>" stands for the
 * id of the resource that the request's POST with that bulkId creates. A
 * reference is a whole string value, anywhere in `data` (a group member's
 * value, a PATCH value, the enterprise manager) or the id in `path`.
 */
const PREFIX = "bulkId:";

export function referenceOf(value: string): string | undefined {
  return value.startsWith(PREFIX) && value.length > PREFIX.length ? value.slice(PREFIX.length) : undefined;
}

/** Adds every bulkId that `value` references to `into`. */
export function collectReferences(value: unknown, into: Set<string>): void {
  if (typeof value === "string") {
    const ref = referenceOf(value);
    if (ref !== undefined) into.add(ref);
  } else if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, into);
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) collectReferences(v, into);
  }
}

/**
 * A copy of `value` with each reference replaced by its id (all of them are in
 * `ids`: the caller checked). Object.fromEntries defines keys as own data
 * properties, so a "__proto__" key from JSON stays a plain key.
 */
export function substituteReferences(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") {
    const ref = referenceOf(value);
    return ref === undefined ? value : (ids.get(ref) ?? value);
  }
  if (Array.isArray(value)) return value.map((v) => substituteReferences(v, ids));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteReferences(v, ids)]));
  }
  return value;
}
