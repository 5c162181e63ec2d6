/**
 * How one stored value is reached in SQL, and the typed views of it that
 * comparisons and sorting need. Values inside the resource jsonb are read
 * through `jsonb_typeof` guards so an unexpected stored shape compares as
 * absent instead of raising a cast error mid-query.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";

export type Scalar =
  /** A text column or expression; NULL when absent. */
  | { kind: "text"; expr: RawBuilder<unknown> }
  /** A uuid column (ids): compared as uuid for eq so the primary key index applies. */
  | { kind: "uuid"; expr: RawBuilder<unknown> }
  | { kind: "bool"; expr: RawBuilder<unknown> }
  | { kind: "timestamptz"; expr: RawBuilder<unknown> }
  /** A jsonb node inside `resource` (NULL when the key is missing). */
  | { kind: "jsonb"; expr: RawBuilder<unknown> }
  /** A value fixed by the resource type, e.g. meta.resourceType. */
  | { kind: "const"; value: string };

export const col = (kind: "text" | "uuid" | "bool" | "timestamptz", ref: string): Scalar => ({
  kind,
  expr: sql.ref(ref),
});

/** `node -> 'key'`. Keys come from scimmy's schema definitions (never from the request), so a literal is safe. */
export const jsonKey = (node: RawBuilder<unknown>, key: string): RawBuilder<unknown> => sql`(${node} -> ${sql.lit(key)})`;

export function textOf(s: Scalar): RawBuilder<unknown> {
  switch (s.kind) {
    case "const":
      return sql`cast(${s.value} as text)`;
    case "jsonb":
      return sql`(case when jsonb_typeof(${s.expr}) = 'string' then ${s.expr} #>> '{}' end)`;
    case "text":
      return s.expr;
    default:
      return sql`cast(${s.expr} as text)`;
  }
}

// Date#toISOString() shape, which scimmy's coercion always writes for dateTime.
const ISO_INSTANT = sql.lit("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$");

/**
 * A dateTime stored in jsonb, as text that orders chronologically. Only the
 * fixed-width canonical form takes part: comparing it as text needs no cast,
 * so a malformed stored string (e.g. "2021-02-30...") reads as absent instead
 * of failing the whole query with a timestamptz cast error.
 */
export function isoTextOf(s: Scalar): RawBuilder<unknown> {
  if (s.kind !== "jsonb") return textOf(s);
  return sql`(case when jsonb_typeof(${s.expr}) = 'string' and (${s.expr} #>> '{}') ~ ${ISO_INSTANT} then ${s.expr} #>> '{}' end)`;
}

export function boolOf(s: Scalar): RawBuilder<unknown> {
  if (s.kind === "jsonb") {
    return sql`(case when jsonb_typeof(${s.expr}) = 'boolean' then cast(${s.expr} #>> '{}' as boolean) end)`;
  }
  return s.kind === "const" ? sql`cast(${s.value} as boolean)` : s.expr;
}

export function numberOf(s: Scalar): RawBuilder<unknown> {
  if (s.kind === "jsonb") {
    return sql`(case when jsonb_typeof(${s.expr}) = 'number' then cast(${s.expr} #>> '{}' as numeric) end)`;
  }
  return s.kind === "const" ? sql`cast(${s.value} as numeric)` : s.expr;
}

/**
 * `pr` (RFC 7644 §3.4.2.2): has a value. RFC 7643 §2.5 treats null, "" (we
 * add) and an empty array or object as unassigned, so none of them is present.
 */
export function presentSql(s: Scalar): RawBuilder<SqlBool> {
  switch (s.kind) {
    case "const":
      return sql`true`;
    case "text":
      return sql`(${s.expr} <> '')`;
    case "jsonb":
      return sql`(${s.expr} not in ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb))`;
    default:
      return sql`(${s.expr} is not null)`;
  }
}
