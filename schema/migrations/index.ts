import type { Migration } from "kysely";
import * as scimCore from "./2026-11-21-0001-scim-core.ts";
import * as organizationModel from "./2026-11-21-0002-organization-model.ts";
import * as samlSignIn from "./2026-11-21-0003-saml-sign-in.ts";
import * as rateLimits from "./2026-11-21-0004-rate-limits.ts";
import * as adminConsole from "./2026-11-21-0005-admin-console.ts";
import * as userCounts from "./2026-11-21-0006-user-counts.ts";
import * as auditActorLabel from "./2026-11-21-0007-audit-actor-label.ts";

/** Every migration, listed explicitly in the order they run. Names are frozen once shipped. */
export const migrations: Record<string, Migration> = {
  "2026-11-21-0001-scim-core": scimCore,
  "2026-11-21-0002-organization-model": organizationModel,
  "2026-11-21-0003-saml-sign-in": samlSignIn,
  "2026-11-21-0004-rate-limits": rateLimits,
  "2026-11-21-0005-admin-console": adminConsole,
  "2026-11-21-0006-user-counts": userCounts,
  "2026-11-21-0007-audit-actor-label": auditActorLabel,
};
