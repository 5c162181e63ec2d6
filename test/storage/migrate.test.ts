import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/storage/database.ts";
import { migrateToLatest } from "../../server/storage/migrate.ts";
import { migrations } from "../../schema/migrations/index.ts";
import { createThrowawayDatabase } from "../support/engines.ts";

const ALL = Object.keys(migrations);

describe("migrations on embedded PGlite", () => {
  const dir = mkdtempSync(join(tmpdir(), "scim-gate-data-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("run once, are idempotent, and the data survives a restart of the data directory", async () => {
    const first = await openDatabase({ dataDir: dir });
    const run1 = await migrateToLatest(first.db);
    expect(run1.error).toBeUndefined();
    expect(run1.results?.map((r) => r.migrationName)).toEqual(ALL);
    const run2 = await migrateToLatest(first.db);
    expect(run2.results).toEqual([]);
    await first.db.insertInto("orgs").values({ id: "0196f1a0-0000-7000-8000-000000000001", name: "Persisted" }).execute();
    await first.close();

    const reopened = await openDatabase({ dataDir: dir });
    const run3 = await migrateToLatest(reopened.db);
    expect(run3.results).toEqual([]);
    const org = await reopened.db.selectFrom("orgs").select("name").executeTakeFirst();
    expect(org?.name).toBe("Persisted");
    await reopened.close();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("migrations on PostgreSQL", () => {
  it("are safe when two server processes start at once on a fresh database", async () => {
    const { url, drop } = await createThrowawayDatabase("migratetest");
    // Two handles with their own pools stand in for two processes: separate sessions, same database.
    const a = await openDatabase({ databaseUrl: url, poolSize: 2 });
    const b = await openDatabase({ databaseUrl: url, poolSize: 2 });
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
      expect(ra.error).toBeUndefined();
      expect(rb.error).toBeUndefined();
      // Exactly one of them applied each migration; the other found nothing to do.
      const applied = [...(ra.results ?? []), ...(rb.results ?? [])].filter((r) => r.status === "Success");
      expect(applied.map((r) => r.migrationName).sort()).toEqual([...ALL].sort());
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(a.db);
      expect(rows[0]?.n).toBe(ALL.length);
    } finally {
      await a.close();
      await b.close();
      await drop();
    }
  });
});
