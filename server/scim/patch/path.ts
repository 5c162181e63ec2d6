/**
 * PATCH path resolution (RFC 7644 §3.5.2: PATH = attrPath / valuePath [subAttr])
 * against a scimmy schema definition, names matched case-insensitively and
 * returned as the schema spells them.
 */
import SCIMMY from "scimmy";
import { invalidPath, mutability } from "../scim-error.ts";
import type { Attribute, SchemaDefinition } from "./types.ts";
import { compileValueFilter, type ValueFilter } from "./value-filter.ts";

/** An attribute, a sub-attribute, or the elements of a multi-valued attribute a filter selects. */
export interface AttrTarget {
  kind: "attr";
  /** Extension URN under which the attribute is stored, when it is not a core attribute. */
  container?: string;
  attr: Attribute;
  sub?: Attribute;
  filter?: ValueFilter;
  /** The path as the client wrote it, for error details. */
  display: string;
}
/** The bare extension URN: the whole extension object. */
export interface ExtensionTarget {
  kind: "extension";
  extension: SchemaDefinition;
  display: string;
}
export type Target = AttrTarget | ExtensionTarget;

/** Splits `attr[filter].sub` without parsing the filter; quotes may contain brackets. */
export function splitValuePath(path: string): { prefix: string; filter?: string; sub?: string } {
  const open = path.indexOf("[");
  if (open === -1) return { prefix: path };
  let inQuote = false;
  for (let i = open + 1; i < path.length; i++) {
    const c = path[i];
    if (inQuote && c === "\\") i++;
    else if (c === '"') inQuote = !inQuote;
    else if (!inQuote && c === "]") {
      const rest = path.slice(i + 1);
      if (rest !== "" && !/^\.[A-Za-z$][\w$-]*$/.test(rest)) {
        throw invalidPath(`Path "${path}": only ".subAttribute" may follow "]", found "${rest}"`);
      }
      const sub = rest === "" ? undefined : rest.slice(1);
      return { prefix: path.slice(0, open), filter: path.slice(open + 1, i), ...(sub ? { sub } : {}) };
    }
  }
  throw invalidPath(`Path "${path}" has a "[" without a matching "]"`);
}

function extensionsOf(schema: SchemaDefinition): SchemaDefinition[] {
  // scimmy types `attributes` as Attribute[], but extensions live in the same array at runtime.
  return (schema.attributes as unknown[]).filter((a): a is SchemaDefinition => a instanceof SCIMMY.Types.SchemaDefinition);
}

function ownAttributes(def: SchemaDefinition): Attribute[] {
  return def.attributes.filter((a) => a instanceof SCIMMY.Types.Attribute);
}

/** Finds the schema (core or extension) a URN-qualified name belongs to; longest id wins. */
function splitUrn(name: string, schema: SchemaDefinition, display: string) {
  const lower = name.toLowerCase();
  const owners = [schema, ...extensionsOf(schema)]
    .filter((d) => lower === d.id.toLowerCase() || lower.startsWith(`${d.id.toLowerCase()}:`))
    .sort((a, b) => b.id.length - a.id.length);
  const owner = owners[0];
  if (!owner) throw invalidPath(`Path "${display}" names a schema this resource does not have`);
  return { owner, isCore: owner === schema, rest: name.slice(owner.id.length + 1) };
}

/** Resolves an attribute path (no filter) to the attribute, its optional sub-attribute, and its container. */
function resolveAttrPath(name: string, schema: SchemaDefinition, display: string): Target {
  let owner = schema;
  let rest = name;
  let container: string | undefined;
  if (name.toLowerCase().startsWith("urn:")) {
    const urn = splitUrn(name, schema, display);
    owner = urn.owner;
    rest = urn.rest;
    if (!urn.isCore) container = owner.id;
    if (rest === "") {
      if (urn.isCore) throw invalidPath(`Path "${display}" names the core schema, not an attribute`);
      return { kind: "extension", extension: owner, display };
    }
  }
  const parts = rest.split(".");
  const [attrName, subName, ...extra] = parts;
  if (!attrName || extra.length > 0 || subName === "") {
    throw invalidPath(`Path "${display}" is not attribute or attribute.subAttribute (RFC 7644 §3.5.2)`);
  }
  const attr = ownAttributes(owner).find((a) => a.name.toLowerCase() === attrName.toLowerCase());
  if (!attr) throw invalidPath(`Path "${display}": unknown attribute "${attrName}" in schema ${owner.id}`);
  if (subName === undefined) return { kind: "attr", attr, display, ...(container ? { container } : {}) };
  const sub = findSub(attr, subName, display);
  return { kind: "attr", attr, sub, display, ...(container ? { container } : {}) };
}

export function findSub(attr: Attribute, subName: string, display: string): Attribute {
  const sub = (attr.subAttributes ?? []).find((s) => s.name.toLowerCase() === subName.toLowerCase());
  if (String(attr.type) !== "complex" || !sub) {
    throw invalidPath(`Path "${display}": "${attr.name}" has no sub-attribute "${subName}"`);
  }
  return sub;
}

/** Resolves a full PATCH path, value filter included. Throws invalidPath / invalidFilter. */
export function resolvePath(path: string, schema: SchemaDefinition): Target {
  const { prefix, filter, sub } = splitValuePath(path);
  const base = resolveAttrPath(prefix, schema, path);
  if (filter === undefined) return base;
  if (base.kind !== "attr" || base.sub || !base.attr.config.multiValued || String(base.attr.type) !== "complex") {
    throw invalidPath(`Path "${path}": a [filter] applies only to a multi-valued complex attribute`);
  }
  return {
    ...base,
    filter: compileValueFilter(filter, base.attr, path),
    ...(sub !== undefined ? { sub: findSub(base.attr, sub, path) } : {}),
  };
}

const isReadOnly = (a: Attribute) => a.config.mutable === false || a.config.mutable === "readOnly";

/**
 * RFC 7644 §3.5.2: "a client MUST NOT modify an attribute that has mutability
 * readOnly"; `schemas` is derived by the server from the extensions present.
 */
export function assertWritable(target: AttrTarget): void {
  const { attr, sub, display } = target;
  if (attr.name === "schemas") throw mutability(`Path "${display}": "schemas" is set by the server, not by PATCH`);
  for (const a of sub ? [attr, sub] : [attr]) {
    if (isReadOnly(a)) throw mutability(`Path "${display}": "${a.name}" is readOnly (RFC 7643 §2.2) and cannot be modified`);
  }
}

/** Removing (or nulling) a required attribute would leave an invalid resource (RFC 7643 §2.2 "required"). */
export function assertRemovable(target: AttrTarget): void {
  const required = target.sub ?? target.attr;
  if (required.config.required) {
    throw mutability(`Path "${target.display}": "${required.name}" is required and cannot be removed; replace it instead`);
  }
}

export { isReadOnly };
