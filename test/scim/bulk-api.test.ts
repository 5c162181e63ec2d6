// POST /Bulk over HTTP (RFC 7644 §3.7) against a real database: each operation
// answers exactly what its single request would (status, scimType, detail,
// audit, seats, verified domains, uniqueness, If-Match), atomic on its own (user
// creates share a transaction in chunks, one savepoint each, replayed one by one
// when a chunk cannot commit);
// bulkId references resolve backwards, forwards and in paths, cycles and
// unknown references fail with 409; failOnErrors stops; the limits of
// /ServiceProviderConfig are enforced with SCIM 413 errors; tenancy holds.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BULK_CHUNK_SIZE } from "../../server/scim/bulk/chunk.ts";
import { planExecution } from "../../server/scim/bulk/plan.ts";
import { ENGINES } from "../support/engines.ts";
import {
  GROUP_SCHEMA,
  SCIM_BASE,
  type TestOrg,
  type TestServer,
  patchBody,
  startTestServer,
  userBody,
} from "../support/server.ts";

const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

type Doc = Record<string, any>;
type Op = Record<string, unknown>;

describe("the order bulk operations run in (planExecution)", () => {
  it("keeps the request's order when nothing references forward", () => {
    expect(planExecution([[], [0], [], [1, 2]])).toEqual({ order: [0, 1, 2, 3], circular: new Set() });
  });

  it("pulls a referenced later operation, and what it references, in just before the first one needing it", () => {
    // 0 needs 2, 2 needs 3; 1 stays between them in request order.
    expect(planExecution([[2], [], [3], []]).order).toEqual([3, 2, 0, 1]);
  });

  it("orders a forward chain of 10,000 references without exhausting the stack", () => {
    const n = 10_000;
    const { order, circular } = planExecution(Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : [])));
    expect(order).toEqual(Array.from({ length: n }, (_, i) => n - 1 - i));
    expect(circular.size).toBe(0);
  });

  it("marks the operations on a cycle, and only those, as circular; each index appears once", () => {
    // 0 ↔ 1 is a cycle, 2 refers to itself, 3 depends on the cycle without being on it.
    const { order, circular } = planExecution([[1], [0], [2], [0], []]);
    expect([...circular].sort()).toEqual([0, 1, 2]);
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(order.indexOf(3)).toBeGreaterThan(order.indexOf(0));
  });
});

describe.each(ENGINES)("/Bulk on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Bulk Inc");
    other = await server.newOrg("Other Inc");
  });
  afterAll(async () => {
    await server.close();
  });

  /** POSTs a BulkRequest and returns its results, after checking the envelope of a 200 BulkResponse. */
  async function bulk(Operations: Op[], extra: Doc = {}, as: TestOrg = org): Promise<Doc[]> {
    const res = await as.scim("post", "/Bulk").send({ schemas: [BULK_REQUEST], Operations, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body.schemas).toEqual([BULK_RESPONSE]);
    return res.body.Operations as Doc[];
  }
  const postUser = (bulkId: string, userName: string, extra: Doc = {}): Op => ({
    method: "POST",
    path: "/Users",
    bulkId,
    data: userBody(userName, extra),
  });
  const postGroup = (bulkId: string, displayName: string, members: string[] = []): Op => ({
    method: "POST",
    path: "/Groups",
    bulkId,
    data: { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) },
  });
  const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const idOf = (result: Doc) => String(result.location).split("/").pop()!;

  async function usersNamed(...names: string[]) {
    return server.database.db.selectFrom("users").select(["id", "user_name"]).where("org_id", "=", org.id).where("user_name", "in", names).execute();
  }
  async function groupsNamed(...names: string[]) {
    return server.database.db.selectFrom("groups").select(["id", "display_name"]).where("org_id", "=", org.id).where("display_name", "in", names).execute();
  }
  async function memberIds(groupId: string): Promise<string[]> {
    const members = (await org.scim("get", `/Groups/${groupId}`).expect(200)).body.members ?? [];
    return (members as Doc[]).map((m) => m.value as string).sort();
  }
  async function auditCount(): Promise<number> {
    const row = await server.database.db
      .selectFrom("audit_events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("org_id", "=", org.id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  /** The status, scimType and detail a single request answered, for comparison with a bulk operation's. */
  const errorOf = (body: Doc) => ({ schemas: [ERROR_SCHEMA], status: body.status, scimType: body.scimType, detail: body.detail });

  describe("discovery", () => {
    it("advertises bulk with its limits in /ServiceProviderConfig", async () => {
      const spc = (await org.scim("get", "/ServiceProviderConfig").expect(200)).body;
      expect(spc.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 4 * 1024 * 1024 });
    });
  });

  describe("operations and results", () => {
    it("runs POST, PUT, PATCH and DELETE on Users and Groups, answering in request order with string statuses, locations and versions", async () => {
      const [a, b, c, g] = [unique("ann"), unique("ben"), unique("cat"), unique("Ops")];
      const results = await bulk([
        postUser("a", a),
        postUser("b", b),
        postGroup("g", g, ["bulkId:a"]),
        { method: "PATCH", path: "/Users/bulkId:a", data: patchBody({ op: "replace", path: "title", value: "Lead" }) },
        { method: "PUT", path: "/Users/bulkId:b", data: userBody(b, { title: "Replaced" }) },
        { method: "PATCH", path: "/Groups/bulkId:g", data: patchBody({ op: "add", path: "members", value: [{ value: "bulkId:b" }] }) },
        postUser("c", c),
        { method: "DELETE", path: "/Users/bulkId:c" },
      ]);
      expect(results.map((r) => [r.method, r.bulkId, r.status])).toEqual([
        ["POST", "a", "201"],
        ["POST", "b", "201"],
        ["POST", "g", "201"],
        ["PATCH", undefined, "200"],
        ["PUT", undefined, "200"],
        ["PATCH", undefined, "204"], // as a single group PATCH answers
        ["POST", "c", "201"],
        ["DELETE", undefined, "204"],
      ]);
      for (const r of results) expect(r).not.toHaveProperty("response");
      const [userA, userB, group, userC] = [idOf(results[0]!), idOf(results[1]!), idOf(results[2]!), idOf(results[6]!)];
      expect(results[0]!.location).toBe(`${SCIM_BASE}/Users/${userA}`);
      expect(results[2]!.location).toBe(`${SCIM_BASE}/Groups/${group}`);
      expect(results[3]!.location).toBe(`${SCIM_BASE}/Users/${userA}`);
      expect(results[7]!.location).toBe(`${SCIM_BASE}/Users/${userC}`);
      expect(results[7]).not.toHaveProperty("version");

      // Each version is the resource's meta.version, as the single request's ETag would be.
      const readB = (await org.scim("get", `/Users/${userB}`).expect(200)).body;
      expect(readB.title).toBe("Replaced");
      expect(results[4]!.version).toBe(readB.meta.version);
      const readG = (await org.scim("get", `/Groups/${group}`).expect(200)).body;
      expect(results[5]!.version).toBe(readG.meta.version);
      expect(readG.members.map((m: Doc) => m.value).sort()).toEqual([userA, userB].sort());
      expect((await org.scim("get", `/Users/${userA}`).expect(200)).body.title).toBe("Lead");
      await org.scim("get", `/Users/${userC}`).expect(404);
    });

    it("records the same audit events, with the token as actor, as the single requests would", async () => {
      const name = unique("audited");
      const before = await auditCount();
      const results = await bulk([
        postUser("u", name),
        { method: "PATCH", path: "/Users/bulkId:u", data: patchBody({ op: "replace", path: "active", value: false }) },
        { method: "DELETE", path: "/Users/bulkId:u" },
      ]);
      const id = idOf(results[0]!);
      const events = await server.database.db
        .selectFrom("audit_events")
        .select(["action", "actor_kind", "actor_id", "target_id"])
        .where("org_id", "=", org.id)
        .where("target_id", "=", id)
        .orderBy("id")
        .execute();
      expect(events).toEqual(
        ["user.created", "user.suspended", "user.deleted"].map((action) => ({ action, actor_kind: "scim-token", actor_id: org.tokenId, target_id: id })),
      );
      expect(await auditCount()).toBe(before + 3);
    });

    it("accepts method names in any case and an empty Operations list", async () => {
      const results = await bulk([{ ...postUser("lc", unique("lower")), method: "post" }]);
      expect(results[0]).toMatchObject({ method: "POST", status: "201" });
      expect(await bulk([])).toEqual([]);
    });
  });

  describe("the same rules as single requests", () => {
    it("refuses a user outside the verified domains with the single POST's status, scimType and detail", async () => {
      const body = userBody("zed@unverified.test", { emails: [{ value: "zed@unverified.test", type: "work", primary: true }] });
      const single = (await org.scim("post", "/Users").send(body).expect(400)).body;
      const [result] = await bulk([{ method: "POST", path: "/Users", bulkId: "z", data: body }]);
      expect(result).toEqual({ method: "POST", bulkId: "z", status: "400", response: errorOf(single) });
      expect(single.scimType).toBe("invalidValue");
      expect(await usersNamed("zed@unverified.test")).toEqual([]);
    });

    it("answers 409 uniqueness for a taken userName, inside the request and against stored users", async () => {
      const name = unique("twice");
      const results = await bulk([postUser("first", name), postUser("second", name.toUpperCase())]);
      expect(results[0]!.status).toBe("201");
      const single = (await org.scim("post", "/Users").send(userBody(name.toUpperCase())).expect(409)).body;
      expect(results[1]).toEqual({ method: "POST", bulkId: "second", status: "409", response: errorOf(single) });
      expect(single.scimType).toBe("uniqueness");
      expect(await usersNamed(name, name.toUpperCase())).toHaveLength(1);
    });

    it("hits the seat limit inside a request: the operation beyond it answers the single request's 409, the others keep their seats", async () => {
      const product = unique("seat").toLowerCase();
      await server.admin("put", `/orgs/${org.id}/products/${product}`).send({ seats: 2 }).expect(200);
      const seated = { entitlements: [{ value: product }] };
      const names = [unique("s1"), unique("s2"), unique("s3")];
      const results = await bulk(names.map((n, i) => postUser(`s${i}`, n, seated)));
      expect(results.map((r) => r.status)).toEqual(["201", "201", "409"]);
      const fourth = unique("s4");
      const single = (await org.scim("post", "/Users").send(userBody(fourth, seated)).expect(409)).body;
      expect(results[2]!.response).toEqual(errorOf(single));
      expect(single.detail).toContain(`product "${product}" has no free seat (2 of 2 assigned)`);
      const usage = (await server.admin("get", `/orgs/${org.id}/products`).expect(200)).body.products.find((p: Doc) => p.key === product);
      expect(usage).toMatchObject({ seats: 2, assigned: 2 });
      expect(await usersNamed(...names)).toHaveLength(2);
    });

    it("a failed operation leaves nothing behind (no row, no audit event) while the others commit", async () => {
      const [ok, g] = [unique("kept"), unique("Broken")];
      const before = await auditCount();
      const results = await bulk([
        postUser("ok", ok),
        postGroup("bad", g, ["bulkId:ok", randomUUID()]), // an unknown member fails the whole group create
      ]);
      expect(results[0]!.status).toBe("201");
      expect(results[1]).toMatchObject({ status: "400", response: { scimType: "invalidValue" } });
      expect(results[1]!.response.detail).toContain("no User or Group with id");
      expect(results[1]).not.toHaveProperty("location"); // a failed POST has none (RFC 7644 §3.7.3)
      expect(await usersNamed(ok)).toHaveLength(1);
      expect(await groupsNamed(g)).toEqual([]);
      expect(await auditCount()).toBe(before + 1);
    });

    it("takes version as If-Match: a stale one answers 412 and changes nothing, the current one or * succeeds", async () => {
      const created = (await org.scim("post", "/Users").send(userBody(unique("versioned"))).expect(201)).body;
      const path = `/Users/${created.id}`;
      const stale = created.meta.version;
      await org.scim("patch", path).send(patchBody({ op: "replace", path: "title", value: "v2" })).expect(200);
      const single = (await org.scim("patch", path).set("If-Match", stale).send(patchBody({ op: "replace", path: "title", value: "x" })).expect(412)).body;
      const current = (await org.scim("get", path).expect(200)).body.meta.version;

      const results = await bulk([
        { method: "PATCH", path, version: stale, data: patchBody({ op: "replace", path: "title", value: "stale" }) },
        { method: "DELETE", path, version: stale },
        { method: "PATCH", path, version: current, data: patchBody({ op: "replace", path: "title", value: "v3" }) },
        { method: "PATCH", path, version: "*", data: patchBody({ op: "replace", path: "title", value: "v4" }) },
      ]);
      expect(results.map((r) => r.status)).toEqual(["412", "412", "200", "200"]);
      expect(results[0]!.response).toEqual(errorOf(single));
      expect(results[0]!.location).toBe(`${SCIM_BASE}${path}`);
      const after = (await org.scim("get", path).expect(200)).body;
      expect(after.title).toBe("v4");
      expect(results[3]!.version).toBe(after.meta.version);
    });

    it("keeps tenants apart: another organization's ids answer 404 and stay untouched", async () => {
      const theirs = (await other.scim("post", "/Users").send(userBody(unique("theirs"), {}, other.domain)).expect(201)).body;
      const theirGroup = (await other.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: unique("Theirs") }).expect(201)).body;
      const results = await bulk([
        { method: "PATCH", path: `/Users/${theirs.id}`, data: patchBody({ op: "replace", path: "title", value: "Hijacked" }) },
        { method: "DELETE", path: `/Groups/${theirGroup.id}` },
        postGroup("mine", unique("Mine"), [theirs.id]),
      ]);
      expect(results.map((r) => r.status)).toEqual(["404", "404", "400"]);
      expect(results[0]!.response.detail).toContain(theirs.id);
      const after = (await other.scim("get", `/Users/${theirs.id}`).expect(200)).body;
      expect(after.title).toBeUndefined();
      expect(after.meta.version).toBe(theirs.meta.version);
      await other.scim("get", `/Groups/${theirGroup.id}`).expect(200);
    });
  });

  describe("bulkId references", () => {
    it("resolves a forward reference: a group naming a user created later in the request", async () => {
      const [u, g] = [unique("later"), unique("Early")];
      const results = await bulk([
        { method: "PATCH", path: "/Groups/bulkId:grp", data: patchBody({ op: "replace", path: "displayName", value: `${g}-renamed` }) },
        postGroup("grp", g, ["bulkId:usr"]),
        postUser("usr", u),
      ]);
      expect(results.map((r) => [r.bulkId, r.status])).toEqual([
        [undefined, "204"],
        ["grp", "201"],
        ["usr", "201"],
      ]);
      const group = idOf(results[1]!);
      expect(await memberIds(group)).toEqual([idOf(results[2]!)]);
      expect((await org.scim("get", `/Groups/${group}`).expect(200)).body.displayName).toBe(`${g}-renamed`);
    });

    it("resolves references anywhere in data: the enterprise manager, PATCH values", async () => {
      const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
      const [boss, report] = [unique("boss"), unique("report")];
      const results = await bulk([
        postUser("report", report, {
          schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
          [ENTERPRISE]: { manager: { value: "bulkId:boss" } },
        }),
        postUser("boss", boss),
      ]);
      expect(results.map((r) => r.status)).toEqual(["201", "201"]);
      const read = (await org.scim("get", `/Users/${idOf(results[0]!)}`).expect(200)).body;
      expect(read[ENTERPRISE].manager.value).toBe(idOf(results[1]!));
    });

    it("answers 409 invalidValue for a circular reference, creating neither side, while the rest of the request runs", async () => {
      const [ga, gb, self, u] = [unique("CycleA"), unique("CycleB"), unique("Self"), unique("bystander")];
      const results = await bulk([
        postGroup("A", ga, ["bulkId:B"]),
        postGroup("B", gb, ["bulkId:A"]),
        postGroup("S", self, ["bulkId:S"]),
        postUser("U", u),
      ]);
      expect(results.map((r) => [r.bulkId, r.status])).toEqual([
        ["A", "409"],
        ["B", "409"],
        ["S", "409"],
        ["U", "201"],
      ]);
      for (const r of results.slice(0, 3)) {
        expect(r.response).toMatchObject({ schemas: [ERROR_SCHEMA], status: "409", scimType: "invalidValue" });
        expect(r.response.detail).toContain("cycle");
      }
      expect(await groupsNamed(ga, gb, self)).toEqual([]);
      expect(await usersNamed(u)).toHaveLength(1);
    });

    it("answers 409 invalidValue for an unknown bulkId and for one whose POST failed", async () => {
      const [bad, g1, g2] = [unique("bad"), unique("Orphan"), unique("Dependent")];
      const results = await bulk([
        postGroup("g1", g1, ["bulkId:nobody"]),
        postUser("bad", bad, { userName: "" }),
        postGroup("g2", g2, ["bulkId:bad"]),
        { method: "DELETE", path: "/Users/bulkId:nobody" },
      ]);
      expect(results.map((r) => r.status)).toEqual(["409", "400", "409", "409"]);
      expect(results[0]!.response).toMatchObject({ scimType: "invalidValue" });
      expect(results[0]!.response.detail).toContain('no operation of this request has bulkId "nobody"');
      expect(results[2]!.response.detail).toContain("Operations[1], the POST that declares it, failed");
      expect(results[3]).not.toHaveProperty("location");
      expect(await groupsNamed(g1, g2)).toEqual([]);
    });
  });

  describe("chunks: runs of user creates share a transaction, each create in its own savepoint", () => {
    const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const managedBy = (bulkId: string) => ({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
      [ENTERPRISE]: { manager: { value: `bulkId:${bulkId}` } },
    });

    it("a create failing in the middle of a chunk is rolled back alone; its chunk-mates commit with their audit events and versions", async () => {
      const taken = unique("taken");
      await org.scim("post", "/Users").send(userBody(taken)).expect(201);
      const names = [unique("m1"), unique("m2"), taken.toUpperCase(), unique("m4"), unique("m5")];
      const before = await auditCount();
      const results = await bulk([
        ...names.map((n, i) => postUser(`m${i}`, n)),
        { method: "POST", path: "/Users", bulkId: "outside", data: userBody(unique("out"), {}, "not-verified.test") },
        postUser("after", unique("m7"), managedBy("m1")),
      ]);
      expect(results.map((r) => r.status)).toEqual(["201", "201", "409", "201", "201", "400", "201"]);
      const single = (await org.scim("post", "/Users").send(userBody(taken.toUpperCase())).expect(409)).body;
      expect(results[2]).toEqual({ method: "POST", bulkId: "m2", status: "409", response: errorOf(single) });
      for (const r of [results[0]!, results[1]!, results[3]!, results[4]!, results[6]!]) {
        expect(r.version).toBe('W/"1"');
        const read = await org.scim("get", `/Users/${idOf(r)}`).expect(200);
        expect(read.headers.etag).toBe(r.version);
      }
      // The reference to a chunk-mate resolves to the committed user.
      const managed = (await org.scim("get", `/Users/${idOf(results[6]!)}`).expect(200)).body;
      expect(managed[ENTERPRISE].manager.value).toBe(idOf(results[1]!));
      expect(await usersNamed(...names, taken)).toHaveLength(5); // four created, plus the one taken before
      expect(await auditCount()).toBe(before + 5);
    });

    it("a seat-limit refusal inside a chunk fails that create only: earlier seats stay held, later creates without the product commit", async () => {
      const product = unique("chunkseat").toLowerCase();
      await server.admin("put", `/orgs/${org.id}/products/${product}`).send({ seats: 2 }).expect(200);
      const seated = { entitlements: [{ value: product }] };
      const names = [unique("c1"), unique("c2"), unique("c3"), unique("c4"), unique("c5")];
      const results = await bulk([
        postUser("c1", names[0]!, seated),
        postUser("c2", names[1]!),
        postUser("c3", names[2]!, seated),
        postUser("c4", names[3]!, seated), // the third seat of two
        postUser("c5", names[4]!),
      ]);
      expect(results.map((r) => r.status)).toEqual(["201", "201", "201", "409", "201"]);
      const single = (await org.scim("post", "/Users").send(userBody(unique("c6"), seated)).expect(409)).body;
      expect(results[3]!.response).toEqual(errorOf(single));
      expect(single.detail).toContain(`product "${product}" has no free seat (2 of 2 assigned)`);
      const usage = (await server.admin("get", `/orgs/${org.id}/products`).expect(200)).body.products.find((p: Doc) => p.key === product);
      expect(usage).toMatchObject({ seats: 2, assigned: 2 });
      expect((await usersNamed(...names)).map((u) => u.user_name).sort()).toEqual([names[0], names[1], names[2], names[4]].sort());
    });

    it("failOnErrors reached inside a chunk stops there: the creates before it commit, the ones after are neither run nor reported", async () => {
      const taken = unique("stop");
      await org.scim("post", "/Users").send(userBody(taken)).expect(201);
      const [first, never] = [unique("first"), unique("never")];
      const results = await bulk([postUser("a", first), postUser("b", taken), postUser("c", never)], { failOnErrors: 1 });
      expect(results.map((r) => [r.bulkId, r.status])).toEqual([["a", "201"], ["b", "409"]]);
      expect(await usersNamed(first)).toHaveLength(1);
      expect(await usersNamed(never)).toEqual([]);
    });

    it("a chunk that fails at COMMIT reports nothing of it as done: its creates run again one by one, each answering its own outcome", async () => {
      // A deferred constraint trigger fails the COMMIT of any transaction that inserted `doomed`.
      const doomed = unique("doomed");
      const db = server.database.db;
      await sql`create function bulk_test_fail_at_commit() returns trigger language plpgsql as $$
        begin raise exception 'refused at commit'; end $$`.execute(db);
      await sql.raw(`create constraint trigger bulk_test_fail_at_commit after insert on users deferrable initially deferred
        for each row when (new.user_name = '${doomed}') execute function bulk_test_fail_at_commit()`).execute(db);
      try {
        const [a, b] = [unique("ca"), unique("cb")];
        const before = await auditCount();
        const results = await bulk([postUser("a", a), postUser("d", doomed), postUser("b", b, managedBy("a"))]);
        // Alone in its own transaction, the doomed create fails at its own COMMIT: an unexpected error, 500.
        expect(results.map((r) => [r.bulkId, r.status])).toEqual([["a", "201"], ["d", "500"], ["b", "201"]]);
        expect(await usersNamed(a, doomed, b)).toHaveLength(2);
        expect(await auditCount()).toBe(before + 2);
        // The ids reported are the committed ones, from the replay: references resolved to them too.
        const managed = (await org.scim("get", `/Users/${idOf(results[2]!)}`).expect(200)).body;
        expect(managed[ENTERPRISE].manager.value).toBe(idOf(results[0]!));
        expect((await org.scim("get", `/Users/${idOf(results[0]!)}`).expect(200)).body.userName).toBe(a);
      } finally {
        await sql`drop trigger bulk_test_fail_at_commit on users`.execute(db);
        await sql`drop function bulk_test_fail_at_commit()`.execute(db);
      }
    });

    it(`runs more creates than a chunk holds (${BULK_CHUNK_SIZE}): failures on both sides of a boundary, references across chunks, a group in between`, async () => {
      const n = 2 * BULK_CHUNK_SIZE + 20;
      const names = Array.from({ length: n }, (_, i) => unique(`b${i}`));
      const taken = new Set([BULK_CHUNK_SIZE - 1, BULK_CHUNK_SIZE, 2 * BULK_CHUNK_SIZE + 1]); // last of chunk 1, first of chunk 2, and one more
      for (const i of taken) await org.scim("post", "/Users").send(userBody(names[i]!)).expect(201);
      const group = unique("Between");
      const ops: Op[] = names.map((name, i) =>
        // Each user after the first chunk is managed by one in the chunk before (or, forward, by the last user).
        postUser(`b${i}`, name, i === 5 ? managedBy(`b${n - 1}`) : i > BULK_CHUNK_SIZE + 2 ? managedBy(`b${i - BULK_CHUNK_SIZE}`) : {}),
      );
      ops.splice(BULK_CHUNK_SIZE + 10, 0, postGroup("g", group, ["bulkId:b0", `bulkId:b${BULK_CHUNK_SIZE + 5}`]));
      const before = await auditCount();
      const results = await bulk(ops);
      expect(results).toHaveLength(n + 1);
      const users = results.filter((r) => r.bulkId !== "g");
      users.forEach((r, i) => {
        expect(r.bulkId).toBe(`b${i}`);
        const refersToTaken = i > BULK_CHUNK_SIZE + 2 && taken.has(i - BULK_CHUNK_SIZE);
        expect(r.status, `b${i}`).toBe(taken.has(i) ? "409" : refersToTaken ? "409" : "201");
      });
      const groupResult = results.find((r) => r.bulkId === "g")!;
      expect(groupResult.status).toBe("201");
      expect(await memberIds(idOf(groupResult))).toEqual([idOf(users[0]!), idOf(users[BULK_CHUNK_SIZE + 5]!)].sort());
      const created = users.filter((r) => r.status === "201");
      expect(created.length).toBeGreaterThan(2 * BULK_CHUNK_SIZE);
      expect(await usersNamed(...names)).toHaveLength(created.length + taken.size);
      expect(await auditCount()).toBe(before + created.length + 1);
      const read = async (i: number) => (await org.scim("get", `/Users/${idOf(users[i]!)}`).expect(200)).body;
      expect((await read(5))[ENTERPRISE].manager.value).toBe(idOf(users[n - 1]!));
      expect((await read(n - 1))[ENTERPRISE].manager.value).toBe(idOf(users[n - 1 - BULK_CHUNK_SIZE]!));
    });
  });

  describe("failOnErrors", () => {
    it("failOnErrors=1 stops at the first error: the operations after it are neither run nor reported", async () => {
      const [before, after] = [unique("before"), unique("after")];
      const results = await bulk(
        [postUser("ok", before), { method: "DELETE", path: `/Users/${randomUUID()}` }, postUser("never", after)],
        { failOnErrors: 1 },
      );
      expect(results.map((r) => r.status)).toEqual(["201", "404"]);
      expect(await usersNamed(before)).toHaveLength(1);
      expect(await usersNamed(after)).toEqual([]);
    });

    it("failOnErrors=2 accepts one error and goes on; without it every operation runs", async () => {
      const names = [unique("f1"), unique("f2"), unique("f3")];
      const ops = [
        { method: "DELETE", path: `/Users/${randomUUID()}` },
        postUser("f1", names[0]!),
        { method: "DELETE", path: `/Groups/${randomUUID()}` },
        postUser("f2", names[1]!),
      ];
      expect((await bulk(ops, { failOnErrors: 2 })).map((r) => r.status)).toEqual(["404", "201", "404"]);
      const all = await bulk([...ops.slice(0, 3), postUser("f3", names[2]!)]);
      expect(all.map((r) => r.status)).toEqual(["404", "409", "404", "201"]); // f1 exists by now
    });
  });

  describe("limits", () => {
    it("accepts maxOperations operations and refuses 1001 with a SCIM 413 naming the limits", async () => {
      const remove = { method: "DELETE", path: "/Users/not-a-user" };
      const results = await bulk(Array.from({ length: 1000 }, () => remove));
      expect(results).toHaveLength(1000);
      expect(new Set(results.map((r) => r.status))).toEqual(new Set(["404"]));

      const res = await org.scim("post", "/Bulk").send({ schemas: [BULK_REQUEST], Operations: Array.from({ length: 1001 }, () => remove) }).expect(413);
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "413" });
      expect(res.body).not.toHaveProperty("scimType");
      expect(res.body.detail).toContain("1001 operations; maxOperations is 1000");
    });

    it("accepts a body above the single-resource limit (1 MiB) up to maxPayloadSize, refuses a larger one with a SCIM 413", async () => {
      const name = unique("roomy");
      const big = { method: "POST", path: "/Users", bulkId: "big", data: userBody(name, { title: "t" }), padding: "x".repeat(1_500_000) };
      const results = await bulk([big]);
      expect(results[0]!.status).toBe("201");

      const huge = { ...big, bulkId: "huge", padding: "x".repeat(4 * 1024 * 1024) };
      const res = await org.scim("post", "/Bulk").send({ schemas: [BULK_REQUEST], Operations: [huge] }).expect(413);
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "413" });
      expect(res.body.detail).toContain(`maxPayloadSize, ${4 * 1024 * 1024} bytes`);
    });

    it("keeps the 1 MiB limit, as a SCIM 413, on the other endpoints", async () => {
      const res = await org.scim("post", "/Users").send(userBody(unique("fat"), { title: "x".repeat(1_100_000) })).expect(413);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "413" });
      expect(res.body.detail).toContain("1048576 bytes");
    });
  });

  describe("invalid requests", () => {
    const send = (body: unknown) => org.scim("post", "/Bulk").send(body as object);

    it.each([
      ["no BulkRequest schema", { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [] }, "invalidSyntax", "must include"],
      ["no Operations", { schemas: [BULK_REQUEST] }, "invalidSyntax", '"Operations"'],
      ["Operations not an array", { schemas: [BULK_REQUEST], Operations: {} }, "invalidSyntax", '"Operations"'],
      ["an operation that is not an object", { schemas: [BULK_REQUEST], Operations: ["DELETE /Users/1"] }, "invalidSyntax", "Operations[0]"],
      ["failOnErrors of 0", { schemas: [BULK_REQUEST], Operations: [], failOnErrors: 0 }, "invalidValue", "failOnErrors"],
      ["failOnErrors not a number", { schemas: [BULK_REQUEST], Operations: [], failOnErrors: "1" }, "invalidValue", "failOnErrors"],
      [
        "two operations with one bulkId",
        { schemas: [BULK_REQUEST], Operations: [{ method: "POST", path: "/Users", bulkId: "x", data: {} }, { method: "POST", path: "/Groups", bulkId: "x", data: {} }] },
        "invalidValue",
        'same bulkId "x"',
      ],
    ] as const)("%s: the whole request answers 400 %s", async (_what, body, scimType, detail) => {
      const before = await auditCount();
      const res = await send(body).expect(400);
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "400", scimType });
      expect(res.body.detail).toContain(detail);
      expect(await auditCount()).toBe(before);
    });

    it("a body that is not JSON answers 400 invalidSyntax", async () => {
      const res = await org.scim("post", "/Bulk").send("{not json").expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidSyntax" });
    });

    it("an invalid operation fails alone with 400 and an actionable detail; the valid ones run", async () => {
      const name = unique("valid");
      const results = await bulk([
        { method: "GET", path: "/Users" },
        { method: "POST", path: "/Users/123", bulkId: "p", data: userBody(unique("x")) },
        { method: "PATCH", path: "/Users", data: patchBody({ op: "remove", path: "title" }) },
        { method: "DELETE", path: "/Widgets/1" },
        { method: "DELETE" },
        { method: "POST", path: "/Users", data: userBody(unique("nobulkid")) },
        { method: "PUT", path: `/Users/${randomUUID()}` },
        { method: "PATCH", path: `/Users/${randomUUID()}`, data: { Operations: [] } },
        postUser("valid", name),
      ]);
      expect(results.map((r) => [r.status, r.response?.scimType])).toEqual([
        ["400", "invalidValue"],
        ["400", "invalidValue"],
        ["400", "invalidValue"],
        ["400", "invalidValue"],
        ["400", "invalidValue"],
        ["400", "invalidValue"],
        ["400", "invalidSyntax"],
        ["400", "invalidSyntax"],
        ["201", undefined],
      ]);
      const details = results.map((r) => r.response?.detail as string | undefined);
      expect(details[0]).toContain('method "GET" is not one of POST, PUT, PATCH, DELETE');
      expect(details[1]).toContain('path "/Users/123" is not valid for POST: use "/Users" or "/Groups"');
      expect(details[2]).toContain('use "/Users/{id}" or "/Groups/{id}"');
      expect(details[3]).toContain('path "/Widgets/1"');
      expect(details[4]).toContain("path is required");
      expect(details[5]).toContain("bulkId is required with POST");
      expect(details[6]).toContain("data is required with PUT");
      expect(details[7]).toContain("PatchOp");
      expect(await usersNamed(name)).toHaveLength(1);
    });

    it("answers 405 with Allow: POST to other methods on /Bulk", async () => {
      const res = await org.scim("get", "/Bulk").expect(405);
      expect(res.headers.allow).toBe("POST");
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: "405" });
    });

    it("needs the bearer token like every SCIM endpoint", async () => {
      await org.scim("post", "/Bulk").set("Authorization", "Bearer nope").send({ schemas: [BULK_REQUEST], Operations: [] }).expect(401);
    });
  });
});
