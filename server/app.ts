import express, { type Express } from "express";
import type { Config } from "./config.ts";
import { sessionRouter } from "./auth/session-routes.ts";
import { ssoRouter } from "./auth/sso-routes.ts";
import { adminSessionRouter } from "./http/admin-session-routes.ts";
import { consoleAuth } from "./http/console-auth.ts";
import { consoleGuards } from "./http/console-guards.ts";
import { scimRequestsRouter } from "./http/scim-requests-routes.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { ScimRequestLog } from "./domain/scim-request-log.ts";
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
import { clientRateLimit } from "./http/rate-limit.ts";
import { createRateLimiter } from "./domain/rate-limiter.ts";
import { createTxtResolver, type TxtResolver } from "./lib/dns-txt.ts";
import type { Logger } from "./logger.ts";
import { scimRouter } from "./scim/router.ts";
import { adminConsoleRouter } from "./console/console-router.ts";
import type { DatabaseHandle } from "./storage/database.ts";
import { latestMigrationApplied } from "./storage/migration-status.ts";
import { seatTotalsOfAllOrgs } from "./storage/seat-gauges-repo.ts";

export interface AppDeps {
  /** Without rateLimits nothing is rate-limited (tests); main.ts always passes them. */
  config: Pick<Config, "publicUrl" | "adminToken"> & Partial<Pick<Config, "dnsServers" | "rateLimits" | "trustProxy">>;
  database: DatabaseHandle;
  logger: Logger;
  /** TXT lookups for domain verification; defaults to Node's resolver on config.dnsServers. */
  resolveTxt?: TxtResolver;
  /** The SCIM request log (main.ts flushes it on shutdown); one with default timing when absent. */
  scimRequestLog?: ScimRequestLog;
}

export const SCIM_PATH = "/scim/v2";

/** Composition root: wires routers to their dependencies. Reads no environment. */
export function createApp({ config, database, logger, resolveTxt, scimRequestLog }: AppDeps): Express {
  const db = database.db;
  const scimBaseUrl = `${config.publicUrl}${SCIM_PATH}`;
  const app = express();
  app.disable("x-powered-by");
  // Plain key=value parsing: no nested objects or arrays from the query string.
  app.set("query parser", "simple");
  // ETags are ours (row versions), not a hash of the body.
  app.set("etag", false);

  // The client address of sign-in rate limits comes from X-Forwarded-For only through the proxies named here.
  if (config.trustProxy) app.set("trust proxy", config.trustProxy);

  const requestLog =
    scimRequestLog ??
    new ScimRequestLog(db, { onError: (err, dropped) => logger.warn({ err, dropped }, "SCIM request log: entries dropped") });
  const metrics = createMetrics({ seatTotals: () => seatTotalsOfAllOrgs(db), poolStats: () => database.poolStats() });
  const limits = config.rateLimits;
  const limiter =
    limits &&
    createRateLimiter(db, {
      windowSeconds: limits.windowSeconds,
      onRefused: metrics.rateLimited,
      onPruneError: (err) => logger.warn({ err }, "pruning old rate-limit counters failed; the next window retries"),
    });
  app.use(requestContext({ logger, onComplete: metrics.record }));
  app.use(securityHeaders({ publicUrl: config.publicUrl }));
  app.use(healthRouter(database.ping));
  app.use(readinessRouter({ ping: database.ping, migrated: () => latestMigrationApplied(db) }));
  app.use(metricsRouter(metrics, config.adminToken));
  // Health, readiness and metrics above are never rate-limited; the SCIM door counts per token and organization.
  const scimRateLimit = limiter && { limiter, perToken: limits.perToken, perOrg: limits.perOrg };
  app.use(SCIM_PATH, scimRouter({ db, baseUrl: scimBaseUrl, logger, requestLog, rateLimit: scimRateLimit }));
  // Enterprise sign-in (public): /sso/*, /me, /logout. /sso/* has no credential to count against: per client address.
  if (limiter) app.use("/sso", clientRateLimit({ limiter, scope: "sso_client", perClient: limits.perSsoClient, what: "sign-in requests" }));
  app.use(ssoRouter({ db, publicUrl: config.publicUrl, logger }));
  app.use(sessionRouter({ db, publicUrl: config.publicUrl }));

  const admin = express.Router();
  const consoleDeps = { db, adminToken: config.adminToken, publicUrl: config.publicUrl };
  // Operator sign-in, who-am-I and sign-out; then every other route needs a caller and passes the access rules.
  admin.use(adminSessionRouter({ ...consoleDeps, logger }));
  admin.use(consoleAuth(consoleDeps));
  admin.use(consoleGuards({ db }));
  admin.use("/orgs/:org/scim-requests", scimRequestsRouter({ db }));
  admin.use("/orgs/:org/domains", domainsRouter({ db, resolveTxt: resolveTxt ?? createTxtResolver(config.dnsServers ?? []) }));
  admin.use("/orgs/:org/saml", samlAdminRouter({ db, publicUrl: config.publicUrl }));
  admin.use("/orgs/:org/imports", importRouter({ db, logger }));
  admin.use("/orgs/:org", productsRouter({ db }));
  admin.use("/orgs/:org", usersAdminRouter({ db }));
  admin.use("/orgs/:org", groupsAdminRouter({ db }));
  admin.use("/orgs/:org", auditRouter({ db }));
  admin.use(adminRouter(db, scimBaseUrl));
  app.use("/admin/v1", admin);
  // The browser console: after the API, so /admin/v1/* never reaches it.
  app.use("/admin", adminConsoleRouter({ logger }));
  app.use((req) => {
    throw new HttpError(404, "not_found", `Nothing at ${req.method} ${req.path}`);
  });
  app.use(httpErrorHandler(logger));
  return app;
}
