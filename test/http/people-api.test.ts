// The people side of the operator API over real HTTP on a real database: user
// search (every filter in SQL, keyset pages), a user's detail, suspend / restore /
// delete with their effect on seats, roles and the last-super-administrator rule,
// and the read-only group views (a group's members paged in SQL).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, PATCH_SCHEMA, type TestOrg, type TestServer, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;

describe.each(ENGINES)("people API on %s", (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  const api = (org: TestOrg, method: "get" | "post" | "put" | "delete" | "patch", path: string) =>
    server.admin(method, `/orgs/${org.id}${path}`);
  async function createUser(org: TestOrg, userName: string, extra: Doc = {}): Promise<string> {
    return (await org.scim("post", "/Users").send(userBody(userName, extra, org.domain)).expect(201)).body.id;
  }
  async function createGroup(org: TestOrg, displayName: string, members: string[], extra: Doc = {}): Promise<string> {
    const body = { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })), ...extra };
    return (await org.scim("post", "/Groups").send(body).expect(201)).body.id;
  }
  const setSeats = (org: TestOrg, key: string, seats: number) => api(org, "put", `/products/${key}`).send({ seats }).expect(200);
  const usage = async (org: TestOrg, key: string) =>
    ((await api(org, "get", "/products").expect(200)).body.products as Doc[]).find((p) => p.key === key);
  const listIds = async (org: TestOrg, query: string): Promise<string[]> =>
    ((await api(org, "get", `/users?${query}`).expect(200)).body.users as Doc[]).map((u) => u.id);
  const sorted = (...ids: string[]) => [...ids].sort();

  describe("GET /users: search and filters", () => {
    let org: TestOrg;
    let other: TestOrg;
    let alice: string;
    let bob: string;
    let carol: string;
    let dave: string;
    let engineering: string;
    let parent: string;
    let scarceHolder: string;
    let scarceWaiter: string;

    beforeAll(async () => {
      org = await server.newOrg("Searchers", { domain: "searchers.test" });
      other = await server.newOrg("Elsewhere");
      await setSeats(org, "meeting", 5);
      await setSeats(org, "scarce", 1);
      alice = await createUser(org, "alice.smith", { displayName: "Alice Smith", entitlements: [{ value: "meeting" }] });
      bob = await createUser(org, "bob.jones", {
        displayName: "Robert Jones",
        emails: [
          { value: `bob.jones@${org.domain}`, type: "work", primary: true },
          { value: "Bobby@Personal.example", type: "home" },
        ],
      });
      carol = await createUser(org, "carol", { displayName: "Carol 100%_done" });
      dave = await createUser(org, "dave", { displayName: "Dave Away", active: false });
      engineering = await createGroup(org, "Engineering", [alice, bob]);
      parent = await createGroup(org, "Parent", [engineering, carol]);
      // One seat for two members of Engineering: one holds it, the other waits (pending).
      await api(org, "put", `/groups/${engineering}/products`).send({ products: ["scarce"] }).expect(200);
      const aliceSeats = (await api(org, "get", `/users/${alice}`).expect(200)).body.products;
      [scarceHolder, scarceWaiter] = aliceSeats.granted.includes("scarce") ? [alice, bob] : [bob, alice];
      await api(org, "put", `/users/${carol}/roles`).send({ orgRole: "admin" }).expect(200);
      await api(org, "put", `/users/${bob}/roles`).send({ adminRole: "manager" }).expect(200);
      await createUser(other, "alice.other", { displayName: "Alice Elsewhere" });
    });

    it("lists every user of the organization, in id order, with the documented item shape", async () => {
      const res = await api(org, "get", "/users").expect(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.users.map((u: Doc) => u.id)).toEqual(sorted(alice, bob, carol, dave));
      const item = res.body.users.find((u: Doc) => u.id === alice);
      expect(item).toEqual({
        id: alice,
        userName: "alice.smith",
        displayName: "Alice Smith",
        active: true,
        emails: [{ value: `alice.smith@${org.domain}`, type: "work", primary: true }],
        roles: { orgRole: "user", adminRole: "member", managerScope: { groups: [], permissions: [] } },
        products: alice === scarceHolder ? { granted: ["meeting", "scarce"], pending: [] } : { granted: ["meeting"], pending: ["scarce"] },
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    });

    it.each([
      ["SMITH", "a userName or displayName, case-insensitively", () => [alice]],
      ["robert", "a displayName only", () => [bob]],
      ["bobby@personal", "any email address, not only the work one", () => [bob]],
      ["ONES@", "the middle of an email address", () => [bob]],
      ["%", "a literal % (not a wildcard)", () => [carol]],
      ["_", "a literal _ (not a wildcard)", () => [carol]],
      ["nobody-has-this", "nothing", () => []],
    ])("q=%s matches %s", async (q, _what, expected) => {
      expect(await listIds(org, `q=${encodeURIComponent(q)}`)).toEqual(sorted(...expected()));
    });

    it("status=active and status=suspended split the users by their active flag", async () => {
      expect(await listIds(org, "status=active")).toEqual(sorted(alice, bob, carol));
      expect(await listIds(org, "status=suspended")).toEqual([dave]);
    });

    it("product= lists holders of a granted seat only, not users waiting for one", async () => {
      expect(await listIds(org, "product=meeting")).toEqual([alice]);
      expect(await listIds(org, "product=scarce")).toEqual([scarceHolder]);
      expect(await listIds(org, "product=scarce")).not.toContain(scarceWaiter);
      expect(await listIds(org, "product=unknown-product")).toEqual([]);
    });

    it("group= lists the group's direct members, not members of groups inside it", async () => {
      expect(await listIds(org, `group=${engineering}`)).toEqual(sorted(alice, bob));
      expect(await listIds(org, `group=${parent}`)).toEqual([carol]);
      expect(await listIds(org, `group=${randomUUID()}`)).toEqual([]);
    });

    it("role= matches an organization role or an admin role", async () => {
      expect(await listIds(org, "role=admin")).toEqual([carol]);
      expect(await listIds(org, "role=user")).toEqual(sorted(alice, bob, dave));
      expect(await listIds(org, "role=manager")).toEqual([bob]);
      expect(await listIds(org, "role=member")).toEqual(sorted(alice, carol, dave));
      expect(await listIds(org, "role=super-administrator")).toEqual([]);
    });

    it("combines filters with AND", async () => {
      expect(await listIds(org, `q=o&status=active&group=${engineering}&role=manager`)).toEqual([bob]);
      expect(await listIds(org, "q=dave&status=active")).toEqual([]);
    });

    it("pages with a keyset cursor: the walk returns every user once, in id order", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { body: Doc } = await api(org, "get", `/users?limit=3${cursor ? `&cursor=${cursor}` : ""}`).expect(200);
        expect(res.body.users.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.users.map((u: Doc) => u.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(2);
      expect(seen).toEqual(sorted(alice, bob, carol, dave));
      // A filter applies on every page.
      const first = await api(org, "get", "/users?status=active&limit=2").expect(200);
      const second = await api(org, "get", `/users?status=active&limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect([...first.body.users, ...second.body.users].map((u: Doc) => u.id)).toEqual(sorted(alice, bob, carol));
      expect(second.body.nextCursor).toBeNull();
    });

    it.each([
      ["limit=0", /limit must be an integer from 1 to 200/],
      ["limit=201", /limit must be an integer from 1 to 200/],
      ["limit=ten", /limit must be an integer from 1 to 200/],
      ["cursor=not-a-cursor", /cursor is not valid; use nextCursor/],
      ["status=disabled", /status must be "active" or "suspended"/],
      ["role=owner", /role "owner" is not a role; use an organization role \(admin, admin-readonly, user\) or an admin role/],
      ["role=constructor", /role "constructor" is not a role/],
      ["group=engineering", /group must be a group id \(a UUID\)/],
      ["stauts=active", /unknown query parameter "stauts"; this endpoint accepts q, status, product, group, role, cursor, limit/],
      ["status=active&status=suspended", /give the query parameter "status" once/],
      [`q=${"x".repeat(257)}`, /q must be at most 256 characters/],
    ])("refuses %s with 400 and a message that says what to fix", async (query, message) => {
      const res = await api(org, "get", `/users?${query}`).expect(400);
      expect(res.body).toEqual({ error: expect.any(String), message: expect.stringMatching(message) });
    });

    it("answers 404 for an organization that does not exist, or an id that is not one", async () => {
      for (const id of [randomUUID(), "acme"]) {
        const res = await server.admin("get", `/orgs/${id}/users`).expect(404);
        expect(res.body).toEqual({ error: "not_found", message: `Organization "${id}" not found` });
      }
    });

    it("never shows another organization's users, nor answers for their ids", async () => {
      const foreign = (await api(other, "get", "/users").expect(200)).body.users[0].id;
      expect(await listIds(org, "q=alice")).toEqual([alice]);
      await api(org, "get", `/users/${foreign}`).expect(404);
      await api(org, "post", `/users/${foreign}/suspend`).expect(404);
      await api(org, "delete", `/users/${foreign}`).expect(404);
      expect((await api(other, "get", `/users/${foreign}`).expect(200)).body.active).toBe(true);
    });

    it("requires the operator token", async () => {
      await server.admin("get", `/orgs/${org.id}/users`).set("Authorization", "Bearer wrong-token-0123456789").expect(401);
    });
  });

  describe("GET /users/:id", () => {
    it("adds the user's groups and its 20 most recent audit events, newest first", async () => {
      const org = await server.newOrg("Detail");
      const id = await createUser(org, "erin", { displayName: "Erin" });
      const group = await createGroup(org, "Readers", [id]);
      for (let i = 0; i < 11; i++) {
        await api(org, "post", `/users/${id}/suspend`).expect(200);
        await api(org, "post", `/users/${id}/restore`).expect(200);
      }
      const res = await api(org, "get", `/users/${id}`).expect(200);
      expect(res.body).toMatchObject({ id, userName: "erin", active: true, groups: [{ id: group, displayName: "Readers" }] });
      const events = res.body.recentAuditEvents as Doc[];
      expect(events).toHaveLength(20);
      expect(events.every((e) => e.target.id === id && e.target.type === "User")).toBe(true);
      expect(events[0]).toMatchObject({ action: "user.restored", actor: { kind: "operator", id: null, label: null } });
      expect(events[1]!.action).toBe("user.suspended");
      const times = events.map((e) => e.id);
      expect(times).toEqual([...times].sort().reverse());
      expect(events.map((e) => e.action)).not.toContain("user.created"); // the 23rd event, beyond the 20
    });

    it("answers 404 for an unknown user id and for a non-UUID id", async () => {
      const org = await server.newOrg("Missing");
      const unknown = randomUUID();
      expect((await api(org, "get", `/users/${unknown}`).expect(404)).body).toEqual({
        error: "not_found",
        message: `User "${unknown}" not found`,
      });
      await api(org, "get", "/users/nobody").expect(404);
    });

    it("offers no way to change a userName or email: those change only through SCIM from the identity provider", async () => {
      const org = await server.newOrg("Identities");
      const id = await createUser(org, "frank");
      await api(org, "put", `/users/${id}`).send({ userName: "mallory" }).expect(404);
      await api(org, "patch", `/users/${id}`).send({ userName: "mallory" }).expect(404);
      await api(org, "post", `/users/${id}`).send({ emails: [{ value: `mallory@${org.domain}` }] }).expect(404);
      expect((await api(org, "get", `/users/${id}`).expect(200)).body).toMatchObject({
        userName: "frank",
        emails: [{ value: `frank@${org.domain}` }],
      });
    });
  });

  describe("suspend, restore, delete", () => {
    it("suspend frees the user's seat at once (GET /products shows it) and restore takes it again", async () => {
      const org = await server.newOrg("Seats");
      await setSeats(org, "meeting", 5);
      const id = await createUser(org, "gina", { entitlements: [{ value: "meeting" }] });
      expect(await usage(org, "meeting")).toEqual({ key: "meeting", seats: 5, assigned: 1, pending: 0 });

      const suspended = await api(org, "post", `/users/${id}/suspend`).expect(200);
      expect(suspended.body).toMatchObject({ id, active: false, products: { granted: [], pending: [] } });
      expect(await usage(org, "meeting")).toEqual({ key: "meeting", seats: 5, assigned: 0, pending: 0 });
      expect((await org.scim("get", `/Users/${id}`).expect(200)).body.active).toBe(false);

      const restored = await api(org, "post", `/users/${id}/restore`).expect(200);
      expect(restored.body).toMatchObject({ id, active: true, products: { granted: ["meeting"], pending: [] } });
      expect(await usage(org, "meeting")).toEqual({ key: "meeting", seats: 5, assigned: 1, pending: 0 });

      const events = (await api(org, "get", `/audit?target=${id}`).expect(200)).body.events as Doc[];
      expect(events.map((e) => e.action)).toEqual(["user.restored", "user.suspended", "user.created"]);
      expect(events[0]!.actor).toEqual({ kind: "operator", id: null, label: null });
    });

    it("a seat freed by a suspension goes to the user waiting for it; a restore then waits instead of being refused", async () => {
      const org = await server.newOrg("Queue");
      await setSeats(org, "meeting", 1);
      const first = await createUser(org, "holder");
      const second = await createUser(org, "waiter");
      const group = await createGroup(org, "Team", [first, second]);
      await api(org, "put", `/groups/${group}/products`).send({ products: ["meeting"] }).expect(200);
      const holder = (await listIds(org, "product=meeting"))[0]!;
      const waiter = holder === first ? second : first;

      await api(org, "post", `/users/${holder}/suspend`).expect(200);
      expect(await listIds(org, "product=meeting")).toEqual([waiter]);
      const back = await api(org, "post", `/users/${holder}/restore`).expect(200);
      expect(back.body.products).toEqual({ granted: [], pending: ["meeting"] });
      expect(await usage(org, "meeting")).toEqual({ key: "meeting", seats: 1, assigned: 1, pending: 1 });
    });

    it("delete removes the user, frees its seat and its memberships; a second delete is 404", async () => {
      const org = await server.newOrg("Deleting");
      await setSeats(org, "meeting", 2);
      const id = await createUser(org, "hank", { entitlements: [{ value: "meeting" }] });
      const group = await createGroup(org, "Staff", [id]);
      await api(org, "delete", `/users/${id}`).expect(204);
      await api(org, "get", `/users/${id}`).expect(404);
      await org.scim("get", `/Users/${id}`).expect(404);
      expect(await usage(org, "meeting")).toMatchObject({ assigned: 0 });
      expect((await api(org, "get", `/groups/${group}`).expect(200)).body.memberCount).toBe(0);
      const deleted = (await api(org, "get", `/audit?target=${id}&action=user.deleted`).expect(200)).body.events;
      expect(deleted).toEqual([expect.objectContaining({ actor: { kind: "operator", id: null, label: null }, target: { type: "User", id, label: "hank" } })]);
      await api(org, "delete", `/users/${id}`).expect(404);
    });

    it("answers 404 naming the organization when it does not exist", async () => {
      const missing = randomUUID();
      for (const [method, path] of [["post", "suspend"], ["post", "restore"]] as const) {
        const res = await server.admin(method, `/orgs/${missing}/users/${randomUUID()}/${path}`).expect(404);
        expect(res.body.message).toBe(`Organization "${missing}" not found`);
      }
      const res = await server.admin("delete", `/orgs/${missing}/users/${randomUUID()}`).expect(404);
      expect(res.body.message).toBe(`Organization "${missing}" not found`);
    });
  });

  describe("PUT /users/:id/roles", () => {
    it("sets organization and admin roles with a manager's scope, and records who changed what", async () => {
      const org = await server.newOrg("Roles");
      const id = await createUser(org, "ivy");
      const group = await createGroup(org, "Managed", [id]);
      const res = await api(org, "put", `/users/${id}/roles`)
        .send({ orgRole: "admin-readonly", adminRole: "manager", managerScope: { groups: [group], permissions: ["users", "audit"] } })
        .expect(200);
      const roles = { orgRole: "admin-readonly", adminRole: "manager", managerScope: { groups: [group], permissions: ["users", "audit"] } };
      expect(res.body.roles).toEqual(roles);
      expect((await api(org, "get", `/users/${id}`).expect(200)).body.roles).toEqual(roles);
      expect(await listIds(org, "role=manager")).toEqual([id]);
      const [event] = (await api(org, "get", `/audit?target=${id}&action=user.updated`).expect(200)).body.events;
      expect(event.details.changes.roles).toEqual({
        from: { orgRole: "user", adminRole: "member", managerScope: { groups: [], permissions: [] } },
        to: roles,
      });

      // Fields left out keep their value; leaving manager clears the scope.
      const next = await api(org, "put", `/users/${id}/roles`).send({ adminRole: "administrator" }).expect(200);
      expect(next.body.roles).toEqual({ orgRole: "admin-readonly", adminRole: "administrator", managerScope: { groups: [], permissions: [] } });
    });

    it.each([
      [{ orgRole: "owner" }, /orgRole must be one of admin, admin-readonly, user/],
      [{ adminRole: "root" }, /adminRole must be one of member, manager, administrator, super-administrator/],
      [{ orgRole: "constructor" }, /orgRole must be one of/],
      [{ adminRole: "member", managerScope: { groups: [] } }, /managerScope applies only to adminRole manager/],
      [{ adminRole: "manager", managerScope: { permissions: ["everything"] } }, /managerScope.permissions must be a list of/],
      [[{ orgRole: "admin" }], /Send a JSON object/],
      [{ role: "admin" }, /unknown field "role"; roles take orgRole, adminRole, managerScope/],
      [{}, /give at least one of orgRole, adminRole, managerScope/],
    ])("refuses %j with 400 and changes nothing", async (body, message) => {
      const org = await server.newOrg("Bad roles");
      const id = await createUser(org, "jack");
      const res = await api(org, "put", `/users/${id}/roles`).send(body as object).expect(400);
      expect(res.body.message).toMatch(message);
      expect((await api(org, "get", `/users/${id}`).expect(200)).body.roles).toEqual({
        orgRole: "user",
        adminRole: "member",
        managerScope: { groups: [], permissions: [] },
      });
      expect((await api(org, "get", `/audit?target=${id}&action=user.updated`).expect(200)).body.events).toEqual([]);
    });

    it("keeps the last active super administrator: suspend, delete and demotion are 409 until another exists", async () => {
      const org = await server.newOrg("Supers");
      const kim = await createUser(org, "kim");
      const lee = await createUser(org, "lee");
      // Before any super administrator exists, nothing is guarded.
      await api(org, "post", `/users/${lee}/suspend`).expect(200);
      await api(org, "post", `/users/${lee}/restore`).expect(200);

      await api(org, "put", `/users/${kim}/roles`).send({ adminRole: "super-administrator" }).expect(200);
      for (const attempt of [
        () => api(org, "post", `/users/${kim}/suspend`),
        () => api(org, "delete", `/users/${kim}`),
        () => api(org, "put", `/users/${kim}/roles`).send({ adminRole: "administrator" }),
      ]) {
        const res = await attempt().expect(409);
        expect(res.body).toEqual({ error: "conflict", message: expect.stringMatching(/^kim is the organization's last super administrator/) });
      }
      // The identity provider is held to the same rule.
      await org
        .scim("patch", `/Users/${kim}`)
        .send({ schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] })
        .expect(409);
      expect((await api(org, "get", `/users/${kim}`).expect(200)).body).toMatchObject({ active: true, roles: { adminRole: "super-administrator" } });

      await api(org, "put", `/users/${lee}/roles`).send({ adminRole: "super-administrator" }).expect(200);
      const demoted = await api(org, "put", `/users/${kim}/roles`).send({ adminRole: "administrator" }).expect(200);
      expect(demoted.body.roles.adminRole).toBe("administrator");
      expect(await listIds(org, "role=super-administrator")).toEqual([lee]);
      await api(org, "post", `/users/${lee}/suspend`).expect(409);
      await api(org, "delete", `/users/${lee}`).expect(409);
    });
  });

  describe("groups", () => {
    let org: TestOrg;
    let users: string[];
    let big: string;
    let small: string;
    let inner: string;

    beforeAll(async () => {
      org = await server.newOrg("Groups");
      await setSeats(org, "meeting", 50);
      await setSeats(org, "chat", 50);
      users = [];
      for (let i = 0; i < 23; i++) users.push(await createUser(org, `member${String(i).padStart(2, "0")}`));
      inner = await createGroup(org, "Inner Circle", [users[0]!]);
      big = await createGroup(org, "Sales EMEA", [...users, inner], { externalId: "ext-SALES-1" });
      small = await createGroup(org, "Support", [users[1]!]);
      await api(org, "put", `/groups/${big}/products`).send({ products: ["meeting", "chat"] }).expect(200);
    });

    it("GET /groups lists groups in id order with member counts, and q searches displayName and externalId", async () => {
      const all = await api(org, "get", "/groups").expect(200);
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.groups.map((g: Doc) => g.id)).toEqual(sorted(inner, big, small));
      expect(all.body.groups.find((g: Doc) => g.id === big)).toEqual({
        id: big,
        displayName: "Sales EMEA",
        externalId: "ext-SALES-1",
        memberCount: 24,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const ids = async (q: string) => ((await api(org, "get", `/groups?q=${q}`).expect(200)).body.groups as Doc[]).map((g) => g.id);
      expect(await ids("emea")).toEqual([big]);
      expect(await ids("sales-1")).toEqual([big]);
      expect(await ids("CIRCLE")).toEqual([inner]);
      expect(await ids("nothing")).toEqual([]);
    });

    it("GET /groups pages with a cursor", async () => {
      const first = await api(org, "get", "/groups?limit=2").expect(200);
      const second = await api(org, "get", `/groups?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect([...first.body.groups, ...second.body.groups].map((g: Doc) => g.id)).toEqual(sorted(inner, big, small));
      expect(second.body.nextCursor).toBeNull();
      await api(org, "get", "/groups?limit=500").expect(400);
      await api(org, "get", "/groups?members=1").expect(400);
    });

    it("GET /groups/:id shows displayName, externalId, memberCount and products", async () => {
      const res = await api(org, "get", `/groups/${big}`).expect(200);
      expect(res.body).toEqual({
        id: big,
        displayName: "Sales EMEA",
        externalId: "ext-SALES-1",
        memberCount: 24,
        products: ["chat", "meeting"],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await api(org, "get", `/groups/${small}`).expect(200)).body).toMatchObject({ memberCount: 1, products: [], externalId: null });
    });

    it("GET /groups/:id/members walks every member once, users and groups, page by page", async () => {
      const seen: Doc[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { body: Doc } = await api(org, "get", `/groups/${big}/members?limit=10${cursor ? `&cursor=${cursor}` : ""}`).expect(200);
        seen.push(...res.body.members);
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.map((m) => m.id)).toEqual(sorted(...users, inner));
      expect(seen.find((m) => m.id === users[3])).toEqual({ id: users[3], type: "User", userName: "member03", displayName: null, active: true });
      expect(seen.find((m) => m.id === inner)).toEqual({ id: inner, type: "Group", userName: null, displayName: "Inner Circle", active: null });
    });

    it("answers 404 for an unknown group and 400 for a bad cursor", async () => {
      for (const path of [`/groups/${randomUUID()}`, "/groups/sales", `/groups/${randomUUID()}/members`]) {
        expect((await api(org, "get", path).expect(404)).body.error).toBe("not_found");
      }
      expect((await api(org, "get", `/groups/${big}/members?cursor=abc`).expect(400)).body.message).toMatch(/cursor is not valid/);
      await server.admin("get", `/orgs/${randomUUID()}/groups`).expect(404);
    });
  });
});
