/**
 * sortBy (RFC 7644 §3.4.2.3) -> an ORDER BY expression; the caller adds the
 * direction and a unique tie-breaker (id) for stable paging. Absent values
 * are NULL, which PostgreSQL puts last ascending and first descending: what
 * §3.4.2.3 asks for. caseExact=false strings sort by lower(), the same
 * expression the lower(user_name)/lower(display_name) indexes hold.
 */
import { type RawBuilder, sql } from "kysely";
import { ScimError, invalidValue } from "../scim-error.ts";
import { type Attribute, type ResolvedAttribute, resolveAttribute } from "./attribute-catalog.ts";
import { type FilterTarget, contextFor } from "./filter-to-sql.ts";
import { type Scalar, boolOf, isoTextOf, numberOf, textOf } from "./sql-scalar.ts";
import { sourceFor } from "./storage-map.ts";

function sortValue(s: Scalar, attr: Attribute): RawBuilder<unknown> {
  if (s.kind === "uuid" || s.kind === "bool" || s.kind === "timestamptz") return s.expr;
  switch (attr.type) {
    case "boolean":
      return boolOf(s);
    case "decimal":
    case "integer":
      return numberOf(s);
    case "dateTime":
      return isoTextOf(s);
    default: {
      const text = s.kind === "text" ? s.expr : sql`nullif(${textOf(s)}, '')`;
      return attr.config.caseExact ? text : sql`lower(${text})`;
    }
  }
}

function resolveForSort(target: FilterTarget, sortBy: string): ResolvedAttribute {
  try {
    return resolveAttribute(target.kind, sortBy.trim());
  } catch (e) {
    if (e instanceof ScimError) throw invalidValue(`sortBy: ${e.detail}`);
    throw e;
  }
}

/** Throws ScimError 400 invalidValue when sortBy names nothing sortable. */
export function sortToSql(sortBy: string, target: FilterTarget): RawBuilder<unknown> {
  const r = resolveForSort(target, sortBy);
  if (r.attr.name === "schemas" && !r.schema.extension) throw invalidValue(`sortBy: "schemas" is not sortable`);
  // RFC 7644 §3.4.2.3: a complex attribute needs a sub-attribute; we take `value` when it has one.
  const sub = r.sub ?? r.attr.subAttributes?.find((s) => s.name === "value");
  if (r.attr.type === "complex" && !sub) {
    const example = r.attr.subAttributes?.[0]?.name ?? "value";
    throw invalidValue(`sortBy: "${r.path}" is complex; sort by a sub-attribute such as ${r.path}.${example}`);
  }
  const path = sub ? `${r.attr.name}.${sub.name}` : r.path;
  try {
    const source = sourceFor(contextFor(target), r);
    switch (source.kind) {
      case "scalar":
        return sortValue(source.scalar, r.attr);
      case "object":
        return sortValue(source.element.sub(sub!, path), sub!);
      case "collection": {
        const el = source.element;
        return source.first(sub ? sortValue(el.sub(sub, path), sub) : sortValue(el.self!, r.attr));
      }
    }
  } catch (e) {
    if (e instanceof ScimError) throw invalidValue(`sortBy: ${e.detail}`);
    throw e;
  }
}
