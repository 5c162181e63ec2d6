import SCIMMY from "scimmy";

/**
 * The SCIM schema definitions this server serves. scimmy's registry is
 * process-wide, so extension happens once here and every module imports the
 * definitions from this file rather than extending them again.
 */
const ENTERPRISE = SCIMMY.Schemas.EnterpriseUser;

/**
 * Our own User extension: provisioning state this server keeps that no core
 * attribute carries. `entitlements` lists the products a user holds; products
 * it wants but waits for (no free seat yet) are listed here.
 */
export const SCIMGATE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:scimgate:2.0:User";
const SCIMGATE_USER = new SCIMMY.Types.SchemaDefinition(
  "ScimGateUser",
  SCIMGATE_USER_SCHEMA,
  "Provisioning state kept by scim-gate",
  [
    new SCIMMY.Types.Attribute("string", "pendingProducts", {
      multiValued: true,
      mutable: "readOnly",
      caseExact: true,
      description: "Product keys this user is assigned through a group but waits for a free seat (first come, first served)",
    }),
  ],
);

let extended = false;

function ensureExtended(): void {
  if (extended) return;
  const has = (id: string) =>
    SCIMMY.Schemas.User.definition.attributes.some((a: unknown) => (a as { id?: string }).id === id);
  if (!has(ENTERPRISE.definition.id)) SCIMMY.Schemas.User.definition.extend(ENTERPRISE.definition, false);
  if (!has(SCIMGATE_USER_SCHEMA)) SCIMMY.Schemas.User.definition.extend(SCIMGATE_USER, false);
  extended = true;
}

// At load, not on first use: the filter catalog (scim/filter/attribute-catalog.ts)
// reads the User definition's extensions directly, and a process whose first
// request filtered on `urn:...:scimgate:2.0:User:pendingProducts` was told the
// schema did not exist.
ensureExtended();

export function scimGateUserSchemaDefinition(): SchemaDefinition {
  return SCIMGATE_USER as unknown as SchemaDefinition;
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
