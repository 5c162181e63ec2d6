import type SCIMMY from "scimmy";
import type { SchemaDefinition } from "../schemas.ts";

type Attribute = SCIMMY.Types.Attribute;

/**
 * Microsoft Entra ID sends booleans as strings ("True", "False") in POST and
 * PUT bodies as well as in PATCH (idp-fixtures/entra-id). scimmy refuses them,
 * and its maintainer will not change that (scimmyjs/scimmy#86), so we coerce
 * string booleans to real ones here, only where the schema says boolean.
 */
export function coerceStringBooleans(body: Record<string, unknown>, definition: SchemaDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const [key, value] of Object.entries(body)) {
    const attr = attributeOf(definition, key);
    if (attr) out[key] = coerceValue(attr, value);
    else if (isObject(value) && isExtension(definition, key)) {
      out[key] = coerceStringBooleans(value, extensionOf(definition, key)!);
    }
  }
  return out;
}

function coerceValue(attr: Attribute, value: unknown): unknown {
  if (attr.config.multiValued && Array.isArray(value)) return value.map((v) => coerceSingle(attr, v));
  return coerceSingle(attr, value);
}

function coerceSingle(attr: Attribute, value: unknown): unknown {
  if (attr.type === "boolean" && typeof value === "string") {
    const lower = value.trim().toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    return value;
  }
  if (attr.type === "complex" && isObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const [k, v] of Object.entries(value)) {
      const sub = attr.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase());
      if (sub) out[k] = coerceSingle(sub, v);
    }
    return out;
  }
  return value;
}

function attributeOf(definition: SchemaDefinition, key: string): Attribute | undefined {
  if (key.includes(":")) return undefined;
  return definition.attributes.find(
    (a): a is Attribute => "type" in a && (a as Attribute).name.toLowerCase() === key.toLowerCase(),
  );
}

function extensionOf(definition: SchemaDefinition, key: string): SchemaDefinition | undefined {
  return definition.attributes.find(
    (a) => "id" in a && (a as unknown as SchemaDefinition).id.toLowerCase() === key.toLowerCase(),
  ) as unknown as SchemaDefinition | undefined;
}

const isExtension = (d: SchemaDefinition, key: string) => extensionOf(d, key) !== undefined;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
