import SCIMMY from "scimmy";

/**
 * The SCIM schema definitions this server serves. scimmy's registry is
 * process-wide, so extension happens once here and every module imports the
 * definitions from this file rather than extending them again.
 */
const ENTERPRISE = SCIMMY.Schemas.EnterpriseUser;
let extended = false;

function ensureExtended(): void {
  if (extended) return;
  const already = SCIMMY.Schemas.User.definition.attributes.some(
    (a: unknown) => (a as { id?: string }).id === ENTERPRISE.definition.id,
  );
  if (!already) SCIMMY.Schemas.User.definition.extend(ENTERPRISE.definition, false);
  extended = true;
}

export type SchemaDefinition = typeof SCIMMY.Schemas.User.definition;

export function userSchemaDefinition(): SchemaDefinition {
  ensureExtended();
  return SCIMMY.Schemas.User.definition;
}

export function groupSchemaDefinition(): SchemaDefinition {
  return SCIMMY.Schemas.Group.definition;
}

export const USER_SCHEMA = SCIMMY.Schemas.User.definition.id;
export const GROUP_SCHEMA = SCIMMY.Schemas.Group.definition.id;
export const ENTERPRISE_USER_SCHEMA = ENTERPRISE.definition.id;
