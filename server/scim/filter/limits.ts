/**
 * Limits on hostile or runaway filters. A filter arrives in a URL or a
 * SearchRequest body from any holder of a SCIM token; without caps a few KB of
 * `not (not (...))` or `a or b or ...` becomes a deep parser recursion and a
 * query with hundreds of correlated subqueries.
 */

/** Longest filter accepted, in UTF-16 code units (what `string.length` counts). */
export const MAX_FILTER_LENGTH = 4096;

/** Deepest nesting of parentheses, brackets, and/or/not groupings accepted. */
export const MAX_FILTER_DEPTH = 32;
