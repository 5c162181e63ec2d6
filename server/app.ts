import express, { type Express } from "express";
import type { Config } from "./config.ts";
import { operatorAuth } from "./http/admin-auth.ts";
import { adminRouter } from "./http/admin-routes.ts";
import { HttpError, httpErrorHandler } from "./http/error-map.ts";
import { healthRouter } from "./http/health.ts";
import type { Logger } from "./logger.ts";
import { scimRouter } from "./scim/router.ts";
import type { DatabaseHandle } from "./storage/database.ts";

export interface AppDeps {
  config: Pick<Config, "publicUrl" | "adminToken">;
  database: DatabaseHandle;
  logger: Logger;
}

export const SCIM_PATH = "/scim/v2";

/** Composition root: wires routers to their dependencies. Reads no environment. */
export function createApp({ config, database, logger }: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // Plain key=value parsing: no nested objects or arrays from the query string.
  app.set("query parser", "simple");
  // ETags are ours (row versions), not a hash of the body.
  app.set("etag", false);

  app.use(healthRouter(database.ping));
  app.use(SCIM_PATH, scimRouter({ db: database.db, baseUrl: `${config.publicUrl}${SCIM_PATH}`, logger }));
  app.use("/admin/v1", operatorAuth(config.adminToken), adminRouter(database.db, `${config.publicUrl}${SCIM_PATH}`));
  app.use((req) => {
    throw new HttpError(404, "not_found", `Nothing at ${req.method} ${req.path}`);
  });
  app.use(httpErrorHandler(logger));
  return app;
}
