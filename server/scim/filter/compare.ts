/**
 * One attribute-operator-value comparison (RFC 7644 §3.4.2.2) as SQL. Values
 * are always bound parameters; only operators come from a fixed table.
 *
 * A comparison against an absent value is NULL here, deliberately not wrapped
 * in coalesce(..., false): `lower(user_name) = lower($1)` must stay a bare
 * indexable condition. NULL means "no match" because the only negation we emit,
 * in filter-to-sql.ts, is `(x) is not true` (see there).
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import { invalidFilter } from "../scim-error.ts";
import type { Attribute } from "./attribute-catalog.ts";
import { type DateTimeLiteral, parseDateTimeLiteral } from "./datetime-literal.ts";
import type { Literal } from "./parse-filter.ts";
import { type Scalar, boolOf, isoTextOf, numberOf, presentSql, textOf } from "./sql-scalar.ts";

/** Operators left after the walker rewrote `ne` as `not eq` and `eq null` as `not pr`. */
export type LeafOp = "eq" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le" | "pr";
type Value = string | number | boolean | DateTimeLiteral;

const ORDERING = new Set<LeafOp>(["gt", "ge", "lt", "le"]);
const SUBSTRING = new Set<LeafOp>(["co", "sw", "ew"]);
const SQL_OP: Record<string, string> = { eq: "=", gt: ">", ge: ">=", lt: "<", le: "<=" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rejects operator/type/value combinations RFC 7644 §3.4.2.2 does not define, naming what is wrong. */
export function checkComparison(attr: Attribute, path: string, op: LeafOp, value: Literal): Value | undefined {
  if (op === "pr") return undefined;
  const type = attr.type;
  if (type === "complex") {
    throw invalidFilter(`"${path}" is complex: compare one of its sub-attributes (e.g. ${path}.${attr.subAttributes?.[0]?.name ?? "value"})`);
  }
  // RFC 7644 §3.4.2.2: gt/ge/lt/le on boolean or binary attributes is invalidFilter.
  if (ORDERING.has(op) && (type === "boolean" || type === "binary")) {
    throw invalidFilter(`"${op}" cannot be used with ${type} attribute "${path}"; use eq or ne`);
  }
  if (SUBSTRING.has(op) && type !== "string" && type !== "reference" && type !== "binary") {
    throw invalidFilter(`"${op}" only applies to string attributes; "${path}" is ${type}`);
  }
  const wrongType = (expected: string, example: string) =>
    invalidFilter(`"${path}" is ${type}: compare it with ${expected}, e.g. ${path} ${op} ${example} (got ${JSON.stringify(value)})`);
  switch (type) {
    case "boolean":
      if (typeof value !== "boolean") throw wrongType("true or false", "true");
      return value;
    case "decimal":
    case "integer":
      if (typeof value !== "number") throw wrongType("a number", "42");
      return value;
    case "dateTime": {
      const parsed = typeof value === "string" ? parseDateTimeLiteral(value) : undefined;
      if (!parsed) throw wrongType("a quoted xsd:dateTime", '"2011-05-13T04:42:34Z"');
      return parsed;
    }
    default:
      // A bare number against a string attribute is refused rather than compared
      // as text: `employeeNumber eq 007` would silently never match "007".
      if (typeof value !== "string") throw wrongType("a quoted string", '"text"');
      return value;
  }
}

const escapeLike = (v: string) => v.replace(/[\\%_]/g, "\\$&");

function likePattern(op: LeafOp, v: string): string {
  const body = escapeLike(v);
  return op === "co" ? `%${body}%` : op === "sw" ? `${body}%` : `%${body}`;
}

function compareText(s: Scalar, caseExact: boolean, op: LeafOp, v: string): RawBuilder<SqlBool> {
  // eq on a uuid column: an index lookup; a non-UUID value simply matches nothing.
  if (s.kind === "uuid" && op === "eq") return UUID.test(v) ? sql`${s.expr} = cast(${v} as uuid)` : sql`false`;
  const fold = (e: RawBuilder<unknown>) => (caseExact ? e : sql`lower(${e})`);
  const left = fold(textOf(s));
  if (SUBSTRING.has(op)) {
    // LIKE's default escape character is backslash; the value's own % _ \ are escaped above.
    return sql`${left} like ${fold(sql`cast(${likePattern(op, v)} as text)`)}`;
  }
  return sql`${left} ${sql.raw(SQL_OP[op]!)} ${fold(sql`cast(${v} as text)`)}`;
}

/** SQL for `path op value`; `s` is where the value is stored, `attr` its schema definition. */
export function compareSql(s: Scalar, attr: Attribute, path: string, op: LeafOp, value: Literal): RawBuilder<SqlBool> {
  const v = checkComparison(attr, path, op, value);
  if (op === "pr") return presentSql(s);
  let cmp: RawBuilder<SqlBool>;
  const sqlOp = sql.raw(SQL_OP[op] ?? "=");
  if (typeof v === "boolean") {
    cmp = sql`${boolOf(s)} = cast(${v} as boolean)`;
  } else if (typeof v === "number") {
    cmp = sql`${numberOf(s)} ${sqlOp} cast(${v} as numeric)`;
  } else if (typeof v === "object" && v !== null) {
    // A timestamptz column compares as time; in jsonb, canonical ISO text
    // against the literal in the same form (see isoTextOf).
    cmp = s.kind === "timestamptz"
      ? sql`${s.expr} ${sqlOp} cast(${v.sql} as timestamptz)`
      : sql`${isoTextOf(s)} ${sqlOp} cast(${v.iso} as text)`;
  } else {
    cmp = compareText(s, attr.config.caseExact === true, op, v as string);
  }
  return cmp;
}
