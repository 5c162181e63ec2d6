/** Small helpers over plain JSON values; nothing here knows SCIM. */

export type Json = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** SCIM attribute names are case-insensitive (RFC 7643 §2.1): find the key however it is spelled. */
export function findKey(obj: Json, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

export function readKey(obj: Json, name: string): unknown {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** Writes under the canonical name, dropping any differently-cased copy. */
export function writeKey(obj: Json, name: string, value: unknown): void {
  deleteKey(obj, name);
  obj[name] = value;
}

export function deleteKey(obj: Json, name: string): void {
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) delete obj[k];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

/** RFC 7643 §2.5: null, an empty array and an absent attribute are the same state. */
export function isUnassigned(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}
