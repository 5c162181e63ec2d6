/**
 * SCIM filter and sortBy translation to SQL (RFC 7644 §3.4.2.2, §3.4.2.3).
 *
 *   db.selectFrom("users as u").selectAll("u")
 *     .where("u.org_id", "=", orgId)
 *     .where(filterToSql(filter, { kind: "User", alias: "u" }))
 *     .orderBy(sortToSql(sortBy, { kind: "User", alias: "u" }), sortOrder)
 *     .orderBy("u.id")
 *
 * Both throw ScimError (400 invalidFilter / invalidValue) while building the
 * query, before anything runs. The filter expression is meant for WHERE: a
 * comparison with an absent value may be SQL NULL there, which selects nothing
 * (see filter-to-sql.ts for why it is not coalesced).
 */
export { filterToSql, type FilterTarget } from "./filter-to-sql.ts";
export { sortToSql } from "./sort-to-sql.ts";
export { parseFilter, type FilterNode, type CompareOp, type Literal } from "./parse-filter.ts";
export { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from "./limits.ts";
