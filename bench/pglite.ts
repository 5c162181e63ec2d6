import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { loadData } from "./load.ts";
import { createOrganization, SERVER_ENV } from "./org.ts";
import { type BenchProcess, startProcess } from "./processes.ts";

/**
 * Scenario 8's server: server/main.ts without DATABASE_URL (the embedded PGlite
 * default) on a fresh DATA_DIR. Its data goes in through the same loader as
 * PostgreSQL's: the server is started once (migrations, then the organization
 * through the operator API), stopped, the loader opens the data directory
 * in-process (PGlite allows one process at a time) and the server is started
 * again on it.
 */
export interface PgliteServer {
  process: BenchProcess;
  url: string;
  token: string;
  domain: string;
  users: number;
  loadSeconds: number;
  stop(): Promise<void>;
}

export async function startPgliteServer(o: {
  entry: string;
  adminToken: string;
  domain: string;
  users: number;
  core: number | undefined;
  log: (line: string) => void;
}): Promise<PgliteServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "scim-bench-pglite-"));
  const start = () =>
    startProcess({ name: "pglite server", entry: o.entry, core: o.core, env: { DATA_DIR: dataDir, ADMIN_TOKEN: o.adminToken, ...SERVER_ENV } });
  let server: BenchProcess | undefined;
  try {
    server = await start();
    const { orgId, token } = await createOrganization(server.url, o.adminToken, o.domain);
    await server.stop();
    server = undefined;
    const started = Date.now();
    const db = await PGlite.create(dataDir);
    try {
      await loadData({ client: db, orgId, domain: o.domain, users: o.users, groupMembers: Math.min(o.users - 1, 20), log: o.log });
    } finally {
      await db.close();
    }
    const loadSeconds = (Date.now() - started) / 1000;
    server = await start();
    const running = server;
    return {
      process: running,
      url: running.url,
      token,
      domain: o.domain,
      users: o.users,
      loadSeconds,
      stop: async () => {
        await running.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
