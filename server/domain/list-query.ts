import type { Expression, SqlBool } from "kysely";

/**
 * A page request as the domain understands it. The filter and sort arrive as
 * SQL expressions already translated (and whitelisted) by the protocol adapter.
 */
export interface ListQuery {
  where?: Expression<SqlBool> | undefined;
  orderBy?: { expr: Expression<unknown>; descending: boolean } | undefined;
  /** 0-based offset (index paging). Ignored when `after` is set. */
  offset: number;
  /** Page size; 0 asks for the total only. */
  limit: number;
  /**
   * Keyset paging (RFC 9865 cursors): rows strictly after this position in the
   * list's order, or from the first row with "start". Never an OFFSET, so rows
   * inserted or deleted elsewhere in the list do not shift the pages.
   */
  after?: KeysetPosition | "start" | undefined;
}

/** Where a keyset page ended: the row's sort value (as text; null when absent or unsorted) and its id. */
export interface KeysetPosition {
  sortValue: string | null;
  id: string;
}

export interface Page<T> {
  total: number;
  items: T[];
  /** Keyset paging only: where the next page starts; absent on the last page. */
  next?: KeysetPosition | "start" | undefined;
}
