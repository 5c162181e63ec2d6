/**
 * The matcher language of a transcript's `expect.body` and `expect.headers`:
 * what a provider reads back is checked, nothing else.
 *
 *   literal scalar          equal (===)
 *   {…}                     every listed key matches; unlisted keys are not checked
 *   […]                     same length, element by element
 *   "$any"                  present, any value
 *   "$string" / "$number" / "$boolean"   present, of that JSON type
 *   "$absent"               not present
 *   {"$contains": [m…]}     an array holding, for each m, an element that matches it
 *   {"$notContains": [m…]}  absent, or an array with no element matching any m
 *   {"$length": n}          an array of n elements
 *   {"$gte": n}             a number ≥ n
 *   {"$regex": "…"}         a string matching the regular expression
 */
import { joinPath } from "./json-path.ts";

export interface Difference {
  /** Where in the response, e.g. `body.emails[0].value`. */
  path: string;
  expected: string;
  actual: string;
}

const OPERATORS = new Set(["$contains", "$notContains", "$length", "$gte", "$regex"]);

export function match(expected: unknown, actual: unknown, path = ""): Difference[] {
  const diff = (want: string): Difference[] => [{ path: path || "(root)", expected: want, actual: show(actual) }];
  if (typeof expected === "string" && expected.startsWith("$")) {
    switch (expected) {
      case "$any":
        return actual === undefined ? diff("present") : [];
      case "$absent":
        return actual === undefined ? [] : diff("absent");
      case "$string":
      case "$number":
      case "$boolean":
        return typeof actual === expected.slice(1) ? [] : diff(`any ${expected.slice(1)}`);
    }
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return diff(show(expected));
    if (actual.length !== expected.length) return diff(`${expected.length} element(s): ${show(expected)}`);
    return expected.flatMap((e, i) => match(e, actual[i], joinPath(path, i)));
  }
  if (typeof expected === "object" && expected !== null) {
    const entries = Object.entries(expected);
    const op = entries.length === 1 && OPERATORS.has(entries[0]![0]) ? entries[0]! : undefined;
    if (op) return matchOperator(op[0], op[1], actual, path, diff);
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return diff(show(expected));
    return entries.flatMap(([k, e]) => match(e, (actual as Record<string, unknown>)[k], joinPath(path, k)));
  }
  return expected === actual ? [] : diff(show(expected));
}

function matchOperator(
  op: string,
  arg: unknown,
  actual: unknown,
  path: string,
  diff: (want: string) => Difference[],
): Difference[] {
  const wanted = Array.isArray(arg) ? arg : [arg];
  const hits = (m: unknown) => Array.isArray(actual) && actual.some((el) => match(m, el).length === 0);
  switch (op) {
    case "$contains":
      return Array.isArray(actual) && wanted.every(hits) ? [] : diff(`an array containing ${show(wanted)}`);
    case "$notContains":
      return actual === undefined || (Array.isArray(actual) && !wanted.some(hits)) ? [] : diff(`nothing matching ${show(wanted)}`);
    case "$length":
      return Array.isArray(actual) && actual.length === arg ? [] : diff(`an array of ${String(arg)} element(s)`);
    case "$gte":
      return typeof actual === "number" && actual >= (arg as number) ? [] : diff(`a number ≥ ${String(arg)}`);
    default:
      return typeof actual === "string" && new RegExp(String(arg)).test(actual) ? [] : diff(`a string matching /${String(arg)}/`);
  }
}

/** Compact JSON for reports, cut short so one huge body does not drown the output. */
export function show(value: unknown, max = 200): string {
  if (value === undefined) return "absent";
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
