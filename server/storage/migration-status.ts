import { type Kysely, sql } from "kysely";
import { migrations } from "../../schema/migrations/index.ts";
import type { Database } from "./tables.ts";

/** Kysely's bookkeeping table (Migrator's default name). */
const MIGRATION_TABLE = "kysely_migration";

/**
 * Whether the newest migration this build ships is recorded as applied. False
 * on a database nobody has migrated (no bookkeeping table yet) or one an older
 * build migrated; throws only when the database cannot be reached.
 */
export async function latestMigrationApplied(db: Kysely<Database>): Promise<boolean> {
  const names = Object.keys(migrations);
  const latest = names[names.length - 1];
  if (latest === undefined) return true;
  const table = await sql<{ present: boolean }>`select to_regclass(${MIGRATION_TABLE}) is not null as present`.execute(db);
  if (!table.rows[0]?.present) return false;
  const found = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(MIGRATION_TABLE)} where name = ${latest}`.execute(db);
  return Number(found.rows[0]?.n ?? 0) > 0;
}
