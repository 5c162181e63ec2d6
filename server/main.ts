import { createServer, type ServerResponse } from "node:http";
import { createApp } from "./app.ts";
import { ScimRequestLog } from "./domain/scim-request-log.ts";
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

  const scimRequestLog = new ScimRequestLog(database.db, {
    onError: (err, dropped) => logger.warn({ err, dropped }, "SCIM request log: entries dropped"),
  });
  const app = createApp({ config, database, logger, scimRequestLog });
  const timeouts = config.httpTimeouts;
  const server = createServer(
    {
      // Stated, not inherited: Node's default has changed before (80 KiB, then 8, then 16).
      // A larger request line or header block gets 431 and the connection is closed.
      maxHeaderSize: MAX_HEADER_BYTES,
      // The header and request timeouts below are enforced by a sweep this often
      // (Node's default is 30 s, which would let a slow client stay that much longer).
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
    },
    app,
  );
  server.listen(config.port, () => {
    logger.info(
      { port: config.port, scim: `${config.publicUrl}/scim/v2`, console: `${config.publicUrl}/admin/`, database: database.engine === "pglite" ? config.dataDir : "postgres" },
      "scim-gate listening",
    );
  });
  // Slow or stalled clients must not hold sockets forever (slowloris), however
  // slowly they trickle bytes in (config.ts, HTTP_*_TIMEOUT_SECONDS):
  // - headersTimeout: the request line and headers must arrive within 10 s;
  // - requestTimeout: the whole request (headers and body) within 60 s, enough
  //   for a CSV import or a large SCIM list over a slow link (Node's default is 300 s);
  // - keepAliveTimeout: an idle keep-alive connection is closed after 5 s. Behind a
  //   load balancer that reuses connections longer, raise it above the balancer's
  //   idle timeout (e.g. 65 s for an AWS ALB), or the balancer may send on a closing socket.
  // A client cut off by the first two gets 408 and a closed connection.
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;

  // Responses still open when shutdown starts are told to close their connection,
  // so clients reconnect elsewhere instead of reusing a socket about to go away.
  let shuttingDown = false;
  const open = new Set<ServerResponse>();
  server.on("request", (_req, res: ServerResponse) => {
    if (shuttingDown) res.setHeader("Connection", "close");
    open.add(res);
    res.once("close", () => open.delete(res));
  });
  const shutdown = (signal: string) => {
    if (shuttingDown) {
      // A second signal means "now": drop whatever is still open.
      logger.warn({ signal }, "second signal: closing every connection now");
      server.closeAllConnections();
      return;
    }
    shuttingDown = true;
    logger.info({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, "shutting down: no new connections, waiting for requests in flight");
    for (const res of open) if (!res.headersSent) res.setHeader("Connection", "close");
    // Connections whose request has finished are closed as they go idle: close()
    // alone leaves keep-alive sockets open until their timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const deadline = setTimeout(() => {
      logger.warn({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "requests still in flight at the shutdown deadline: closing them");
      server.closeAllConnections();
    }, SHUTDOWN_DEADLINE_MS);
    server.close(async () => {
      clearInterval(sweep);
      clearTimeout(deadline);
      // Requests have finished: what they logged is written before the database closes.
      await scimRequestLog.flush();
      try {
        await database.close();
      } catch (err) {
        logger.warn({ err }, "closing the database failed");
      }
      logger.info("stopped");
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** Request line plus headers; see where the server is created. */
const MAX_HEADER_BYTES = 16 * 1024;
/** How long requests in flight get to finish after SIGTERM (Kubernetes waits 30 s before SIGKILL). */
const SHUTDOWN_DEADLINE_MS = 10_000;

await main();
