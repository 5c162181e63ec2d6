import { createApp } from "./app.ts";
import { ConfigError, parseConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { openDatabase } from "./storage/database.ts";
import { migrateToLatest } from "./storage/migrate.ts";

/** Process entry: the only reader of process.env and the only caller of process.exit. */
async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onIdleError: (err) => logger.warn({ err }, "idle database connection failed; the pool replaces it"),
  });
  const migrated = await migrateToLatest(database.db);
  if (migrated.error) {
    logger.fatal({ err: migrated.error }, "database migration failed");
    await database.close();
    process.exit(1);
  }
  for (const m of migrated.results ?? []) logger.info({ migration: m.migrationName, status: m.status }, "migration");

  if (!config.adminToken) {
    logger.warn(
      "ADMIN_TOKEN is not set: the operator API (/admin/v1) refuses every call. " +
        "Set it to a long random secret, e.g. ADMIN_TOKEN=$(openssl rand -hex 32) npm start",
    );
  }

  const app = createApp({ config, database, logger });
  const server = app.listen(config.port, () => {
    logger.info(
      { port: config.port, scim: `${config.publicUrl}/scim/v2`, database: database.engine === "pglite" ? config.dataDir : "postgres" },
      "scim-gate listening",
    );
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    server.close(async () => {
      await database.close();
      process.exit(0);
    });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

await main();
