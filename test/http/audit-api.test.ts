// GET /admin/v1/orgs/:org/audit over real HTTP on a real database: filters by
// actor, target, action (exact or prefix), time window; keyset pages; strict
// ISO 8601 dates; and no secret in any event.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { type TestOrg, type TestServer, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;

describe.each(ENGINES)("audit API on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let other: TestOrg;
  let ann: string;
  let ben: string;
  let between: string;
  let all: Doc[];

  const audit = (query = "", as: TestOrg = org) => server.admin("get", `/orgs/${as.id}/audit${query ? `?${query}` : ""}`);
  const events = async (query: string): Promise<Doc[]> => (await audit(query).expect(200)).body.events;
  const createUser = async (userName: string, extra: Doc = {}) =>
    (await org.scim("post", "/Users").send(userBody(userName, extra, org.domain)).expect(201)).body.id as string;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Audited");
    other = await server.newOrg("Other");
    await server.admin("put", `/orgs/${org.id}/products/meeting`).send({ seats: 5 }).expect(200);
    ann = await createUser("ann", { entitlements: [{ value: "meeting" }] });
    await server.admin("post", `/orgs/${org.id}/users/${ann}/suspend`).expect(200);
    // Wall-clock gap: everything above happened before `between`, everything below after it.
    await sleep(30);
    between = new Date().toISOString();
    await sleep(30);
    ben = await createUser("ben");
    await server.admin("put", `/orgs/${org.id}/users/${ben}/roles`).send({ orgRole: "admin" }).expect(200);
    await server.admin("post", `/orgs/${org.id}/users/${ann}/restore`).expect(200);
    await other.scim("post", "/Users").send(userBody("ann", {}, other.domain)).expect(201);
    all = await events("limit=200");
  });
  afterAll(async () => {
    await server.close();
  });

  it("lists the organization's events newest first, with the documented shape", async () => {
    expect(all.map((e) => e.action)).toEqual([
      "user.restored",
      "user.updated",
      "user.created",
      "user.suspended",
      "user.created",
      "product.seats_set",
      "domain.verified",
      "domain.added",
    ]);
    expect(all.map((e) => e.id)).toEqual(all.map((e) => e.id).sort().reverse());
    expect(all[2]).toEqual({
      id: expect.any(String),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      actor: { kind: "scim-token", id: org.tokenId, label: "test" },
      action: "user.created",
      target: { type: "User", id: ben, label: "ben" },
      details: { changes: expect.objectContaining({ userName: { to: "ben" } }) },
    });
  });

  it("actor= takes an actor id or an actor kind", async () => {
    expect((await events(`actor=${org.tokenId}`)).map((e) => e.action)).toEqual(["user.created", "user.created"]);
    expect((await events("actor=scim-token")).map((e) => e.action)).toEqual(["user.created", "user.created"]);
    expect((await events("actor=operator")).map((e) => e.action)).toEqual([
      "user.restored",
      "user.updated",
      "user.suspended",
      "product.seats_set",
      "domain.verified",
      "domain.added",
    ]);
    expect(await events(`actor=${randomUUID()}`)).toEqual([]);
  });

  it("target= lists what happened to one user (or a product key, or a domain name)", async () => {
    expect((await events(`target=${ann}`)).map((e) => e.action)).toEqual(["user.restored", "user.suspended", "user.created"]);
    expect((await events("target=meeting")).map((e) => e.action)).toEqual(["product.seats_set"]);
    expect((await events(`target=${org.domain}`)).map((e) => e.action)).toEqual(["domain.verified", "domain.added"]);
  });

  it('action= is exact, or a prefix when it ends in "."', async () => {
    expect((await events("action=user.created")).map((e) => e.target.id)).toEqual([ben, ann]);
    expect((await events("action=user.")).map((e) => e.action)).toEqual([
      "user.restored",
      "user.updated",
      "user.created",
      "user.suspended",
      "user.created",
    ]);
    expect(await events("action=user")).toEqual([]);
    expect((await events("action=domain.")).map((e) => e.action)).toEqual(["domain.verified", "domain.added"]);
    // LIKE wildcards in the prefix are literal.
    expect(await events("action=%25.")).toEqual([]);
    expect(await events("action=user_created")).toEqual([]);
  });

  it("since= (inclusive) and until= (exclusive) cut the trail at a point in time", async () => {
    const after = await events(`since=${encodeURIComponent(between)}`);
    expect(after.map((e) => e.action)).toEqual(["user.restored", "user.updated", "user.created"]);
    const before = await events(`until=${encodeURIComponent(between)}`);
    expect(before.map((e) => e.action)).toEqual(["user.suspended", "user.created", "product.seats_set", "domain.verified", "domain.added"]);
    // The boundary itself: an event's own timestamp is included by since and excluded by until.
    const pivot = all[4]!;
    expect((await events(`since=${pivot.at}&target=${ann}`)).map((e) => e.id)).toContain(pivot.id);
    expect((await events(`until=${pivot.at}&target=${ann}`)).map((e) => e.id)).not.toContain(pivot.id);
    // Offsets and plain dates are understood.
    const offset = between.replace("Z", "+00:00");
    expect(await events(`since=${encodeURIComponent(offset)}`)).toEqual(after);
    expect(await events("since=2999-01-01")).toEqual([]);
    expect(await events("until=2000-01-01")).toEqual([]);
    expect(await events(`since=2000-01-01&until=${encodeURIComponent(between)}&actor=operator`)).toHaveLength(4);
  });

  it("pages with a cursor: walking the pages returns every event exactly once, newest first", async () => {
    const seen: Doc[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: Doc } = await audit(`limit=3${cursor ? `&cursor=${cursor}` : ""}`).expect(200);
      expect(res.body.events.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.events);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);
    // Filters hold on every page.
    const first = await audit("action=user.&limit=4").expect(200);
    const rest = await audit(`action=user.&limit=4&cursor=${first.body.nextCursor}`).expect(200);
    expect([...first.body.events, ...rest.body.events]).toEqual(all.filter((e) => e.action.startsWith("user.")));
    expect(rest.body.nextCursor).toBeNull();
  });

  it("defaults to 50 events per page", async () => {
    const busy = await server.newOrg("Busy");
    await server.admin("put", `/orgs/${busy.id}/products/meeting`).send({ seats: 0 }).expect(200);
    for (let seats = 1; seats <= 55; seats++) {
      await server.admin("put", `/orgs/${busy.id}/products/meeting`).send({ seats }).expect(200);
    }
    const page = await audit("", busy).expect(200);
    expect(page.body.events).toHaveLength(50);
    expect(page.body.nextCursor).toEqual(page.body.events[49].id);
    const rest = await audit(`cursor=${page.body.nextCursor}`, busy).expect(200);
    expect(rest.body.events).toHaveLength(8); // 56 seat changes + domain.added + domain.verified = 58
    expect(rest.body.nextCursor).toBeNull();
  });

  it.each([
    ["since=yesterday", /since must be an ISO 8601 date or date-time such as 2026-01-31 or 2026-01-31T09:30:00Z, not "yesterday"/],
    ["since=2026-02-30", /since must be an ISO 8601/],
    ["until=2026-13-01T00:00:00Z", /until must be an ISO 8601/],
    ["since=2026-01-01T24:00:00Z", /since must be an ISO 8601/],
    ["since=March%207%2C%202026", /since must be an ISO 8601/],
    ["since=1767225600000", /since must be an ISO 8601/],
    ["since=2026-01-01T10:00:00+02:00", /a "\+" in a query string must be sent as %2B/],
    ["since=2026-02-01&until=2026-01-01", /since must be earlier than until/],
    ["limit=0", /limit must be an integer from 1 to 200/],
    ["limit=201", /limit must be an integer from 1 to 200/],
    ["cursor=page-2", /cursor is not valid; use nextCursor from the previous page/],
    ["who=operator", /unknown query parameter "who"; this endpoint accepts actor, target, action, since, until, cursor, limit/],
  ])("refuses %s with 400 and a message that says what to fix", async (query, message) => {
    const res = await audit(query).expect(400);
    expect(res.body).toEqual({ error: expect.any(String), message: expect.stringMatching(message) });
  });

  it("answers 404 for an organization that does not exist and never shows another organization's events", async () => {
    for (const id of [randomUUID(), "acme"]) {
      expect((await server.admin("get", `/orgs/${id}/audit`).expect(404)).body).toEqual({
        error: "not_found",
        message: `Organization "${id}" not found`,
      });
    }
    const theirs = (await audit("", other).expect(200)).body.events as Doc[];
    expect(theirs.map((e) => e.action)).toEqual(["user.created", "domain.verified", "domain.added"]);
    expect(all.map((e) => e.id)).not.toContain(theirs[0]!.id);
  });

  it("never records a password: not on create, replace or patch, not in the stored rows either", async () => {
    const secrets = ["Create-Pa55word!x", "Replace-Pa55word!y", "Patch-Pa55word!z"];
    const id = await createUser("carl", { password: secrets[0] });
    await org.scim("put", `/Users/${id}`).send(userBody("carl", { password: secrets[1], displayName: "Carl" }, org.domain)).expect(200);
    await org
      .scim("patch", `/Users/${id}`)
      .send({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "password", value: secrets[2] }] })
      .expect(200);
    const trail = await events(`target=${id}`);
    expect(trail.map((e) => e.action)).toEqual(["user.updated", "user.updated", "user.created"]);
    const text = JSON.stringify(await events("limit=200"));
    const rows = JSON.stringify(await server.database.db.selectFrom("audit_events").selectAll().execute());
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      expect(rows).not.toContain(secret);
    }
    expect(text.toLowerCase()).not.toContain('"password"');
  });

  it("keeps the token's label in the trail after the token is revoked", async () => {
    const own = await server.newOrg("Label keeper");
    const made = await own.scim("post", "/Users").send(userBody("by-old-okta", {}, own.domain)).expect(201);
    const tokens = await server.admin("get", `/orgs/${own.id}/scim-tokens`).expect(200);
    const label = tokens.body.tokens[0].label as string;
    await server.admin("delete", `/orgs/${own.id}/scim-tokens/${own.tokenId}`).expect(204);
    const res = await audit(`target=${made.body.id}`, own).expect(200);
    expect(res.body.events[0].actor).toEqual({ kind: "scim-token", id: own.tokenId, label });
  });
});
