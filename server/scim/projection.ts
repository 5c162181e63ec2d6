import SCIMMY from "scimmy";
import type { Projection } from "./list-params.ts";
import type { SchemaDefinition } from "./schemas.ts";
import { invalidValue } from "./scim-error.ts";

/**
 * Applies attributes / excludedAttributes (RFC 7644 §3.4.2.5) with scimmy's
 * projection. Without either parameter the resource is returned as rendered,
 * which skips a second coercion on the hot path.
 */
export function project(
  resource: Record<string, unknown>,
  definition: SchemaDefinition,
  projection: Projection,
): Record<string, unknown> {
  const filter = projectionFilter(projection);
  if (!filter) return resource;
  const projected = definition.coerce(resource, "out", undefined, filter) as Record<string, unknown>;
  // `schemas` and `id` are always returned (RFC 7643 §3.1), whatever was asked for.
  return { schemas: resource.schemas, id: resource.id, ...projected };
}

function projectionFilter(p: Projection): InstanceType<typeof SCIMMY.Types.Filter> | undefined {
  // RFC 7644: attributes wins when both are given.
  const names = p.attributes ?? p.excludedAttributes;
  if (!names?.length) return undefined;
  const op = p.attributes ? "pr" : "np";
  for (const n of names) {
    if (!/^[A-Za-z0-9:._$-]+$/.test(n)) throw invalidValue(`"${n}" is not an attribute name`);
  }
  try {
    return new SCIMMY.Types.Filter(names.map((n) => `${n} ${op}`).join(" and "));
  } catch (e) {
    throw invalidValue(`attributes: ${(e as Error).message}`);
  }
}

/** Whether a projection lets `attr` through (used to skip loading what will not be returned). */
export function includesAttribute(p: Projection, attr: string): boolean {
  const a = attr.toLowerCase();
  const mentions = (names: string[]) =>
    names.some((n) => {
      const short = n.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, "");
      return short === a || short.startsWith(`${a}.`);
    });
  if (p.attributes?.length) return mentions(p.attributes);
  if (p.excludedAttributes?.length) return !mentions(p.excludedAttributes);
  return true;
}
