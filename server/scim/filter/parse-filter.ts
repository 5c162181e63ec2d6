/**
 * Filter parsing (RFC 7644 §3.4.2.2): scim2-parse-filter builds the tree
 * (and/or/not precedence, grouping, value paths); around it we enforce the
 * limits, restore literals (see filter-literals.ts) and turn every failure
 * into a ScimError invalidFilter whose detail says what to fix.
 */
import { parse } from "scim2-parse-filter";
import { invalidFilter } from "../scim-error.ts";
import { type Literal, maskLiterals, unmask } from "./filter-literals.ts";
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from "./limits.ts";

export type { Literal } from "./filter-literals.ts";
export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

export type FilterNode =
  | { op: "and" | "or"; filters: FilterNode[] }
  | { op: "not"; filter: FilterNode }
  | { op: "[]"; attrPath: string; valFilter: FilterNode }
  | { op: "pr"; attrPath: string }
  | { op: CompareOp; attrPath: string; compValue: Literal };

const OPERATORS = "eq, ne, co, sw, ew, gt, ge, lt, le, pr or [";

/** The parser's messages name tokens but not what to do; reword the ones it produces. */
function explain(message: string): string {
  const op = /^Unexpected token (\S+) (\S*) as valFilter operator/.exec(message);
  if (op) {
    const [, word, next] = op;
    if (/^(and|or|not)$/i.test(word!)) return `"${word}" is not followed by an expression`;
    if (next === "") return `attribute "${word}" must be followed by an operator (${OPERATORS})`;
    return `unknown operator "${next}" after attribute "${word}": expected ${OPERATORS}`;
  }
  if (message.includes("expected ')'")) return "a '(' is never closed: add ')'";
  if (message.includes("expected ']'")) return "a '[' is never closed: add ']'";
  if (message.includes("(EOT)")) return "filter ends too early: an expression, operator or value is missing";
  const notValue = /^\[(.*)\(\w+\)\] is not json$/.exec(message);
  if (notValue) return `"${notValue[1]}" is not a value: quote strings ("...") or use true, false, null or a number`;
  const stray = /^Unexpected token (\S+) \(\w+\)$/.exec(message);
  if (stray) return `expected an attribute name but found ${stray[1]}`;
  if (message.startsWith("unexpected EOT ")) {
    // The parser lists the tokens, marking the first unread one as [token].
    const tokens = message.slice(15).split(",");
    const at = tokens.find((t) => t.length > 2 && t.startsWith("[") && t.endsWith("]"))?.slice(1, -1);
    return `unexpected ${at ?? "text"} after a complete expression: join expressions with "and" / "or"`;
  }
  if (message.startsWith("unexpected token '")) return "strings must be in double quotes (\"...\"), not single quotes";
  if (message.startsWith("unexpected token ")) {
    return `cannot read the filter from "${message.slice(17, 57)}": check quotes, brackets and operators`;
  }
  return message;
}

function restore(node: FilterNode, literals: readonly Literal[], depth: number): FilterNode {
  if (depth > MAX_FILTER_DEPTH) throw invalidFilter(`filter is nested deeper than ${MAX_FILTER_DEPTH} levels`);
  switch (node.op) {
    case "and":
    case "or":
      return { op: node.op, filters: node.filters.map((f) => restore(f, literals, depth + 1)) };
    case "not":
      // The parser reads `a pr not b pr` as an infix "not" with `filters` and no
      // `filter`; RFC 7644 §3.4.2.2 has only the prefix form "not" "(" filter ")".
      if ((node as { filter?: FilterNode }).filter === undefined) {
        throw invalidFilter('"not" must precede an expression, as in "a pr and not (b pr)"; it cannot join two expressions');
      }
      return { op: "not", filter: restore(node.filter, literals, depth + 1) };
    case "[]":
      return { op: "[]", attrPath: node.attrPath, valFilter: restore(node.valFilter, literals, depth + 1) };
    case "pr":
      return node;
    default: {
      // Every string or number in the masked text is a placeholder index.
      const v = node.compValue;
      return typeof v === "string" ? { ...node, compValue: literals[Number(v)]! } : node;
    }
  }
}

/** Parses a SCIM filter; throws ScimError invalidFilter for anything malformed or over the limits. */
export function parseFilter(filter: string): FilterNode {
  if (filter.length > MAX_FILTER_LENGTH) {
    throw invalidFilter(`filter is ${filter.length} characters long; the limit is ${MAX_FILTER_LENGTH}`);
  }
  if (filter.trim() === "") throw invalidFilter("filter is empty");
  const { masked, literals } = maskLiterals(filter);
  let ast: FilterNode;
  try {
    ast = parse(masked) as FilterNode;
  } catch (e) {
    const reason = explain(e instanceof Error ? e.message : String(e));
    throw invalidFilter(`invalid filter syntax: ${unmask(reason, literals)}`);
  }
  return restore(ast, literals, 1);
}
