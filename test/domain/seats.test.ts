// Product seats at the domain level, on a real database: direct and group
// grants, refusals, the FIFO queue of pending requests and every way a seat is
// freed or bought. Users, groups and memberships are written directly with
// Kysely, the way the user and group writes will before they call the seat functions.
import type { Kysely, Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../server/domain/actor.ts";
import { listAudit } from "../../server/domain/audit.ts";
import { ConflictError, InvalidValueError, SeatLimitError } from "../../server/domain/errors.ts";
import { createOrg } from "../../server/domain/orgs.ts";
import {
  getGroupProducts,
  listProducts,
  reconcileGroupMembers,
  releaseGroupSeats,
  releaseUserSeats,
  seatsOfUsers,
  setGroupProducts,
  setProductSeats,
  syncUserSeats,
} from "../../server/domain/seats.ts";
import { uuidv7 } from "../../server/lib/ids.ts";
import type { DatabaseHandle } from "../../server/storage/database.ts";
import type { Database } from "../../server/storage/tables.ts";
import { ENGINES, openTestDatabase } from "../support/engines.ts";

const operator: Actor = { kind: "operator" };

describe.each(ENGINES)("product seats on %s", (engine) => {
  let database: DatabaseHandle;
  let db: Kysely<Database>;
  let org: string;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    db = database.db;
  });
  afterAll(async () => {
    await database.close();
  });

  // Each test gets its own organization, so products and counts never leak between tests.
  const newOrg = async (...products: [string, number][]) => {
    org = (await createOrg(db, "Acme")).id;
    for (const [key, seats] of products) await setProductSeats(db, org, key, seats, operator);
  };
  const tx = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(fn);

  async function insertUser(trx: Kysely<Database>, active = true): Promise<string> {
    const id = uuidv7();
    const now = new Date();
    await trx
      .insertInto("users")
      .values({ org_id: org, id, user_name: `u-${id}`, external_id: null, display_name: null, active, resource: "{}", password_hash: null, created_at: now, updated_at: now })
      .execute();
    return id;
  }
  /** A user write as the lead will do it: the row first, then syncUserSeats in the same transaction. */
  const createUser = (direct: string[] = [], active = true) =>
    tx(async (trx) => {
      const id = await insertUser(trx, active);
      await syncUserSeats(trx, org, id, { active, directProducts: direct });
      return id;
    });
  const updateUser = (id: string, active: boolean, direct: string[]) =>
    tx(async (trx) => {
      await trx.updateTable("users").set({ active, updated_at: new Date() }).where("org_id", "=", org).where("id", "=", id).execute();
      await syncUserSeats(trx, org, id, { active, directProducts: direct });
    });
  const deleteUser = (id: string) =>
    tx(async (trx) => {
      await releaseUserSeats(trx, org, id);
      await trx.deleteFrom("group_members").where("org_id", "=", org).where("member_id", "=", id).execute();
      await trx.deleteFrom("users").where("org_id", "=", org).where("id", "=", id).execute();
    });
  async function createGroup(...products: string[]): Promise<string> {
    const id = uuidv7();
    const now = new Date();
    await db.insertInto("groups").values({ org_id: org, id, display_name: `g-${id}`, external_id: null, resource: "{}", created_at: now, updated_at: now }).execute();
    if (products.length) await setGroupProducts(db, org, id, products, operator);
    return id;
  }
  /** A membership change as the lead will do it: member rows, then reconcileGroupMembers. */
  const addMembers = (groupId: string, ...userIds: string[]) =>
    tx(async (trx) => {
      await trx
        .insertInto("group_members")
        .values(userIds.map((member_id) => ({ org_id: org, group_id: groupId, member_id, member_type: "User" as const })))
        .execute();
      await reconcileGroupMembers(trx, org, groupId);
    });
  const removeMember = (groupId: string, userId: string) =>
    tx(async (trx) => {
      await trx.deleteFrom("group_members").where("org_id", "=", org).where("group_id", "=", groupId).where("member_id", "=", userId).execute();
      await reconcileGroupMembers(trx, org, groupId);
    });
  const seatsOf = async (id: string) => (await seatsOfUsers(db, org, [id])).get(id)!;
  const usage = async (key: string) => (await listProducts(db, org)).find((p) => p.key === key);
  const count = async (table: "users" | "user_products" | "seat_assignments") =>
    (await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).where("org_id", "=", org).executeTakeFirstOrThrow()).n;

  describe("direct assignment", () => {
    it("grants a free seat to a user who asks for the product directly", async () => {
      await newOrg(["meeting", 2]);
      const u = await createUser(["meeting"]);
      expect(await seatsOf(u)).toEqual({ granted: ["meeting"], pending: [] });
      expect(await usage("meeting")).toEqual({ key: "meeting", seats: 2, assigned: 1, pending: 0 });
    });

    it("refuses a direct want beyond capacity with SeatLimitError, and nothing of that transaction is written", async () => {
      await newOrg(["meeting", 1]);
      await createUser(["meeting"]);
      const refused = createUser(["meeting"]);
      await expect(refused).rejects.toBeInstanceOf(SeatLimitError);
      await expect(refused).rejects.toThrow('product "meeting" has no free seat (1 of 1 assigned); free a seat or buy more');
      expect(await count("users")).toBe(1);
      expect(await count("user_products")).toBe(1);
      expect(await count("seat_assignments")).toBe(1);
    });

    it("refuses a new entitlement of an existing user and keeps its previous state", async () => {
      await newOrg(["meeting", 1], ["webinar", 5]);
      await createUser(["meeting"]);
      const u = await createUser(["webinar"]);
      await expect(updateUser(u, true, ["webinar", "meeting"])).rejects.toBeInstanceOf(SeatLimitError);
      expect(await seatsOf(u)).toEqual({ granted: ["webinar"], pending: [] });
      expect(await usage("meeting")).toMatchObject({ assigned: 1, pending: 0 });
    });

    it("refuses a direct want even when the user already waits for the product through a group", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup("meeting");
      const [a, b] = [await createUser(), await createUser()];
      await addMembers(g, a);
      await addMembers(g, b);
      expect(await seatsOf(b)).toEqual({ granted: [], pending: ["meeting"] });
      await expect(updateUser(b, true, ["meeting"])).rejects.toBeInstanceOf(SeatLimitError);
      expect(await seatsOf(b)).toEqual({ granted: [], pending: ["meeting"] });
    });

    it("uses one seat for a user who holds a product both directly and through a group", async () => {
      await newOrg(["meeting", 2]);
      const g = await createGroup("meeting");
      const u = await createUser(["meeting"]);
      await addMembers(g, u);
      expect(await usage("meeting")).toMatchObject({ assigned: 1, pending: 0 });
      await updateUser(u, true, []); // dropping the direct want keeps the group's seat
      expect(await seatsOf(u)).toEqual({ granted: ["meeting"], pending: [] });
      await removeMember(g, u);
      expect(await seatsOf(u)).toEqual({ granted: [], pending: [] });
      expect(await usage("meeting")).toMatchObject({ assigned: 0, pending: 0 });
    });

    it("stores the entitlements of a suspended user without requesting a seat", async () => {
      await newOrg(["meeting", 0]);
      const u = await createUser(["meeting"], false);
      expect(await seatsOf(u)).toEqual({ granted: [], pending: [] });
      expect(await count("user_products")).toBe(1);
    });
  });

  describe("group assignment", () => {
    it("grants what fits and queues the rest as pending, first come first served", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup("meeting");
      // Created in id order, asked in the opposite order: the queue follows the request, not the id.
      const [first, second, third] = [await createUser(), await createUser(), await createUser()];
      await addMembers(g, third);
      await addMembers(g, second);
      await addMembers(g, first);
      expect(await usage("meeting")).toEqual({ key: "meeting", seats: 1, assigned: 1, pending: 2 });
      expect(await seatsOf(third)).toEqual({ granted: ["meeting"], pending: [] });
      await updateUser(third, false, []);
      expect(await seatsOf(second)).toEqual({ granted: ["meeting"], pending: [] });
      expect(await seatsOf(first)).toEqual({ granted: [], pending: ["meeting"] });
    });

    it("grants the next pending request when a member is suspended", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup("meeting");
      const [a, b] = [await createUser(), await createUser()];
      await addMembers(g, a);
      await addMembers(g, b);
      await updateUser(a, false, []);
      expect(await seatsOf(a)).toEqual({ granted: [], pending: [] });
      expect(await seatsOf(b)).toEqual({ granted: ["meeting"], pending: [] });
    });

    it("grants the next pending request when a seat holder is deleted", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup("meeting");
      const [a, b] = [await createUser(["meeting"]), await createUser()];
      await addMembers(g, a, b);
      expect(await seatsOf(b)).toEqual({ granted: [], pending: ["meeting"] });
      await deleteUser(a);
      expect(await seatsOf(b)).toEqual({ granted: ["meeting"], pending: [] });
      expect(await usage("meeting")).toMatchObject({ assigned: 1, pending: 0 });
    });

    it("grants the next pending request when a seat holder leaves the group", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup("meeting");
      const [a, b] = [await createUser(), await createUser()];
      await addMembers(g, a);
      await addMembers(g, b);
      await removeMember(g, a);
      expect(await seatsOf(a)).toEqual({ granted: [], pending: [] });
      expect(await seatsOf(b)).toEqual({ granted: ["meeting"], pending: [] });
    });

    it("grants the next pending request when the product is removed from the seat holder's group", async () => {
      await newOrg(["meeting", 1], ["webinar", 10]);
      const [g1, g2] = [await createGroup("meeting", "webinar"), await createGroup("meeting")];
      const [a, b] = [await createUser(), await createUser()];
      await addMembers(g1, a);
      await addMembers(g2, b);
      expect(await seatsOf(b)).toEqual({ granted: [], pending: ["meeting"] });
      expect(await setGroupProducts(db, org, g1, ["webinar"], operator)).toEqual(["webinar"]);
      expect(await seatsOf(a)).toEqual({ granted: ["webinar"], pending: [] });
      expect(await seatsOf(b)).toEqual({ granted: ["meeting"], pending: [] });
      expect(await getGroupProducts(db, org, g1)).toEqual(["webinar"]);
    });

    it("grants the next pending request when a seat holder drops its direct want", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup("meeting");
      const a = await createUser(["meeting"]);
      const b = await createUser();
      await addMembers(g, b);
      await updateUser(a, true, []);
      expect(await seatsOf(b)).toEqual({ granted: ["meeting"], pending: [] });
    });

    it("grants pending requests in order when seats are bought", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup("meeting");
      const [a, b, c] = [await createUser(), await createUser(), await createUser()];
      for (const u of [a, c, b]) await addMembers(g, u);
      expect(await setProductSeats(db, org, "meeting", 2, operator)).toEqual({ key: "meeting", seats: 2, assigned: 2, pending: 1 });
      expect(await seatsOf(c)).toEqual({ granted: ["meeting"], pending: [] });
      expect(await seatsOf(b)).toEqual({ granted: [], pending: ["meeting"] });
    });

    it("assigning a product to a group requests seats for every active member at once", async () => {
      await newOrg(["meeting", 2]);
      const g = await createGroup();
      const [a, b, c, off] = [await createUser(), await createUser(), await createUser(), await createUser([], false)];
      await addMembers(g, a, b, c, off);
      await setGroupProducts(db, org, g, ["meeting"], operator);
      expect(await usage("meeting")).toEqual({ key: "meeting", seats: 2, assigned: 2, pending: 1 });
      expect(await seatsOf(off)).toEqual({ granted: [], pending: [] });
      await releaseGroupSeatsAndDelete(g);
      expect(await usage("meeting")).toMatchObject({ assigned: 0, pending: 0 });
    });

    it("does nothing for a group without products, and nested groups pass no products on", async () => {
      await newOrg(["meeting", 5]);
      const [parent, child] = [await createGroup("meeting"), await createGroup()];
      const u = await createUser();
      await addMembers(child, u);
      await tx(async (trx) => {
        await trx.insertInto("group_members").values({ org_id: org, group_id: parent, member_id: child, member_type: "Group" }).execute();
        await reconcileGroupMembers(trx, org, parent);
      });
      expect(await seatsOf(u)).toEqual({ granted: [], pending: [] });
      expect(await usage("meeting")).toMatchObject({ assigned: 0, pending: 0 });
    });

    const releaseGroupSeatsAndDelete = (groupId: string) =>
      tx(async (trx) => {
        await releaseGroupSeats(trx, org, groupId);
        await trx.deleteFrom("groups").where("org_id", "=", org).where("id", "=", groupId).execute();
      });
  });

  describe("suspend and restore", () => {
    it("restoring requests every want again: what fits is granted, the rest waits, a direct want is never refused", async () => {
      await newOrg(["meeting", 1], ["webinar", 5]);
      const g = await createGroup("meeting");
      const a = await createUser(["meeting", "webinar"]);
      const b = await createUser();
      await addMembers(g, b);
      await updateUser(a, false, ["meeting", "webinar"]);
      expect(await seatsOf(a)).toEqual({ granted: [], pending: [] });
      expect(await seatsOf(b)).toEqual({ granted: ["meeting"], pending: [] });

      await updateUser(a, true, ["meeting", "webinar"]); // not refused, though "meeting" is full
      expect(await seatsOf(a)).toEqual({ granted: ["webinar"], pending: ["meeting"] });
      // A later write that keeps the same entitlements is not refused either.
      await updateUser(a, true, ["meeting", "webinar"]);
      await updateUser(b, false, []);
      expect(await seatsOf(a)).toEqual({ granted: ["meeting", "webinar"], pending: [] });
    });

    it("a suspended member gets no group seat until restored", async () => {
      await newOrg(["meeting", 3]);
      const g = await createGroup("meeting");
      const u = await createUser([], false);
      await addMembers(g, u);
      expect(await seatsOf(u)).toEqual({ granted: [], pending: [] });
      await updateUser(u, true, []);
      expect(await seatsOf(u)).toEqual({ granted: ["meeting"], pending: [] });
    });
  });

  describe("products and seats", () => {
    it("lists every product with its seats, assigned and pending counts, by key", async () => {
      await newOrg(["webinar", 1], ["meeting", 3], ["rooms", 0]);
      const g = await createGroup("webinar");
      await addMembers(g, await createUser(["meeting"]), await createUser(["meeting"]), await createUser());
      expect(await listProducts(db, org)).toEqual([
        { key: "meeting", seats: 3, assigned: 2, pending: 0 },
        { key: "rooms", seats: 0, assigned: 0, pending: 0 },
        { key: "webinar", seats: 1, assigned: 1, pending: 2 },
      ]);
    });

    it("refuses to lower seats below the number assigned with a ConflictError naming the count", async () => {
      await newOrg(["meeting", 5]);
      await createUser(["meeting"]);
      await createUser(["meeting"]);
      const lower = setProductSeats(db, org, "meeting", 1, operator);
      await expect(lower).rejects.toBeInstanceOf(ConflictError);
      await expect(lower).rejects.toThrow(/has 2 seats assigned/);
      expect(await usage("meeting")).toMatchObject({ seats: 5, assigned: 2 });
      expect(await setProductSeats(db, org, "meeting", 2, operator)).toEqual({ key: "meeting", seats: 2, assigned: 2, pending: 0 });
    });

    it("audits seat changes and group products with before and after", async () => {
      await newOrg(["meeting", 1]);
      await setProductSeats(db, org, "meeting", 4, operator);
      const g = await createGroup("meeting");
      await setGroupProducts(db, org, g, [], operator);
      const { events } = await listAudit(db, org, { limit: 10 });
      // uuidv7 ids order events only to the millisecond, so compare as a set.
      expect(events.map((e) => [e.action, e.target, e.details])).toHaveLength(4);
      expect(events.map((e) => [e.action, e.target, e.details])).toEqual(
        expect.arrayContaining([
          ["product.seats_set", { type: "product", id: "meeting", label: "meeting" }, { before: null, after: { seats: 1 } }],
          ["product.seats_set", { type: "product", id: "meeting", label: "meeting" }, { before: { seats: 1 }, after: { seats: 4 } }],
          ["group.products_set", { type: "group", id: g, label: `g-${g}` }, { before: [], after: ["meeting"] }],
          ["group.products_set", { type: "group", id: g, label: `g-${g}` }, { before: ["meeting"], after: [] }],
        ]),
      );
      expect(events.every((e) => e.actor.kind === "operator")).toBe(true);
    });

    it("refuses unknown product keys with InvalidValueError naming them", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup();
      const direct = createUser(["meeting", "nope"]);
      await expect(direct).rejects.toBeInstanceOf(InvalidValueError);
      await expect(direct).rejects.toThrow('entitlements: product "nope" does not exist in this organization');
      const group = setGroupProducts(db, org, g, ["x1", "meeting", "x2"], operator);
      await expect(group).rejects.toBeInstanceOf(InvalidValueError);
      await expect(group).rejects.toThrow('products: products "x1", "x2" do not exist in this organization');
      expect(await count("users")).toBe(0);
    });

    it("refuses an invalid product key or seat count", async () => {
      await newOrg();
      for (const key of ["Meeting", "-x", "", "a".repeat(65), "a b"]) {
        await expect(setProductSeats(db, org, key, 1, operator)).rejects.toBeInstanceOf(InvalidValueError);
      }
      for (const seats of [-1, 1.5, 1_000_001, Number.NaN]) {
        await expect(setProductSeats(db, org, "meeting", seats, operator)).rejects.toBeInstanceOf(InvalidValueError);
      }
      expect(await listProducts(db, org)).toEqual([]);
    });

    it("renders the seats of a page of users at once, with an entry for every id asked", async () => {
      await newOrg(["meeting", 1]);
      const g = await createGroup("meeting");
      const [a, b] = [await createUser(), await createUser()];
      await addMembers(g, a);
      await addMembers(g, b);
      const other = uuidv7();
      const seats = await seatsOfUsers(db, org, [a, b, other]);
      expect([...seats]).toEqual([
        [a, { granted: ["meeting"], pending: [] }],
        [b, { granted: [], pending: ["meeting"] }],
        [other, { granted: [], pending: [] }],
      ]);
    });
  });
});
