import { randomUUID } from "node:crypto";
import pg from "pg";
import { type DatabaseHandle, openDatabase } from "../../server/storage/database.ts";
import { migrateToLatest } from "../../server/storage/migrate.ts";

export type Engine = "pglite" | "postgres";

/**
 * The engines every database test runs on: embedded PGlite always, and real
 * PostgreSQL too when TEST_DATABASE_URL names a server (CI sets it).
 */
export const ENGINES: Engine[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/**
 * A migrated database for one test file: in-memory PGlite, or a throwaway
 * PostgreSQL database created on the TEST_DATABASE_URL server and dropped on close.
 */
export async function openTestDatabase(engine: Engine): Promise<DatabaseHandle> {
  if (engine === "pglite") {
    const handle = await openDatabase({ dataDir: "memory://" });
    await mustMigrate(handle);
    return handle;
  }
  const { url, drop } = await createThrowawayDatabase("scimtest");
  const handle = await openDatabase({ databaseUrl: url, poolSize: 5 });
  await mustMigrate(handle);
  return {
    ...handle,
    async close() {
      await handle.close();
      await drop();
    },
  };
}

export async function createThrowawayDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  await withAdmin(serverUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () => withAdmin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function withAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function mustMigrate(handle: DatabaseHandle): Promise<void> {
  const result = await migrateToLatest(handle.db);
  if (result.error) throw result.error;
}
