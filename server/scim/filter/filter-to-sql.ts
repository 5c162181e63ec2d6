/**
 * SCIM filter (RFC 7644 §3.4.2.2) -> one Kysely boolean expression evaluated
 * by the database. Nothing is filtered in memory: the result goes straight
 * into `.where(...)` next to the org_id condition and paging.
 *
 * Semantics chosen where the RFC leaves room (each pinned by a test):
 * - two-valued logic: a comparison with an absent value is false, so `not`
 *   and `ne` match absent values. Leaves may be SQL NULL (so they stay
 *   indexable), and NULL already means "not selected" in WHERE and inside
 *   EXISTS; the one place it would leak is negation, so `not x` is emitted as
 *   `(x) is not true`. AND/OR over NULL are monotone, so collapsing NULL to
 *   false at each negation and at the WHERE gives exactly two-valued results;
 * - `ne` is exactly `not eq`, also for multi-valued attributes (no value
 *   equals), so `eq` and `ne` always split the resources in two;
 * - `eq null` is `not pr` and `ne null` is `pr` (RFC 7643 §2.5: null and
 *   unassigned are the same state); other operators refuse null;
 * - a complex attribute named without a sub-attribute means its `value`
 *   (`emails co "x"` is `emails.value co "x"`), and `pr` on it means non-empty.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import { invalidFilter } from "../scim-error.ts";
import { type ResolvedAttribute, resolveAttribute, resolveSub } from "./attribute-catalog.ts";
import { compareSql, type LeafOp } from "./compare.ts";
import { type FilterNode, type Literal, parseFilter } from "./parse-filter.ts";
import { schemasLeaf } from "./schemas-filter.ts";
import { type Element, type QueryContext, type Source, sourceFor } from "./storage-map.ts";

export interface FilterTarget {
  kind: "User" | "Group";
  /** Alias (or table name) of `users` / `groups` in the query, e.g. "u" for selectFrom("users as u"). */
  alias: string;
}

interface Leaf {
  op: LeafOp | "ne";
  attrPath: string;
  value: Literal;
}

/** Inside `attr[...]`: sub-attribute names are relative to the element being tested. */
interface ElementScope {
  parent: ResolvedAttribute;
  element: Element;
}

/** Negation that treats NULL (an absent value) as false before negating. */
const not = (e: RawBuilder<SqlBool>) => sql<SqlBool>`((${e}) is not true)`;

export function contextFor(target: FilterTarget): QueryContext {
  let n = 0;
  // Prefix keeps generated aliases clear of whatever the caller's query uses.
  return { kind: target.kind, alias: target.alias, nextAlias: () => `scim_f${++n}` };
}

/** The `value` sub-attribute a bare complex name stands for (RFC 7644 §3.4.2.2 example `emails co ...`). */
function defaultSub(r: ResolvedAttribute) {
  return r.attr.subAttributes?.find((s) => s.name === "value");
}

function complexNeedsSub(r: ResolvedAttribute, op: LeafOp): never {
  const example = r.attr.subAttributes?.[0]?.name ?? "value";
  throw invalidFilter(`"${r.path}" is complex: use "${op}" on one of its sub-attributes, e.g. ${r.path}.${example}`);
}

function compareOnSource(source: Source, r: ResolvedAttribute, op: LeafOp, value: Literal): RawBuilder<SqlBool> {
  const sub = r.sub ?? (op === "pr" ? undefined : defaultSub(r));
  const path = sub && !r.sub ? `${r.path}.${sub.name}` : r.path;
  switch (source.kind) {
    case "scalar":
      return compareSql(source.scalar, r.attr, path, op, value);
    case "object":
      if (sub) return compareSql(source.element.sub(sub, path), sub, path, op, value);
      if (op === "pr") return source.present;
      return complexNeedsSub(r, op);
    case "collection": {
      const el = source.element;
      if (sub) return source.some(compareSql(el.sub(sub, path), sub, path, op, value));
      if (el.self) return source.some(compareSql(el.self, r.attr, path, op, value));
      if (op === "pr") return source.some(sql<SqlBool>`true`);
      return complexNeedsSub(r, op);
    }
  }
}

function leaf(node: Leaf, ctx: QueryContext, scope: ElementScope | undefined): RawBuilder<SqlBool> {
  // Rewrite first so multi-valued attributes get `not (any equals)`, not `any differs`.
  if (node.op === "ne") return not(leaf({ ...node, op: "eq" }, ctx, scope));
  if (node.op !== "pr" && node.value === null) {
    if (node.op === "eq") return not(leaf({ op: "pr", attrPath: node.attrPath, value: null }, ctx, scope));
    throw invalidFilter(`"${node.op}" cannot compare "${node.attrPath}" with null; use "pr" or "not (... pr)"`);
  }
  if (scope) {
    const parentPath = scope.parent.path;
    const sub = resolveSub(scope.parent.attr, node.attrPath, parentPath);
    const path = `${parentPath}.${sub.name}`;
    return compareSql(scope.element.sub(sub, path), sub, path, node.op, node.value);
  }
  const r = resolveAttribute(ctx.kind, node.attrPath);
  if (r.attr.name === "schemas" && !r.schema.extension) return schemasLeaf(ctx, r, node.op, node.value);
  return compareOnSource(sourceFor(ctx, r), r, node.op, node.value);
}

function valuePath(node: { attrPath: string; valFilter: FilterNode }, ctx: QueryContext): RawBuilder<SqlBool> {
  const r = resolveAttribute(ctx.kind, node.attrPath);
  if (r.sub || r.attr.type !== "complex") {
    throw invalidFilter(`"${r.path}[...]": a value filter needs a complex attribute such as emails or addresses`);
  }
  const source = sourceFor(ctx, r);
  if (source.kind === "scalar") throw invalidFilter(`"${r.path}" cannot take a value filter`);
  const cond = translate(node.valFilter, ctx, { parent: r, element: source.element });
  // Every condition inside one [...] holds for the same element (RFC 7644 §3.4.2.2).
  return source.kind === "collection" ? source.some(cond) : cond;
}

function translate(node: FilterNode, ctx: QueryContext, scope: ElementScope | undefined): RawBuilder<SqlBool> {
  switch (node.op) {
    case "and":
    case "or": {
      const parts = node.filters.map((f) => translate(f, ctx, scope));
      return sql<SqlBool>`(${sql.join(parts, sql.raw(` ${node.op} `))})`;
    }
    case "not":
      return not(translate(node.filter, ctx, scope));
    case "[]":
      if (scope) throw invalidFilter(`value filters cannot be nested ("${node.attrPath}[...]" inside "${scope.parent.path}[...]")`);
      return valuePath(node, ctx);
    case "pr":
      return leaf({ op: "pr", attrPath: node.attrPath, value: null }, ctx, scope);
    default:
      return leaf({ op: node.op, attrPath: node.attrPath, value: node.compValue }, ctx, scope);
  }
}

/**
 * Translates a SCIM filter into a boolean SQL expression over `target.alias`.
 * Throws ScimError 400 invalidFilter for syntax errors, unknown attributes,
 * operator/type mismatches and filters over the limits in limits.ts.
 */
export function filterToSql(filter: string, target: FilterTarget): RawBuilder<SqlBool> {
  return translate(parseFilter(filter), contextFor(target), undefined);
}
