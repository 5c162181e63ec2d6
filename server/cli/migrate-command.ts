import type { MigrationResult } from "kysely";
import { ConfigError, parseConfig } from "../config.ts";
import { openDatabase } from "../storage/database.ts";
import { migrateToLatest } from "../storage/migrate.ts";
import type { Command } from "./command.ts";
import { CliFailure, UsageError } from "./io.ts";
import { printJson, printLines } from "./output.ts";

const STATUS_WORD: Record<MigrationResult["status"], string> = { Success: "applied", Error: "failed", NotExecuted: "skipped" };

/**
 * Runs the server's migrations directly on its database (not over HTTP), with
 * the same DATABASE_URL / DATA_DIR rules as the server. Safe beside running
 * servers on PostgreSQL (an advisory lock serialises migrators).
 */
export const migrateCommand: Command = {
  words: ["migrate"],
  args: [],
  summary: "Run pending database migrations on DATABASE_URL or DATA_DIR",
  details: [
    "Uses DATABASE_URL (postgres://…) when set, otherwise the embedded PGlite database in",
    "DATA_DIR (default ./data, relative to the current directory). Idempotent. The server also",
    "migrates at start-up; run this to migrate ahead of a deploy. PGlite allows one process at",
    "a time: stop the server before migrating its DATA_DIR.",
  ].join("\n"),
  async run({ io, json }) {
    const config = databaseConfig(io.env);
    const target = config.databaseUrl
      ? { engine: "postgres", location: describePostgres(config.databaseUrl) }
      : { engine: "pglite", location: config.dataDir };
    const where = config.databaseUrl ? `PostgreSQL ${target.location}` : `PGlite in ${target.location}`;
    let outcome;
    try {
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
      try {
        outcome = await migrateToLatest(database.db);
      } finally {
        await database.close();
      }
    } catch (e) {
      throw new CliFailure(`cannot migrate ${where}: ${errorMessage(e)}`, "migration_failed");
    }
    const results = (outcome.results ?? []).map((r) => ({ migration: r.migrationName, status: STATUS_WORD[r.status] }));
    if (json) printJson(io.stdout, { ...target, migrations: results });
    else {
      printLines(io.stdout, `Database: ${where}`);
      if (!results.length && !outcome.error) printLines(io.stdout, "Up to date: no migrations to run.");
      for (const r of results) printLines(io.stdout, `  ${r.status.padEnd(8)} ${r.migration}`);
    }
    if (outcome.error) throw new CliFailure(`migration failed: ${errorMessage(outcome.error)}`, "migration_failed");
  },
};

/** Only the two database variables: an unrelated setting (say, a short ADMIN_TOKEN) must not block a migration. */
function databaseConfig(env: Record<string, string | undefined>) {
  try {
    return parseConfig({ DATABASE_URL: env.DATABASE_URL, DATA_DIR: env.DATA_DIR });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.problems.join("; "), "migrate");
    throw e;
  }
}

/** Host, port and database name: never the credentials in the URL. */
function describePostgres(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(DATABASE_URL)";
  }
}

const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));
