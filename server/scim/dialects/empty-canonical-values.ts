import SCIMMY from "scimmy";
import type { SchemaDefinition } from "../schemas.ts";

type Attribute = SCIMMY.Types.Attribute;

/**
 * scimmy declares `roles.type` and `x509Certificates.type` with
 * `canonicalValues: []` and then refuses every value that is not in that empty
 * list. RFC 7643 §4.1.2 specifies no vocabulary for either, and §2.3.1 makes
 * canonical values suggestions ("MAY"). Microsoft Entra ID sends app roles as
 * {"primary": true, "type": "WindowsAzureActiveDirectoryRole", "value": …}
 * (idp-fixtures/entra-id), which scimmy answered with 400. An empty list is
 * read as "no canonical values": the attribute accepts any string, as the RFC
 * says. Non-empty lists are left alone.
 */
export function ignoreEmptyCanonicalValues(definition: SchemaDefinition): SchemaDefinition {
  if (done.has(definition)) return definition;
  for (const a of definition.attributes as unknown[]) {
    if (a instanceof SCIMMY.Types.SchemaDefinition) ignoreEmptyCanonicalValues(a as unknown as SchemaDefinition);
    else if (a instanceof SCIMMY.Types.Attribute) relax(a);
  }
  done.add(definition);
  return definition;
}

const done = new WeakSet<object>();

function relax(attr: Attribute): void {
  const values = attr.config.canonicalValues as unknown;
  if (Array.isArray(values) && values.length === 0) (attr.config as { canonicalValues: unknown }).canonicalValues = false;
  for (const sub of attr.subAttributes ?? []) relax(sub);
}
