import { InvalidValueError } from "./errors.ts";

/**
 * Longest value of a column with a btree index (userName, externalId,
 * displayName, emails.value, a group's displayName and externalId). PostgreSQL
 * refuses index entries above about 2.7 kB; 512 UTF-16 code units are at most
 * 1.5 kB of UTF-8.
 */
export const MAX_INDEXED_LENGTH = 512;

export function assertIndexable(name: string, value: string | null): void {
  if (value !== null && value.length > MAX_INDEXED_LENGTH) {
    throw new InvalidValueError(`${name} is ${value.length} characters long; the limit is ${MAX_INDEXED_LENGTH}`);
  }
}

// An unpaired UTF-16 surrogate: a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses strings PostgreSQL cannot store, anywhere in an attribute document:
 * U+0000 (text and jsonb both reject it) and unpaired surrogates (jsonb rejects
 * them; text would silently store U+FFFD instead). Both are valid JSON escapes
 * (\u0000, \ud800), so they arrive through the protocol untouched.
 */
export function assertStorableText(value: unknown, path = ""): void {
  if (typeof value === "string") {
    const where = path || "a value";
    if (value.includes("\u0000")) throw new InvalidValueError(`${where} contains the NUL character (U+0000), which cannot be stored`);
    if (LONE_SURROGATE.test(value)) {
      throw new InvalidValueError(`${where} contains an unpaired UTF-16 surrogate (not valid Unicode text), which cannot be stored`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertStorableText(v, `${path}[${i}]`));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      assertStorableText(k, path ? `${path}.${k}` : k);
      assertStorableText(v, path ? `${path}.${k}` : k);
    }
  }
}
