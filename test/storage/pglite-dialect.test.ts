import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../server/storage/database.ts";
import { migrateToLatest } from "../../server/storage/migrate.ts";
import { uuidv7 } from "../../server/lib/ids.ts";

describe("embedded PGlite dialect", () => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await openDatabase({ dataDir: "memory://" });
    await migrateToLatest(h.db);
  });
  afterAll(() => h.close());

  it("rolls back to a savepoint without losing the rest of the transaction", async () => {
    const kept = uuidv7();
    const undone = uuidv7();
    const trx = await h.db.startTransaction().execute();
    await trx.insertInto("orgs").values({ id: kept, name: "kept" }).execute();
    const sp = await trx.savepoint("row_2").execute();
    await sp.insertInto("orgs").values({ id: undone, name: "undone" }).execute();
    await sp.rollbackToSavepoint("row_2").execute();
    await trx.commit().execute();
    const names = await h.db.selectFrom("orgs").select("name").where("id", "in", [kept, undone]).execute();
    expect(names.map((r) => r.name)).toEqual(["kept"]);
  });

  it("serialises concurrent transactions on its single connection", async () => {
    const ids = Array.from({ length: 20 }, () => uuidv7());
    await Promise.all(
      ids.map((id, i) =>
        h.db.transaction().execute(async (trx) => {
          await trx.insertInto("orgs").values({ id, name: `t${i}` }).execute();
          if (i % 2) throw new Error("roll me back");
        }).catch(() => undefined),
      ),
    );
    const rows = await h.db.selectFrom("orgs").select("name").where("id", "in", ids).execute();
    expect(rows).toHaveLength(10);
  });
});
