// Real concurrency on PostgreSQL: several separate pools stand in for several
// server processes sharing one database. Whatever the interleaving, no product
// is ever over-assigned, and the only errors are the ones the rules promise.
import { sql, type Kysely } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../server/domain/actor.ts";
import { ConflictError, SeatLimitError } from "../../server/domain/errors.ts";
import { createOrg } from "../../server/domain/orgs.ts";
import { reconcileGroupMembers, setGroupProducts, setProductSeats, syncUserSeats } from "../../server/domain/seats.ts";
import { uuidv7 } from "../../server/lib/ids.ts";
import { type DatabaseHandle, openDatabase } from "../../server/storage/database.ts";
import { migrateToLatest } from "../../server/storage/migrate.ts";
import type { Database } from "../../server/storage/tables.ts";
import { createThrowawayDatabase } from "../support/engines.ts";

const operator: Actor = { kind: "operator" };

async function untilDisconnected(dbName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where datname = $1", [dbName]);
      if (rows[0].n === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.end();
  }
}
const PROCESSES = 5;

describe.runIf(process.env.TEST_DATABASE_URL)("seat races on PostgreSQL", () => {
  let drop: () => Promise<void>;
  let dbName: string;
  const handles: DatabaseHandle[] = [];
  let db: Kysely<Database>;
  let org: string;

  beforeAll(async () => {
    const created = await createThrowawayDatabase("seatrace");
    drop = created.drop;
    dbName = new URL(created.url).pathname.slice(1);
    for (let i = 0; i < PROCESSES; i++) handles.push(await openDatabase({ databaseUrl: created.url, poolSize: 10 }));
    db = handles[0]!.db;
    const result = await migrateToLatest(db);
    if (result.error) throw result.error;
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    // pg's pool.end() resolves before its sockets are closed; dropping the database
    // "with (force)" meanwhile would kill a closing client and raise an uncaught error.
    await untilDisconnected(dbName);
    await drop?.();
  });

  /** The pool ("process") the i-th concurrent operation runs on. */
  const on = (i: number) => handles[i % PROCESSES]!.db;
  const jitter = (trx: Kysely<Database>) => sql`select pg_sleep(random() * 0.02)`.execute(trx);

  async function insertUser(trx: Kysely<Database>, active = true): Promise<string> {
    const id = uuidv7();
    const now = new Date();
    await trx
      .insertInto("users")
      .values({ org_id: org, id, user_name: `u-${id}`, external_id: null, display_name: null, active, resource: "{}", password_hash: null, created_at: now, updated_at: now })
      .execute();
    return id;
  }
  async function insertGroup(): Promise<string> {
    const id = uuidv7();
    const now = new Date();
    await db.insertInto("groups").values({ org_id: org, id, display_name: `g-${id}`, external_id: null, resource: "{}", created_at: now, updated_at: now }).execute();
    return id;
  }
  const usage = async () =>
    (
      await sql<{ key: string; seats: number; granted: number; pending: number }>`
        select p.key, p.seats,
               (select count(*)::int from seat_assignments s where s.org_id = p.org_id and s.product_key = p.key and s.status = 'granted') as granted,
               (select count(*)::int from seat_assignments s where s.org_id = p.org_id and s.product_key = p.key and s.status = 'pending') as pending
        from products p where p.org_id = ${org} order by p.key`.execute(db)
    ).rows;

  it("100 concurrent direct wants for 20 seats: exactly 20 granted, 80 refused with SeatLimitError", async () => {
    org = (await createOrg(db, "Race")).id;
    await setProductSeats(db, org, "meeting", 20, operator);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        on(i)
          .transaction()
          .execute(async (trx) => {
            const id = await insertUser(trx);
            await jitter(trx);
            await syncUserSeats(trx, org, id, { active: true, directProducts: ["meeting"] });
          }),
      ),
    );
    const rejected = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    expect(rejected.filter((e) => !(e instanceof SeatLimitError))).toEqual([]);
    expect(rejected).toHaveLength(80);
    expect(await usage()).toEqual([{ key: "meeting", seats: 20, granted: 20, pending: 0 }]);
    const users = await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).where("org_id", "=", org).executeTakeFirstOrThrow();
    expect(users.n).toBe(20);
  });

  it("100 concurrent group joins across 10 groups while seats are raised: granted = final seats, the rest pending", async () => {
    org = (await createOrg(db, "Race")).id;
    await setProductSeats(db, org, "meeting", 10, operator);
    const groups: string[] = [];
    for (let i = 0; i < 10; i++) {
      groups.push(await insertGroup());
      await setGroupProducts(db, org, groups[i]!, ["meeting"], operator);
    }
    const users: string[] = [];
    for (let i = 0; i < 100; i++) users.push(await db.transaction().execute((trx) => insertUser(trx)));
    const ops: ((i: number) => Promise<unknown>)[] = users.map((u, n) => (i) =>
      on(i)
        .transaction()
        .execute(async (trx) => {
          await jitter(trx);
          await trx.selectFrom("groups").select("id").where("org_id", "=", org).where("id", "=", groups[n % 10]!).forUpdate().execute();
          await trx.insertInto("group_members").values({ org_id: org, group_id: groups[n % 10]!, member_id: u, member_type: "User" }).execute();
          await reconcileGroupMembers(trx, org, groups[n % 10]!);
        }),
    );
    for (const seats of [20, 30, 40]) ops.splice(seats, 0, () => setProductSeats(on(seats), org, "meeting", seats, operator));
    const results = await Promise.allSettled(ops.map((op, i) => op(i)));
    // The raises may commit in any order; one that lands below the seats granted by then is refused (409).
    const errors = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as Error);
    expect(errors.filter((e) => !(e instanceof ConflictError)).map(String)).toEqual([]);
    const [meeting] = await usage();
    expect([20, 30, 40]).toContain(meeting!.seats);
    expect(meeting).toEqual({ key: "meeting", seats: meeting!.seats, granted: meeting!.seats, pending: 100 - meeting!.seats });
  });

  it("group joins, suspensions, restores, product toggles and seat changes racing never over-assign", async () => {
    org = (await createOrg(db, "Race")).id;
    await setProductSeats(db, org, "meeting", 10, operator);
    await setProductSeats(db, org, "webinar", 4, operator);
    // Eight groups, so membership changes of different groups really run at once;
    // the last one has its products toggled during the race.
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(await insertGroup());
    for (const [n, g] of groups.slice(0, 7).entries()) {
      await setGroupProducts(db, org, g, n % 2 ? ["meeting", "webinar"] : ["meeting"], operator);
    }
    const toggled = groups[7]!;
    const users: string[] = [];
    for (let i = 0; i < 120; i++) users.push(await db.transaction().execute((trx) => insertUser(trx)));

    // A membership change as the lead's group write does it: group row locked, member rows, reconcile.
    const join = (i: number, groupId: string, userId: string) =>
      on(i)
        .transaction()
        .execute(async (trx) => {
          await jitter(trx);
          await trx.selectFrom("groups").select("id").where("org_id", "=", org).where("id", "=", groupId).forUpdate().execute();
          await trx.insertInto("group_members").values({ org_id: org, group_id: groupId, member_id: userId, member_type: "User" }).onConflict((oc) => oc.doNothing()).execute();
          await reconcileGroupMembers(trx, org, groupId);
        });
    const leave = (i: number, groupId: string, userId: string) =>
      on(i)
        .transaction()
        .execute(async (trx) => {
          await trx.selectFrom("groups").select("id").where("org_id", "=", org).where("id", "=", groupId).forUpdate().execute();
          await trx.deleteFrom("group_members").where("org_id", "=", org).where("group_id", "=", groupId).where("member_id", "=", userId).execute();
          await reconcileGroupMembers(trx, org, groupId);
        });
    // A user write as the lead's user write does it: user row locked FOR UPDATE, written, then syncUserSeats.
    const setUser = (i: number, userId: string, active: boolean, direct: string[]) =>
      on(i)
        .transaction()
        .execute(async (trx) => {
          await trx.selectFrom("users").select("id").where("org_id", "=", org).where("id", "=", userId).forUpdate().execute();
          await trx.updateTable("users").set({ active, updated_at: new Date() }).where("org_id", "=", org).where("id", "=", userId).execute();
          await jitter(trx);
          await syncUserSeats(trx, org, userId, { active, directProducts: direct });
        });

    const ops: ((i: number) => Promise<unknown>)[] = [];
    users.forEach((u, n) => ops.push((i) => join(i, groups[n % 8]!, u)));
    users.slice(0, 30).forEach((u, n) => ops.push((i) => setUser(i, u, n % 2 === 1, [])));
    users.slice(30, 50).forEach((u) => ops.push((i) => setUser(i, u, true, ["webinar"])));
    users.slice(50, 70).forEach((u, n) => ops.push((i) => leave(i, groups[(50 + n) % 8]!, u)));
    for (const seats of [3, 12, 6, 15, 8, 20, 2, 11, 30, 5]) ops.push(() => setProductSeats(on(seats), org, "meeting", seats, operator));
    for (const seats of [1, 6, 3, 9]) ops.push(() => setProductSeats(on(seats), org, "webinar", seats, operator));
    for (const products of [["webinar"], ["meeting"], ["meeting", "webinar"], []]) {
      ops.push((i) => setGroupProducts(on(i), org, toggled, products, operator));
    }
    ops.sort(() => Math.random() - 0.5);

    // Meanwhile, another "process" keeps checking that no product is ever over-assigned.
    let running = true;
    const overAssigned: unknown[] = [];
    const monitor = (async () => {
      while (running) {
        for (const p of await usage()) if (p.granted > p.seats) overAssigned.push(p);
      }
    })();
    const results = await Promise.allSettled(ops.map((op, i) => op(i)));
    running = false;
    await monitor;

    const errors = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as Error);
    // Lowering seats below the granted count (ConflictError) and a new direct want finding
    // no seat (SeatLimitError) are the only failures the rules allow: no deadlock, no other error.
    expect(errors.filter((e) => !(e instanceof ConflictError || e instanceof SeatLimitError)).map(String)).toEqual([]);
    expect(overAssigned).toEqual([]);

    for (const p of await usage()) {
      expect(p.granted).toBeLessThanOrEqual(p.seats);
      if (p.pending > 0) expect(p.granted).toBe(p.seats); // nobody waits while a seat is free
    }
    // Seat rows are exactly the wanted set: active users × (direct ∪ products of their direct groups).
    const mismatch = await sql`
      with wanted as (
        select u.id as user_id, up.product_key from users u join user_products up on up.org_id = u.org_id and up.user_id = u.id
        where u.org_id = ${org} and u.active
        union
        select u.id, gp.product_key from users u
        join group_members gm on gm.org_id = u.org_id and gm.member_id = u.id and gm.member_type = 'User'
        join group_products gp on gp.org_id = gm.org_id and gp.group_id = gm.group_id
        where u.org_id = ${org} and u.active),
      held as (select user_id, product_key from seat_assignments where org_id = ${org})
      (select * from wanted except select * from held) union all (select * from held except select * from wanted)`.execute(db);
    expect(mismatch.rows).toEqual([]);
  });
});
