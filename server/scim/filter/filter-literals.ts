/**
 * Lexing of filter literals before scim2-parse-filter sees the text. Its
 * tokenizer mishandles two literal kinds, so we take them out and leave
 * numbered string placeholders ("0", "1", ...) that it handles correctly:
 * - strings: it keeps every backslash escape except \" literally, so "a\\b"
 *   became a\\b and a value ending in \\ did not parse. RFC 7644 §3.4.2.2 makes
 *   compValue a JSON string (RFC 7159 §7), so we decode JSON escapes here;
 * - negative numbers: "-5" followed by a space or ")" was a syntax error.
 * The same pass measures bracket depth so a hostile `((((...` is refused
 * before any recursion.
 */
import { invalidFilter } from "../scim-error.ts";
import { MAX_FILTER_DEPTH } from "./limits.ts";

export type Literal = string | number | boolean | null;

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=$|[\s)\]])/y;

/** Decodes the JSON string literal whose opening quote is at `start`. */
function readString(filter: string, start: number): { value: string; end: number } {
  let value = "";
  for (let i = start + 1; i < filter.length; i++) {
    const c = filter[i]!;
    if (c === '"') return { value, end: i + 1 };
    if (c !== "\\") {
      value += c;
      continue;
    }
    const next = filter[i + 1];
    const hex = filter.slice(i + 2, i + 6);
    if (next !== undefined && next in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[next];
      i++;
    } else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(hex)) {
      const code = parseInt(hex, 16);
      // PostgreSQL cannot hold U+0000 in text: no stored value can equal it, and binding it fails.
      if (code === 0) throw invalidFilter(`the string at position ${start + 1} contains \\u0000, which no value can contain`);
      value += String.fromCharCode(code);
      i += 5;
    } else {
      // Not a JSON escape (say "DOMAIN\user" sent unescaped): keep the
      // backslash as a character, as the parser always did, rather than refuse.
      value += c;
    }
  }
  throw invalidFilter(`unterminated string starting at position ${start + 1}: add the closing double quote`);
}

export interface MaskedFilter {
  /** The filter with every literal replaced by a quoted index into `literals`. */
  masked: string;
  literals: Literal[];
}

export function maskLiterals(filter: string): MaskedFilter {
  const literals: Literal[] = [];
  let masked = "";
  let depth = 0;
  let atTokenStart = true;
  for (let i = 0; i < filter.length; ) {
    const c = filter[i]!;
    if (c === '"') {
      const { value, end } = readString(filter, i);
      masked += `"${literals.push(value) - 1}"`;
      i = end;
      atTokenStart = false;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = atTokenStart ? NUMBER.exec(filter) : null;
    if (num) {
      masked += `"${literals.push(Number(num[0])) - 1}"`;
      i += num[0].length;
      atTokenStart = false;
      continue;
    }
    if (c === "(" || c === "[") depth++;
    if (c === ")" || c === "]") depth--;
    if (depth > MAX_FILTER_DEPTH) {
      throw invalidFilter(`filter is nested deeper than ${MAX_FILTER_DEPTH} levels (at position ${i + 1})`);
    }
    atTokenStart = /[\s([]/.test(c);
    masked += c;
    i++;
  }
  return { masked, literals };
}

/** Puts the original literals back into a message that quotes masked text. */
export function unmask(text: string, literals: readonly Literal[]): string {
  return text.replace(/"(\d+)"/g, (whole, n: string) => {
    const v = literals[Number(n)];
    return v === undefined ? whole : JSON.stringify(v);
  });
}
