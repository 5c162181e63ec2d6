import express, { type Express } from "express";
import type { Config } from "./config.ts";
import { sessionRouter } from "./auth/session-routes.ts";
import { ssoRouter } from "./auth/sso-routes.ts";
import { operatorAuth } from "./http/admin-auth.ts";
import { auditRouter } from "./http/audit-routes.ts";
import { groupsAdminRouter } from "./http/groups-admin-routes.ts";
import { usersAdminRouter } from "./http/users-admin-routes.ts";
import { adminRouter } from "./http/admin-routes.ts";
import { HttpError, httpErrorHandler } from "./http/error-map.ts";
import { domainsRouter } from "./http/domains-routes.ts";
import { healthRouter, readinessRouter } from "./http/health.ts";
import { createMetrics, metricsRouter } from "./http/metrics.ts";
import { requestContext } from "./http/request-context.ts";
import { importRouter } from "./http/import-routes.ts";
import { productsRouter } from "./http/products-routes.ts";
import { samlAdminRouter } from "./http/saml-admin-routes.ts";
import { createTxtResolver, type TxtResolver } from "./lib/dns-txt.ts";
import type { Logger } from "./logger.ts";
import { scimRouter } from "./scim/router.ts";
import type { DatabaseHandle } from "./storage/database.ts";
import { latestMigrationApplied } from "./storage/migration-status.ts";
import { seatTotalsOfAllOrgs } from "./storage/seat-gauges-repo.ts";

export interface AppDeps {
  config: Pick<Config, "publicUrl" | "adminToken"> & Partial<Pick<Config, "dnsServers">>;
  database: DatabaseHandle;
  logger: Logger;
  /** TXT lookups for domain verification; defaults to Node's resolver on config.dnsServers. */
  resolveTxt?: TxtResolver;
}

export const SCIM_PATH = "/scim/v2";

/** Composition root: wires routers to their dependencies. Reads no environment. */
export function createApp({ config, database, logger, resolveTxt }: AppDeps): Express {
  const db = database.db;
  const scimBaseUrl = `${config.publicUrl}${SCIM_PATH}`;
  const app = express();
  app.disable("x-powered-by");
  // Plain key=value parsing: no nested objects or arrays from the query string.
  app.set("query parser", "simple");
  // ETags are ours (row versions), not a hash of the body.
  app.set("etag", false);

  const metrics = createMetrics({ seatTotals: () => seatTotalsOfAllOrgs(db), poolStats: () => database.poolStats() });
  app.use(requestContext({ logger, onComplete: metrics.record }));
  app.use(healthRouter(database.ping));
  app.use(readinessRouter({ ping: database.ping, migrated: () => latestMigrationApplied(db) }));
  app.use(metricsRouter(metrics, config.adminToken));
  app.use(SCIM_PATH, scimRouter({ db, baseUrl: scimBaseUrl, logger }));
  // Enterprise sign-in (public): /sso/*, /me, /logout.
  app.use(ssoRouter({ db, publicUrl: config.publicUrl, logger }));
  app.use(sessionRouter({ db, publicUrl: config.publicUrl }));

  const admin = express.Router();
  admin.use(operatorAuth(config.adminToken));
  admin.use("/orgs/:org/domains", domainsRouter({ db, resolveTxt: resolveTxt ?? createTxtResolver(config.dnsServers ?? []) }));
  admin.use("/orgs/:org/saml", samlAdminRouter({ db, publicUrl: config.publicUrl }));
  admin.use("/orgs/:org/imports", importRouter({ db, logger }));
  admin.use("/orgs/:org", productsRouter({ db }));
  admin.use("/orgs/:org", usersAdminRouter({ db }));
  admin.use("/orgs/:org", groupsAdminRouter({ db }));
  admin.use("/orgs/:org", auditRouter({ db }));
  admin.use(adminRouter(db, scimBaseUrl));
  app.use("/admin/v1", admin);
  app.use((req) => {
    throw new HttpError(404, "not_found", `Nothing at ${req.method} ${req.path}`);
  });
  app.use(httpErrorHandler(logger));
  return app;
}
