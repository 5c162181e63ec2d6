import SCIMMY from "scimmy";
import type { Projection } from "./list-params.ts";
import type { SchemaDefinition } from "./schemas.ts";
import { invalidValue } from "./scim-error.ts";

/**
 * Applies attributes / excludedAttributes (RFC 7644 §3.4.2.5). Two requests
 * skip scimmy's outbound coercion, the costliest step of rendering a page:
 * neither parameter (the resource is returned as rendered: the renderers
 * already produce what the coercion would, see test/scim/projection-fast-path.test.ts),
 * and `attributes=id` alone (a client collecting ids walks the whole list so).
 */
export function project(
  resource: Record<string, unknown>,
  definition: SchemaDefinition,
  projection: Projection,
): Record<string, unknown> {
  if (!projection.attributes?.length && !projection.excludedAttributes?.length) return resource;
  if (onlyId(projection, definition)) {
    return { schemas: Array.isArray(resource.schemas) ? resource.schemas.slice(0, 1) : resource.schemas, id: resource.id };
  }
  return projectWithScimmy(resource, definition, projection);
}

/** `attributes` naming `id` alone (any case, or with the core schema URN): what scimmy answers is schemas[0] and id. */
function onlyId(projection: Projection, definition: SchemaDefinition): boolean {
  const names = projection.attributes;
  if (!names?.length) return false;
  const qualified = `${definition.id.toLowerCase()}:id`;
  return names.every((n) => n.toLowerCase() === "id" || n.toLowerCase() === qualified);
}

/** The general projection through scimmy (exported so tests can compare the fast paths with it). */
export function projectWithScimmy(
  resource: Record<string, unknown>,
  definition: SchemaDefinition,
  projection: Projection,
): Record<string, unknown> {
  const attributes = shortNames(projection.attributes, definition);
  const excluded = shortNames(projection.excludedAttributes, definition);
  const filter = projectionFilter(attributes, excluded);
  if (!filter) return resource;
  const { schemas: _s, id: _i, ...projected } = definition.coerce(resource, "out", undefined, filter) as Record<string, unknown>;
  // scimmy keeps an extension's whole object when `attributes` names only sub-attributes
  // (groups.display) or unknown names: keep only the extensions that were asked for.
  if (attributes) {
    for (const key of Object.keys(projected)) {
      if (key.includes(":") && !attributes.some((n) => refersTo(n, key))) delete projected[key];
    }
  }
  // `schemas` and `id` are always returned (RFC 7643 §3.1), whatever was asked for;
  // `schemas` lists the core schema and the extensions actually present.
  const schemas = Array.isArray(resource.schemas)
    ? resource.schemas.filter((s, i) => i === 0 || (typeof s === "string" && s in projected))
    : resource.schemas;
  return { schemas, id: resource.id, ...projected };
}

/**
 * Names as scimmy's projection understands them: a core attribute named with its
 * schema URN (RFC 7644 §3.10, `urn:…:core:2.0:User:userName`) becomes its short name,
 * which scimmy otherwise ignores. Extension names keep their URN.
 */
function shortNames(names: string[] | undefined, definition: SchemaDefinition): string[] | undefined {
  if (!names?.length) return undefined;
  const core = `${definition.id.toLowerCase()}:`;
  for (const n of names) {
    if (!/^[A-Za-z0-9:._$-]+$/.test(n)) throw invalidValue(`"${n}" is not an attribute name`);
  }
  return names.map((n) => (n.toLowerCase().startsWith(core) ? n.slice(core.length) : n));
}

/** Does the requested name `n` select (part of) the extension whose URN is `urn`? */
function refersTo(n: string, urn: string): boolean {
  const a = n.toLowerCase();
  const u = urn.toLowerCase();
  return a === u || a.startsWith(`${u}:`);
}

function projectionFilter(
  attributes: string[] | undefined,
  excluded: string[] | undefined,
): InstanceType<typeof SCIMMY.Types.Filter> | undefined {
  // RFC 7644: attributes wins when both are given.
  const names = attributes ?? excluded;
  if (!names?.length) return undefined;
  const op = attributes ? "pr" : "np";
  try {
    return new SCIMMY.Types.Filter(names.map((n) => `${n} ${op}`).join(" and "));
  } catch (e) {
    throw invalidValue(`attributes: ${(e as Error).message}`);
  }
}

/**
 * Whether a projection lets `attr` through (used to skip loading what will not
 * be returned). Excluding a sub-attribute (`members.display`) still returns the
 * attribute's other sub-attributes, so only excluding the whole attribute counts.
 */
export function includesAttribute(p: Projection, attr: string): boolean {
  const a = attr.toLowerCase();
  const short = (n: string) => n.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, "");
  if (p.attributes?.length) return p.attributes.some((n) => short(n) === a || short(n).startsWith(`${a}.`));
  if (p.excludedAttributes?.length) return !p.excludedAttributes.some((n) => short(n) === a);
  return true;
}
