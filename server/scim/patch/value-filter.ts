/**
 * Value filters inside a PATCH path (`emails[type eq "work"]`, RFC 7644 §3.5.2),
 * parsed by scim2-parse-filter and matched in memory against the elements of
 * one resource's multi-valued attribute.
 */
import { filter as predicate, parse, type Filter } from "scim2-parse-filter";
import { invalidFilter } from "../scim-error.ts";
import { coerceStringBoolean } from "./dialects.ts";
import { isPlainObject, type Json } from "./object-utils.ts";
import type { Attribute } from "./types.ts";

export interface ValueFilter {
  text: string;
  matches(element: unknown): boolean;
  /**
   * For a filter that is `eq` comparisons joined by `and`, the sub-attribute
   * values an element must have to match; undefined otherwise. Used to create
   * the element an add/replace targets when none matches yet.
   */
  equalities: Json | undefined;
}

const isCaseless = (a: Attribute) => ["string", "reference"].includes(String(a.type)) && !a.config.caseExact;

export function compileValueFilter(text: string, attr: Attribute, display: string): ValueFilter {
  let ast: Filter;
  try {
    ast = parse(text);
  } catch (e) {
    throw invalidFilter(`Path "${display}": filter "${text}" is malformed (${(e as Error).message})`);
  }
  const subs = attr.subAttributes ?? [];
  const subOf = (name: string): Attribute => {
    const sub = subs.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!sub) throw invalidFilter(`Path "${display}": "${attr.name}" has no sub-attribute "${name}" to filter on`);
    return sub;
  };
  const canonical = canonicalise(ast, subOf, display);
  const folded = foldCase(canonical, subOf);
  const test = predicate(folded);
  return {
    text,
    matches: (element) => isPlainObject(element) && test(foldElement(element, subs)),
    equalities: equalitiesOf(canonical),
  };
}

/** Canonical sub-attribute names; "True"/"False" for boolean sub-attributes (Entra ID) become booleans. */
function canonicalise(f: Filter, subOf: (n: string) => Attribute, display: string): Filter {
  switch (f.op) {
    case "and":
    case "or":
      return { op: f.op, filters: f.filters.map((c) => canonicalise(c, subOf, display)) };
    case "not":
      return { op: "not", filter: canonicalise(f.filter, subOf, display) };
    case "[]":
      throw invalidFilter(`Path "${display}": a value filter cannot contain another [filter]`);
    case "pr":
      return { op: "pr", attrPath: subOf(f.attrPath).name };
    default: {
      const sub = subOf(f.attrPath);
      return { op: f.op, attrPath: sub.name, compValue: coerceStringBoolean(sub, f.compValue) as typeof f.compValue };
    }
  }
}

/** caseExact=false sub-attributes compare case-insensitively (RFC 7644 §3.4.2.2): lower both sides. */
function foldCase(f: Filter, subOf: (n: string) => Attribute): Filter {
  switch (f.op) {
    case "and":
    case "or":
      return { op: f.op, filters: f.filters.map((c) => foldCase(c, subOf)) };
    case "not":
      return { op: "not", filter: foldCase(f.filter, subOf) };
    case "[]":
    case "pr":
      return f;
    default:
      return isCaseless(subOf(f.attrPath)) && typeof f.compValue === "string"
        ? { ...f, compValue: f.compValue.toLowerCase() }
        : f;
  }
}

function foldElement(element: Json, subs: Attribute[]): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(element)) {
    const sub = subs.find((s) => s.name.toLowerCase() === k.toLowerCase());
    out[k] = sub && isCaseless(sub) && typeof v === "string" ? v.toLowerCase() : v;
  }
  return out;
}

function equalitiesOf(f: Filter): Json | undefined {
  const out: Json = {};
  const collect = (g: Filter): boolean => {
    if (g.op === "and") return g.filters.every(collect);
    if (g.op !== "eq" || g.compValue === null) return false;
    // `type eq "work" and type eq "home"` describes no element that could be created.
    if (Object.hasOwn(out, g.attrPath) && out[g.attrPath] !== g.compValue) return false;
    out[g.attrPath] = g.compValue;
    return true;
  };
  return collect(f) ? out : undefined;
}
