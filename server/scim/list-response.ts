import type { ListQuery, Page } from "../domain/list-query.ts";
import { type FilterTarget, filterToSql, sortToSql } from "./filter/index.ts";
import type { ListParams } from "./list-params.ts";
import { type CursorScope, decodeCursor, encodeCursor } from "./pagination/cursor.ts";

const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/** SCIM list parameters → the domain's page request, with filter and sort already translated to SQL. */
export function toListQuery(params: ListParams, target: FilterTarget): ListQuery {
  return {
    where: params.filter ? filterToSql(params.filter, target) : undefined,
    orderBy: params.sortBy ? { expr: sortToSql(params.sortBy, target), descending: params.descending } : undefined,
    offset: params.startIndex - 1,
    limit: params.count,
    after: params.cursor === undefined ? undefined : decodeCursor(cursorScope(params, target), params.cursor),
  };
}

export function cursorScope(params: ListParams, target: FilterTarget): CursorScope {
  return { resource: target.kind, sortBy: params.sortBy, descending: params.descending };
}

/** RFC 7644 §3.4.2: totalResults counts every match; itemsPerPage the ones in this page. */
export function listResponse(total: number, startIndex: number, resources: unknown[]) {
  return {
    schemas: [LIST_RESPONSE],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/**
 * The answer to a list request in the paging mode it asked for: index (RFC 7644
 * §3.4.2.4) or cursor (RFC 9865: no startIndex; nextCursor on every page
 * but the last, its absence being the end signal).
 */
export function pageResponse(params: ListParams, target: FilterTarget, page: Page<unknown>, resources: unknown[]) {
  if (params.cursor === undefined) return listResponse(page.total, params.startIndex, resources);
  const next = page.next;
  return {
    schemas: [LIST_RESPONSE],
    totalResults: page.total,
    itemsPerPage: resources.length,
    ...(next ? { nextCursor: encodeCursor(cursorScope(params, target), next) } : {}),
    Resources: resources,
  };
}
