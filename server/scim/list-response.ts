import type { ListQuery } from "../domain/list-query.ts";
import { type FilterTarget, filterToSql, sortToSql } from "./filter/index.ts";
import type { ListParams } from "./list-params.ts";

const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/** SCIM list parameters → the domain's page request, with filter and sort already translated to SQL. */
export function toListQuery(params: ListParams, target: FilterTarget): ListQuery {
  return {
    where: params.filter ? filterToSql(params.filter, target) : undefined,
    orderBy: params.sortBy ? { expr: sortToSql(params.sortBy, target), descending: params.descending } : undefined,
    offset: params.startIndex - 1,
    limit: params.count,
  };
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
