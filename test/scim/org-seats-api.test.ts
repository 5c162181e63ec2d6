// Product seats through SCIM (rules in server/domain/seats.ts): `entitlements`
// are direct product assignments, refused with 409 when no seat is free;
// products granted through a group wait as pending beyond capacity, shown in
// our User extension and in the operator's product usage; suspending, deleting
// and leaving a group free seats at once, and the queue moves first come,
// first served. Filters and /Schemas agree with what is rendered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, type TestOrg, type TestServer, USER_SCHEMA, patchBody, startTestServer, userBody } from "../support/server.ts";

const EXT = "urn:ietf:params:scim:schemas:extension:scimgate:2.0:User";

describe.each(ENGINES)("product seats over SCIM on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Seats Inc");
  });
  afterAll(async () => {
    await server.close();
  });

  const db = () => server.database.db;

  async function setSeats(product: string, seats: number) {
    return (await server.admin("put", `/orgs/${org.id}/products/${product}`).send({ seats }).expect(200)).body;
  }
  async function usage(product: string) {
    const res = await server.admin("get", `/orgs/${org.id}/products`).expect(200);
    return (res.body.products as { key: string }[]).find((p) => p.key === product);
  }
  async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
    return (await org.scim("post", "/Users").send(userBody(userName, extra)).expect(201)).body.id;
  }
  async function createGroup(displayName: string, members: string[]): Promise<string> {
    const res = await org
      .scim("post", "/Groups")
      .send({ schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) })
      .expect(201);
    return res.body.id;
  }
  async function setGroupProducts(groupId: string, products: string[]) {
    await server.admin("put", `/orgs/${org.id}/groups/${groupId}/products`).send({ products }).expect(200);
  }
  /** What a user holds and waits for, as SCIM renders it. */
  async function seatsOf(id: string) {
    const body = (await org.scim("get", `/Users/${id}`).expect(200)).body;
    return {
      granted: ((body.entitlements ?? []) as { value: string }[]).map((e) => e.value),
      pending: (body[EXT]?.pendingProducts ?? []) as string[],
      extensionDeclared: (body.schemas as string[]).includes(EXT),
    };
  }
  const setActive = (id: string, value: unknown) =>
    org.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "active", value })).expect(200);
  async function countOf(table: "users" | "seat_assignments" | "user_products" | "audit_events") {
    const row = await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).where("org_id", "=", org.id).executeTakeFirstOrThrow();
    return Number(row.n);
  }
  async function footprint() {
    return {
      users: await countOf("users"),
      seats: await countOf("seat_assignments"),
      direct: await countOf("user_products"),
      audit: await countOf("audit_events"),
    };
  }

  // First in the file on purpose: test files run in fresh processes, and the
  // extension was once registered only when a User was first rendered.
  it("knows the scimgate extension in filters from a process's first SCIM request", async () => {
    const res = await org.scim("get", `/Users?filter=${encodeURIComponent(`${EXT}:pendingProducts eq "nothing"`)}`).expect(200);
    expect(res.body.totalResults).toBe(0);
  });

  describe("direct assignments (entitlements)", () => {
    it("grants seats until the product is full, then answers 409 naming the product and counts, creating nothing", async () => {
      expect(await setSeats("meeting", 2)).toEqual({ key: "meeting", seats: 2, assigned: 0, pending: 0 });
      for (const name of ["m-ann", "m-ben"]) {
        const res = await org.scim("post", "/Users").send(userBody(name, { entitlements: [{ value: "meeting" }] })).expect(201);
        expect(res.body.entitlements).toEqual([{ value: "meeting" }]);
        expect(res.body.schemas).toEqual([USER_SCHEMA]);
      }
      const before = await footprint();
      const res = await org.scim("post", "/Users").send(userBody("m-cid", { entitlements: [{ value: "meeting" }] })).expect(409);
      expect(res.body).toEqual({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "409",
        detail: 'product "meeting" has no free seat (2 of 2 assigned); free a seat or buy more',
      });
      expect(await footprint()).toEqual(before);
      const found = await org.scim("get", `/Users?filter=${encodeURIComponent('userName eq "m-cid"')}`).expect(200);
      expect(found.body.totalResults).toBe(0);
      expect(await usage("meeting")).toEqual({ key: "meeting", seats: 2, assigned: 2, pending: 0 });
    });

    it("refuses a new entitlement on an existing user (PATCH and PUT) when full, leaving the user as it was", async () => {
      await setSeats("webinar", 1);
      await createUser("w-one", { entitlements: [{ value: "webinar" }] });
      const created = await org.scim("post", "/Users").send(userBody("w-two", { displayName: "Two" })).expect(201);
      const id = created.body.id as string;
      const before = await footprint();
      const patched = await org
        .scim("patch", `/Users/${id}`)
        .send(patchBody({ op: "add", path: "entitlements", value: [{ value: "webinar" }] }, { op: "replace", path: "displayName", value: "Changed" }))
        .expect(409);
      expect(patched.body.detail).toBe('product "webinar" has no free seat (1 of 1 assigned); free a seat or buy more');
      await org.scim("put", `/Users/${id}`).send(userBody("w-two", { displayName: "Changed", entitlements: [{ value: "webinar" }] })).expect(409);
      expect(await footprint()).toEqual(before);
      const after = (await org.scim("get", `/Users/${id}`).expect(200)).body;
      expect(after.displayName).toBe("Two");
      expect(after.meta.version).toBe(created.body.meta.version);
      expect(after).not.toHaveProperty("entitlements");
    });

    it("answers 400 invalidValue naming an unknown product, creating nothing", async () => {
      const before = await footprint();
      const res = await org.scim("post", "/Users").send(userBody("typo", { entitlements: [{ value: "meetnig" }] })).expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
      expect(res.body.detail).toBe('entitlements: product "meetnig" does not exist in this organization');
      expect(await footprint()).toEqual(before);
    });

    it("frees the seat when the holder is deleted, so the next create succeeds", async () => {
      await setSeats("sketch", 1);
      const holder = await createUser("s-holder", { entitlements: [{ value: "sketch" }] });
      await org.scim("post", "/Users").send(userBody("s-next", { entitlements: [{ value: "sketch" }] })).expect(409);
      await org.scim("delete", `/Users/${holder}`).expect(204);
      expect(await usage("sketch")).toEqual({ key: "sketch", seats: 1, assigned: 0, pending: 0 });
      await org.scim("post", "/Users").send(userBody("s-next", { entitlements: [{ value: "sketch" }] })).expect(201);
    });

    it("frees the seat when the holder is suspended, and a restore is never refused: it waits as pending", async () => {
      await setSeats("draw", 1);
      const first = await createUser("d-first", { entitlements: [{ value: "draw" }] });
      const suspended = await setActive(first, false);
      expect(suspended.body.active).toBe(false);
      expect(suspended.body).not.toHaveProperty("entitlements");
      expect(await usage("draw")).toEqual({ key: "draw", seats: 1, assigned: 0, pending: 0 });
      const second = await createUser("d-second", { entitlements: [{ value: "draw" }] });

      const restored = await setActive(first, true);
      expect(restored.body.active).toBe(true);
      expect(restored.body).not.toHaveProperty("entitlements");
      expect(restored.body[EXT]).toEqual({ pendingProducts: ["draw"] });
      expect(restored.body.schemas).toEqual([USER_SCHEMA, EXT]);
      expect(await usage("draw")).toEqual({ key: "draw", seats: 1, assigned: 1, pending: 1 });
      // The seat comes back as soon as the other holder leaves.
      await org.scim("delete", `/Users/${second}`).expect(204);
      expect(await seatsOf(first)).toEqual({ granted: ["draw"], pending: [], extensionDeclared: false });
    });
  });

  describe("assignments through groups", () => {
    it("queues members beyond capacity as pending: in pendingProducts and the product usage, not in entitlements", async () => {
      await setSeats("board", 1);
      const a = await createUser("b-a");
      const b = await createUser("b-b");
      const group = await createGroup("Board users", [a, b]);
      await setGroupProducts(group, ["board"]);

      expect(await seatsOf(a)).toEqual({ granted: ["board"], pending: [], extensionDeclared: false });
      expect(await seatsOf(b)).toEqual({ granted: [], pending: ["board"], extensionDeclared: true });
      const bBody = (await org.scim("get", `/Users/${b}`).expect(200)).body;
      expect(bBody).not.toHaveProperty("entitlements");
      expect(bBody[EXT]).toEqual({ pendingProducts: ["board"] });
      expect(await usage("board")).toEqual({ key: "board", seats: 1, assigned: 1, pending: 1 });
      // The group itself is unchanged by the product assignment.
      expect((await org.scim("get", `/Groups/${group}`).expect(200)).body.members).toHaveLength(2);
    });

    it("moves the queue at once on suspend (false and Entra's \"False\"), restore, delete and member removal", async () => {
      await setSeats("chat", 1);
      const [a, b, c] = [await createUser("c-a"), await createUser("c-b"), await createUser("c-c")];
      const group = await createGroup("Chat users", [a, b, c]);
      await setGroupProducts(group, ["chat"]);
      expect((await seatsOf(a)).granted).toEqual(["chat"]);

      // Suspending the holder frees its seat in the same request; the first in line (b) gets it.
      await setActive(a, false);
      expect(await seatsOf(b)).toMatchObject({ granted: ["chat"], pending: [] });
      expect(await seatsOf(c)).toMatchObject({ granted: [], pending: ["chat"] });
      expect(await seatsOf(a)).toMatchObject({ granted: [], pending: [] });

      // Entra ID sends the boolean as a string.
      const entra = await org
        .scim("patch", `/Users/${b}`)
        .send(patchBody({ op: "Replace", path: "active", value: "False" }))
        .expect(200);
      expect(entra.body.active).toBe(false);
      expect(await seatsOf(c)).toMatchObject({ granted: ["chat"], pending: [] });

      // Restoring asks again, at the back of the queue.
      await setActive(a, true);
      expect(await seatsOf(a)).toMatchObject({ granted: [], pending: ["chat"] });
      await setActive(b, "True");
      expect(await seatsOf(b)).toMatchObject({ granted: [], pending: ["chat"] });
      expect(await usage("chat")).toEqual({ key: "chat", seats: 1, assigned: 1, pending: 2 });

      // Deleting the holder: the first restored (a) is next.
      await org.scim("delete", `/Users/${c}`).expect(204);
      expect(await seatsOf(a)).toMatchObject({ granted: ["chat"], pending: [] });
      expect(await seatsOf(b)).toMatchObject({ granted: [], pending: ["chat"] });

      // Removing the holder from the group frees the group seat; b gets it.
      const removed = await org
        .scim("patch", `/Groups/${group}`)
        .send(patchBody({ op: "remove", path: `members[value eq "${a}"]` }));
      expect(removed.status).toBe(204);
      expect(await seatsOf(a)).toMatchObject({ granted: [], pending: [] });
      expect(await seatsOf(b)).toMatchObject({ granted: ["chat"], pending: [] });
      expect(await usage("chat")).toEqual({ key: "chat", seats: 1, assigned: 1, pending: 0 });
    });

    it("grants pending requests in the order they were made when seats are raised", async () => {
      await setSeats("notes", 0);
      const group = await createGroup("Notes users", []);
      await setGroupProducts(group, ["notes"]);
      // Created in id order x1, x2, x3, x4, but joining the group as x3, x1, x4, x2:
      // the queue follows the joins, not the ids.
      const x = [await createUser("n-x1"), await createUser("n-x2"), await createUser("n-x3"), await createUser("n-x4")];
      for (const i of [2, 0, 3, 1]) {
        await org.scim("patch", `/Groups/${group}`).send(patchBody({ op: "add", path: "members", value: [{ value: x[i] }] })).expect(204);
      }
      expect(await usage("notes")).toEqual({ key: "notes", seats: 0, assigned: 0, pending: 4 });

      expect(await setSeats("notes", 2)).toEqual({ key: "notes", seats: 2, assigned: 2, pending: 2 });
      const granted = async () =>
        (await Promise.all(x.map(async (id, i) => ((await seatsOf(id)).granted.includes("notes") ? `x${i + 1}` : undefined)))).filter(Boolean);
      expect(await granted()).toEqual(["x1", "x3"]);
      await setSeats("notes", 3);
      expect(await granted()).toEqual(["x1", "x3", "x4"]);
      expect(await seatsOf(x[1]!)).toMatchObject({ granted: [], pending: ["notes"] });
    });

    it("holds one seat per person however many ways it is wanted, and keeps it while one way remains", async () => {
      await setSeats("vault", 5);
      const u = await createUser("v-user", { entitlements: [{ value: "vault" }] });
      const group = await createGroup("Vault users", [u]);
      await setGroupProducts(group, ["vault"]);
      expect(await usage("vault")).toEqual({ key: "vault", seats: 5, assigned: 1, pending: 0 });
      // Dropping the direct assignment keeps the group's.
      await org.scim("patch", `/Users/${u}`).send(patchBody({ op: "remove", path: "entitlements" })).expect(200);
      expect(await seatsOf(u)).toMatchObject({ granted: ["vault"] });
      await org.scim("delete", `/Groups/${group}`).expect(204);
      expect(await seatsOf(u)).toMatchObject({ granted: [], pending: [] });
      expect(await usage("vault")).toEqual({ key: "vault", seats: 5, assigned: 0, pending: 0 });
    });
  });

  describe("discovery and filters", () => {
    it("advertises the scimgate User extension in /Schemas and on the User resource type", async () => {
      const list = await org.scim("get", "/Schemas").expect(200);
      const ext = (list.body.Resources as { id: string; attributes: { name: string; mutability: string; multiValued: boolean }[] }[]).find(
        (s) => s.id === EXT,
      );
      expect(ext?.attributes).toEqual([expect.objectContaining({ name: "pendingProducts", mutability: "readOnly", multiValued: true })]);
      await org.scim("get", `/Schemas/${EXT}`).expect(200);
      const type = await org.scim("get", "/ResourceTypes/User").expect(200);
      expect(type.body.schemaExtensions).toContainEqual({ schema: EXT, required: false });
    });

    it("filters entitlements and pendingProducts by what is rendered: granted and waiting products", async () => {
      await setSeats("filterable", 1);
      const direct = await createUser("f-direct", { entitlements: [{ value: "filterable" }] });
      const viaGroup = await createUser("f-group");
      const waiting = await createUser("f-waiting");
      const group = await createGroup("Filterable users", [viaGroup, waiting]);
      await setSeats("filterable", 2);
      await setGroupProducts(group, ["filterable"]);
      // direct and viaGroup hold a seat, waiting waits; a suspended direct holder holds nothing.
      const suspended = await createUser("f-suspended", { entitlements: [{ value: "filterable" }], active: false });

      const names = async (filter: string) => {
        const res = await org.scim("get", `/Users?filter=${encodeURIComponent(filter)}&sortBy=userName`).expect(200);
        return (res.body.Resources ?? []).map((r: { id: string }) => r.id);
      };
      expect(await names('entitlements.value eq "filterable"')).toEqual([direct, viaGroup]);
      expect(await names('entitlements eq "filterable"')).toEqual([direct, viaGroup]);
      expect(await names('entitlements[value eq "filterable"]')).toEqual([direct, viaGroup]);
      expect(await names(`${EXT}:pendingProducts eq "filterable"`)).toEqual([waiting]);
      expect(await names('not (entitlements eq "filterable") and userName sw "f-"')).toEqual([suspended, waiting]);
      expect(await names('entitlements pr and userName sw "f-"')).toEqual([direct, viaGroup]);
      // Every result renders what the filter matched.
      for (const id of await names('entitlements eq "filterable"')) expect((await seatsOf(id)).granted).toContain("filterable");
    });
  });
});
