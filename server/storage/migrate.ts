import { type Kysely, type MigrationResultSet, Migrator, sql } from "kysely";
import { migrations } from "../../schema/migrations/index.ts";
import type { Database } from "./tables.ts";

// Arbitrary constant: the advisory lock every server process takes before migrating.
const MIGRATION_LOCK_ID = 725_417_001;

/**
 * Runs pending migrations. Safe when several processes start at once: Kysely's
 * own lock is taken only after it creates its bookkeeping tables, so two
 * processes racing on a fresh database can both try to create them; a
 * session-level advisory lock held on one connection around the whole run
 * serialises them. Idempotent: a second run finds nothing to do.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
    try {
      const migrator = new Migrator({
        db: conn,
        provider: { getMigrations: async () => migrations },
      });
      return await migrator.migrateToLatest();
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
    }
  });
}
