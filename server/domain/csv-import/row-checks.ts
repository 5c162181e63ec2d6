import { normaliseDomainName, normaliseEmail } from "../domains.ts";
import type { ImportRow } from "./import-rows.ts";

export const MAX_NAME_LENGTH = 32;
export const MAX_EMAIL_LENGTH = 128;

// Printable local part: RFC 5322 dot-atom (letters of any script allowed, RFC 6531).
// Quoted local parts ("john smith"@acme.com) are refused: no identity provider
// or mail client a customer uses creates them, and they are mostly typos.
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Length as a person counts characters (code points, so "é" or an emoji is one). */
const lengthOf = (s: string) => [...s].length;

/**
 * The checks that need no database, for every row at once: required values,
 * lengths, the shape of the email, duplicates within the file (the later
 * occurrence is the error, naming the row of the first). A row that could not
 * be read (ImportRow.problems) reports only that. Returns each row's
 * errors, in the row's order; an empty list means the row may be tried.
 */
export function checkRows(rows: readonly ImportRow[]): string[][] {
  const firstRowOf = new Map<string, number>();
  return rows.map((r) => {
    // An unreadable row's values are misplaced or missing: checking them would only add noise.
    if (r.problems.length) return [...r.problems];
    const errors: string[] = [];
    errors.push(...nameErrors("firstName", r.firstName), ...nameErrors("lastName", r.lastName));
    const emailErrors = emailErrorsOf(r.email);
    errors.push(...emailErrors);
    if (!emailErrors.length) {
      // userName is unique case-insensitively, so duplicates are compared the same way.
      const key = normaliseEmail(r.email).toLowerCase();
      const first = firstRowOf.get(key);
      if (first !== undefined) errors.push(`email "${r.email}" is a duplicate of row ${first} (each user once per file)`);
      else firstRowOf.set(key, r.row);
    }
    return errors;
  });
}

function nameErrors(field: "firstName" | "lastName", value: string): string[] {
  if (!value) return [`${field} is required`];
  const errors: string[] = [];
  if (lengthOf(value) > MAX_NAME_LENGTH) errors.push(`${field} is longer than ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(value)) errors.push(`${field} contains a control character (a line break or tab, for example)`);
  return errors;
}

function emailErrorsOf(value: string): string[] {
  if (!value) return ["email is required"];
  if (lengthOf(value) > MAX_EMAIL_LENGTH) return [`email is longer than ${MAX_EMAIL_LENGTH} characters`];
  if (!isEmailAddress(value)) return [`email "${value}" is not a valid email address (expected name@domain, e.g. jane.doe@acme.com)`];
  return [];
}

/** One "@", a dot-atom local part of at most 64 characters (RFC 5321 §4.5.3.1.1), a valid domain name. */
export function isEmailAddress(value: string): boolean {
  if (/\s/u.test(value)) return false;
  const at = value.indexOf("@");
  if (at <= 0 || at !== value.lastIndexOf("@")) return false;
  const local = value.slice(0, at);
  if (lengthOf(local) > 64 || !LOCAL_PART.test(local)) return false;
  try {
    normaliseDomainName(value.slice(at + 1));
    return true;
  } catch {
    return false;
  }
}
