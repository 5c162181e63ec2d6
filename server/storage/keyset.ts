import { type RawBuilder, type SqlBool, sql } from "kysely";
import type { KeysetPosition, ListQuery, Page } from "../domain/list-query.ts";

/** Column name of the sort value selected alongside a keyset page's rows. */
export const SORT_KEY = "scim_sort_key";

/**
 * The list order: the sort expression (NULLs last ascending, first descending:
 * PostgreSQL's default and what RFC 7644 §3.4.2.3 asks for), then id ascending
 * as a unique tie-breaker (ids are time-ordered UUIDv7).
 */
export function orderExpression(orderBy: NonNullable<ListQuery["orderBy"]>): RawBuilder<unknown> {
  return sql`${orderBy.expr} ${sql.raw(orderBy.descending ? "desc" : "asc")}`;
}

/** The sort value as text, so a cursor can carry it; PostgreSQL parses it back in the comparison. */
export function sortKeyOf(orderBy: ListQuery["orderBy"]): RawBuilder<string | null> {
  return orderBy ? sql<string | null>`(${orderBy.expr})::text` : sql<string | null>`null::text`;
}

/**
 * Rows strictly after `pos` in the list order. The position's values are sent
 * as untyped parameters, so PostgreSQL reads them as the type of the column or
 * expression they are compared with.
 */
export function afterPosition(alias: string, orderBy: ListQuery["orderBy"], pos: KeysetPosition): RawBuilder<SqlBool> {
  const afterId = sql<SqlBool>`${sql.ref(`${alias}.id`)} > ${pos.id}`;
  if (!orderBy) return afterId;
  const e = sql`(${orderBy.expr})`;
  if (pos.sortValue === null) {
    // Among the NULLs: after them come nothing (ascending) or every non-NULL (descending).
    return orderBy.descending
      ? sql<SqlBool>`((${e} is null and ${afterId}) or ${e} is not null)`
      : sql<SqlBool>`(${e} is null and ${afterId})`;
  }
  const beyond = orderBy.descending ? sql`${e} < ${pos.sortValue}` : sql`${e} > ${pos.sortValue}`;
  const nullsLast = orderBy.descending ? sql`false` : sql`${e} is null`;
  return sql<SqlBool>`(${beyond} or (${e} = ${pos.sortValue} and ${afterId}) or ${nullsLast})`;
}

/** Rows were fetched with limit + 1: the extra one says whether a next page exists. */
export function nextPosition(
  rows: { id: string; [SORT_KEY]: string | null }[],
  limit: number,
  after: KeysetPosition | "start",
): Page<unknown>["next"] {
  if (rows.length <= limit) return undefined;
  if (limit === 0) return after;
  const last = rows[limit - 1]!;
  return { sortValue: last[SORT_KEY], id: last.id };
}
