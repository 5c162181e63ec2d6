import type { Expression, SqlBool } from "kysely";

/**
 * A page request as the domain understands it. The filter and sort arrive as
 * SQL expressions already translated (and whitelisted) by the protocol adapter.
 */
export interface ListQuery {
  where?: Expression<SqlBool> | undefined;
  orderBy?: { expr: Expression<unknown>; descending: boolean } | undefined;
  /** 0-based offset. */
  offset: number;
  /** Page size; 0 asks for the total only. */
  limit: number;
}

export interface Page<T> {
  total: number;
  items: T[];
}
