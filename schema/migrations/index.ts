import type { Migration } from "kysely";
import * as scimCore from "./2026-11-21-0001-scim-core.ts";
import * as organizationModel from "./2026-11-21-0002-organization-model.ts";
import * as samlSignIn from "./2026-11-21-0003-saml-sign-in.ts";

/** Every migration, listed explicitly in the order they run. Names are frozen once shipped. */
export const migrations: Record<string, Migration> = {
  "2026-11-21-0001-scim-core": scimCore,
  "2026-11-21-0002-organization-model": organizationModel,
  "2026-11-21-0003-saml-sign-in": samlSignIn,
};
