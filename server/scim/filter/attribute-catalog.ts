/**
 * Which attributes a filter or sortBy may name, taken from scimmy's schema
 * definitions so names, types, caseExact and multiValued follow RFC 7643
 * exactly. Names resolve case-insensitively (RFC 7643 §2.1) in short form
 * (`userName`, `name.familyName`) or fully qualified by schema URN
 * (RFC 7644 §3.10, `urn:...:enterprise:2.0:User:manager.value`).
 */
import SCIMMY from "scimmy";
import { invalidFilter } from "../scim-error.ts";

export type Attribute = SCIMMY.Types.Attribute;
export type ResourceKind = "User" | "Group";

export interface CatalogSchema {
  urn: string;
  /** Extension attributes live in the resource jsonb under their schema URN. */
  extension: boolean;
  attributes: readonly Attribute[];
}

export interface ResolvedAttribute {
  schema: CatalogSchema;
  attr: Attribute;
  sub?: Attribute;
  /** Canonical spelling, for error messages. */
  path: string;
}

/**
 * Core schema plus every extension registered on it. The enterprise extension
 * is always included for User without calling `User.extend()`: scimmy's schema
 * registry is process-global, and whether the service declares the extension
 * (for /Schemas and coercion) is the composition root's decision, not ours.
 * Built per call (a few dozen objects) so later registrations are seen.
 */
export function catalogFor(kind: ResourceKind): CatalogSchema[] {
  const core = kind === "User" ? SCIMMY.Schemas.User.definition : SCIMMY.Schemas.Group.definition;
  const schemas: CatalogSchema[] = [{ urn: core.id, extension: false, attributes: [] }];
  const coreAttrs: Attribute[] = [];
  const add = (ext: SCIMMY.Types.SchemaDefinition) => {
    if (schemas.some((s) => s.urn === ext.id)) return;
    // Extensions repeat the shadow common attributes (id, meta...): those belong to the core.
    schemas.push({ urn: ext.id, extension: true, attributes: ext.attributes.filter((a) => !a.config.shadow) });
  };
  for (const a of core.attributes as Array<Attribute | SCIMMY.Types.SchemaDefinition>) {
    if (a instanceof SCIMMY.Types.SchemaDefinition) add(a);
    else coreAttrs.push(a);
  }
  schemas[0] = { ...schemas[0]!, attributes: coreAttrs };
  if (kind === "User") add(SCIMMY.Schemas.EnterpriseUser.definition);
  return schemas;
}

const byName = (attrs: readonly Attribute[] | undefined, name: string) =>
  attrs?.find((a) => a.name.toLowerCase() === name.toLowerCase());

/** A write-only attribute (password: returned "never") must not become a search oracle. */
function checkFilterable(attr: Attribute, path: string): void {
  if (attr.config.returned === false || attr.config.returned === "never") {
    throw invalidFilter(`attribute "${path}" is write-only (returned "never") and cannot be searched or sorted on`);
  }
}

export function resolveAttribute(kind: ResourceKind, rawPath: string): ResolvedAttribute {
  const schemas = catalogFor(kind);
  let scope = schemas;
  let rest = rawPath;
  const colon = rawPath.lastIndexOf(":");
  if (colon >= 0) {
    const urn = rawPath.slice(0, colon).toLowerCase();
    const schema = schemas.find((s) => s.urn.toLowerCase() === urn);
    if (!schema) {
      const known = schemas.map((s) => s.urn).join(", ");
      throw invalidFilter(`unknown schema "${rawPath.slice(0, colon)}" in "${rawPath}"; ${kind} schemas are: ${known}`);
    }
    scope = [schema];
    rest = rawPath.slice(colon + 1);
  }
  const parts = rest.split(".");
  if (parts.length > 2 || parts.some((p) => p === "")) {
    throw invalidFilter(`"${rawPath}" is not an attribute path: use attribute or attribute.subAttribute`);
  }
  // Core first, then extensions in order (RFC 7644 §3.10 lets short names reach extensions).
  for (const schema of scope) {
    const attr = byName(schema.attributes, parts[0]!);
    if (!attr) continue;
    checkFilterable(attr, attr.name);
    if (parts.length === 1) return { schema, attr, path: attr.name };
    const sub = resolveSub(attr, parts[1]!, attr.name);
    return { schema, attr, sub, path: `${attr.name}.${sub.name}` };
  }
  throw invalidFilter(`unknown attribute "${rawPath}" for ${kind} resources`);
}

/** A sub-attribute of a complex attribute, e.g. `type` inside `emails[type eq "work"]`. */
export function resolveSub(parent: Attribute, rawName: string, parentPath: string): Attribute {
  if (parent.type !== "complex") {
    throw invalidFilter(`"${parentPath}" is not complex and has no sub-attribute "${rawName}"`);
  }
  const sub = byName(parent.subAttributes, rawName);
  if (!sub) {
    const known = (parent.subAttributes ?? []).map((s) => s.name).join(", ");
    throw invalidFilter(`unknown sub-attribute "${rawName}" of "${parentPath}" (known: ${known})`);
  }
  checkFilterable(sub, `${parentPath}.${sub.name}`);
  return sub;
}
