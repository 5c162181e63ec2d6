/**
 * Filters on `schemas` (e.g. `schemas eq "urn:...:enterprise:2.0:User"`, a
 * common way to ask "who has the extension"). The list is not stored: the core
 * URN is always in it, an extension URN is in it when the resource holds a
 * non-empty object under that URN. So the comparison is folded over the known
 * URNs here and only extension presence reaches SQL.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import { invalidFilter } from "../scim-error.ts";
import { type ResolvedAttribute, catalogFor } from "./attribute-catalog.ts";
import type { LeafOp } from "./compare.ts";
import type { Literal } from "./parse-filter.ts";
import { jsonKey, presentSql } from "./sql-scalar.ts";
import type { QueryContext } from "./storage-map.ts";

const MATCH: Partial<Record<LeafOp, (urn: string, v: string) => boolean>> = {
  eq: (urn, v) => urn === v,
  co: (urn, v) => urn.includes(v),
  sw: (urn, v) => urn.startsWith(v),
  ew: (urn, v) => urn.endsWith(v),
};

export function schemasLeaf(ctx: QueryContext, r: ResolvedAttribute, op: LeafOp, value: Literal): RawBuilder<SqlBool> {
  if (r.sub) throw invalidFilter(`"schemas" has no sub-attribute "${r.sub.name}"`);
  if (op === "pr") return sql<SqlBool>`true`;
  const match = MATCH[op];
  if (!match) throw invalidFilter(`"${op}" cannot be used with "schemas"; use eq, ne, co, sw, ew or pr`);
  if (typeof value !== "string") throw invalidFilter(`"schemas" holds URIs: compare it with a quoted string`);
  // schemas is caseExact=false (RFC 7643 §3).
  const v = value.toLowerCase();
  const terms = catalogFor(ctx.kind)
    .filter((s) => match(s.urn.toLowerCase(), v))
    .map((s) => (s.extension ? presentSql({ kind: "jsonb", expr: jsonKey(sql.ref(`${ctx.alias}.resource`), s.urn) }) : sql`true`));
  return terms.length === 0 ? sql<SqlBool>`false` : sql<SqlBool>`(${sql.join(terms, sql` or `)})`;
}
