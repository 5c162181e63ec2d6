// Who gets into the admin API with a SAML session, and what each role may change:
// read-write and read-only administrators, managers (permissions and group scope),
// organization scoping, role-change rules, and the audit actor of admin writes.
// The server enforces all of it; every write route is tried so a new one cannot slip through.
import { randomUUID } from "node:crypto";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "../../server/domain/audit.ts";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, startTestServer, type TestOrg, type TestServer, userBody } from "../support/server.ts";
import { adminWriteRoutes, type ConsoleSession, signedIn } from "./console-session.ts";

describe.each(ENGINES)("admin access by role on %s", (engine) => {
  let server: TestServer;
  let acme: TestOrg;
  let other: TestOrg;
  let admin: ConsoleSession;
  let readOnly: ConsoleSession;
  let groupId: string;
  let otherGroupId: string;
  let memberId: string;
  let outsiderId: string;

  beforeAll(async () => {
    server = await startTestServer(engine);
    acme = await server.newOrg("Acme");
    other = await server.newOrg("Other");
    admin = await signedIn(server, acme, "ada", { orgRole: "admin" });
    readOnly = await signedIn(server, acme, "reed", { orgRole: "admin-readonly" });
    memberId = await provision(acme, "member");
    outsiderId = await provision(acme, "outsider");
    groupId = await group(acme, "Sales", [memberId]);
    otherGroupId = await group(acme, "Legal", [outsiderId]);
    await server.admin("put", `/orgs/${acme.id}/products/meeting`).send({ seats: 10 }).expect(200);
  });
  afterAll(() => server.close());

  async function provision(org: TestOrg, localPart: string): Promise<string> {
    const res = await org.scim("post", "/Users").send(userBody(`${localPart}@${org.domain}`, {}, org.domain)).expect(201);
    return res.body.id as string;
  }

  async function group(org: TestOrg, displayName: string, members: string[]): Promise<string> {
    const res = await org
      .scim("post", "/Groups")
      .send({ schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) })
      .expect(201);
    return res.body.id as string;
  }

  /** What a write could change in the organization, to prove a refusal changed nothing. */
  async function snapshot(orgId: string) {
    const db = server.database.db;
    const [audit, users, tokens, domains, products, groupProducts, saml] = await Promise.all([
      db.selectFrom("audit_events").select("id").where("org_id", "=", orgId).orderBy("id").execute(),
      db.selectFrom("users").select(["id", "active", "org_role", "admin_role", "version"]).where("org_id", "=", orgId).orderBy("id").execute(),
      db.selectFrom("scim_tokens").select("id").where("org_id", "=", orgId).orderBy("id").execute(),
      db.selectFrom("org_domains").select(["name", "status"]).where("org_id", "=", orgId).orderBy("name").execute(),
      db.selectFrom("products").select(["key", "seats"]).where("org_id", "=", orgId).orderBy("key").execute(),
      db.selectFrom("group_products").select(["group_id", "product_key"]).where("org_id", "=", orgId).orderBy("group_id").execute(),
      db.selectFrom("saml_configs").select("updated_at").where("org_id", "=", orgId).execute(),
    ]);
    return JSON.stringify({ audit, users, tokens, domains, products, groupProducts, saml });
  }

  /** Every write route of the app with its parameters filled in for `acme`. */
  function writeRequests() {
    return adminWriteRoutes(server.app)
      .filter((r) => !r.path.startsWith("/admin/v1/session"))
      .map((r) => ({
        ...r,
        url: r.path
          .replace("/admin/v1", "")
          .replace(":org", acme.id)
          .replace(":groupId", groupId)
          .replace(":name", acme.domain)
          .replace(":key", "meeting")
          .replace(":id", r.path.includes("scim-tokens") ? acme.tokenId : memberId),
      }));
  }

  describe("GET /admin/v1/session for each role", () => {
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ["orgRole admin", { orgRole: "admin" }, { access: "read-write", role: "admin" }],
      ["adminRole administrator", { adminRole: "administrator" }, { access: "read-write", role: "administrator" }],
      ["adminRole super-administrator", { adminRole: "super-administrator" }, { access: "read-write", role: "super-administrator" }],
      ["orgRole admin-readonly", { orgRole: "admin-readonly" }, { access: "read-only", role: "admin-readonly", permissions: [] }],
      [
        "a manager of users and products",
        { adminRole: "manager", managerScope: { permissions: ["users", "products", "audit"] } },
        { access: "read-write", role: "manager", permissions: ["users", "products", "import"], groupScope: null },
      ],
      ["a manager without permissions", { adminRole: "manager" }, { access: "read-only", role: "manager", permissions: [] }],
    ];
    it.each(cases)("%s", async (_name, roles, expected) => {
      const s = await signedIn(server, acme, `who-${randomUUID().slice(0, 8)}`, roles);
      const res = await s.req("get", "/session").expect(200);
      expect(res.body).toMatchObject({
        kind: "admin",
        user: { id: s.userId, userName: s.userName },
        organization: { id: acme.id, name: "Acme" },
        ...expected,
      });
      expect(res.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      if (expected.access === "read-write" && expected.role !== "manager") {
        expect(res.body.permissions).toEqual(["users", "roles", "groups", "products", "domains", "sso", "provisioning", "import"]);
      }
    });

    it("a manager limited to groups gets the group ids and no CSV import", async () => {
      const s = await signedIn(server, acme, "scoped-view", {
        adminRole: "manager",
        managerScope: { groups: [groupId], permissions: ["users"] },
      });
      const res = await s.req("get", "/session").expect(200);
      expect(res.body).toMatchObject({ permissions: ["users"], groupScope: [groupId] });
    });
  });

  describe("a user with no administrator role", () => {
    it("is refused with 403 not_an_admin on every /admin/v1 route, reads and writes alike", async () => {
      const plain = await signedIn(server, acme, "plain");
      const calls = [
        plain.req("get", "/session"),
        plain.req("get", "/orgs"),
        plain.req("get", `/orgs/${acme.id}`),
        plain.req("get", `/orgs/${acme.id}/users`),
        plain.req("get", `/orgs/${acme.id}/scim-requests`),
        plain.req("post", `/orgs/${acme.id}/users/${memberId}/suspend`),
        plain.req("put", `/orgs/${acme.id}/products/meeting`).send({ seats: 1 }),
        plain.req("get", `/orgs/${randomUUID()}/users`),
        plain.req("get", "/no-such-route"),
      ];
      for (const call of calls) {
        const res = await call.expect(403);
        expect(res.body).toEqual({ error: "not_an_admin", message: expect.stringContaining(plain.userName) });
      }
    });
  });

  describe("read-only", () => {
    it("an admin-readonly user reads every section", async () => {
      for (const path of ["/users", `/users/${memberId}`, "/groups", `/groups/${groupId}/members`, "/products", "/domains", "/saml", "/scim-tokens", "/scim-requests", "/audit", "/imports/template.csv"]) {
        await readOnly.req("get", `/orgs/${acme.id}${path}`).expect(200);
      }
    });

    it("an admin-readonly user is refused 403 read_only on every write route of the router, and nothing changes", async () => {
      const requests = writeRequests();
      const before = await snapshot(acme.id);
      for (const r of requests) {
        const res = await readOnly.req(r.method.toLowerCase() as "post", r.url).send({});
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
        expect(res.body.error, `${r.method} ${r.path}`).toBe(r.path === "/admin/v1/orgs" ? "forbidden" : "read_only");
      }
      expect(await snapshot(acme.id)).toBe(before);
    });

    it("a manager without permissions is refused on every write route too", async () => {
      const manager = await signedIn(server, acme, "idle-manager", { adminRole: "manager", managerScope: { permissions: ["audit"] } });
      const before = await snapshot(acme.id);
      for (const r of writeRequests()) {
        const res = await manager.req(r.method.toLowerCase() as "post", r.url).send({});
        expect(res.status, `${r.method} ${r.path}`).toBe(403);
      }
      expect(await snapshot(acme.id)).toBe(before);
    });

    it("a write to a path no route serves is refused to a read-only admin as well", async () => {
      await readOnly.req("post", "/not-a-route").send({}).expect(403);
    });
  });

  describe("managers", () => {
    it("write the sections of their permissions and nothing else", async () => {
      const manager = await signedIn(server, acme, "mgr-users", { adminRole: "manager", managerScope: { permissions: ["users"] } });
      const target = await provision(acme, "mgr-target");
      const suspended = await manager.req("post", `/orgs/${acme.id}/users/${target}/suspend`).expect(200);
      expect(suspended.body.active).toBe(false);
      await manager.req("post", `/orgs/${acme.id}/users/${target}/restore`).expect(200);
      // CSV import creates users: it comes with "users".
      await manager.req("post", `/orgs/${acme.id}/imports?mode=preview`).type("text/csv").send("firstName,lastName,email\nA,B,a.b@example.com\n").expect(200);

      const refused = [
        manager.req("put", `/orgs/${acme.id}/products/meeting`).send({ seats: 3 }),
        manager.req("put", `/orgs/${acme.id}/groups/${groupId}/products`).send({ products: ["meeting"] }),
        manager.req("post", `/orgs/${acme.id}/domains`).send({ name: "mgr.example.org" }),
        manager.req("post", `/orgs/${acme.id}/scim-tokens`).send({ label: "mine" }),
        manager.req("delete", `/orgs/${acme.id}/saml`),
        // Roles are never a manager's to give, even with "users".
        manager.req("put", `/orgs/${acme.id}/users/${target}/roles`).send({ orgRole: "admin" }),
      ];
      for (const call of refused) {
        const res = await call.expect(403);
        expect(res.body.error).toBe("read_only");
      }
    });

    it("with products may set seats", async () => {
      const manager = await signedIn(server, acme, "mgr-products", { adminRole: "manager", managerScope: { permissions: ["products"] } });
      const res = await manager.req("put", `/orgs/${acme.id}/products/meeting`).send({ seats: 12 }).expect(200);
      expect(res.body).toMatchObject({ key: "meeting", seats: 12 });
      await manager.req("post", `/orgs/${acme.id}/users/${memberId}/suspend`).expect(403);
    });

    it("limited to groups change only members of those groups, only those groups, and cannot import", async () => {
      const manager = await signedIn(server, acme, "mgr-scoped", {
        adminRole: "manager",
        managerScope: { groups: [groupId], permissions: ["users", "groups"] },
      });
      await manager.req("post", `/orgs/${acme.id}/users/${memberId}/suspend`).expect(200);
      await manager.req("post", `/orgs/${acme.id}/users/${memberId}/restore`).expect(200);
      const outside = await manager.req("post", `/orgs/${acme.id}/users/${outsiderId}/suspend`).expect(403);
      expect(outside.body).toMatchObject({ error: "read_only", message: expect.stringMatching(/groups/) });
      await manager.req("delete", `/orgs/${acme.id}/users/${randomUUID()}`).expect(403);
      await manager.req("put", `/orgs/${acme.id}/groups/${groupId}/products`).send({ products: [] }).expect(200);
      await manager.req("put", `/orgs/${acme.id}/groups/${otherGroupId}/products`).send({ products: [] }).expect(403);
      await manager.req("post", `/orgs/${acme.id}/imports?mode=preview`).type("text/csv").send("firstName,lastName,email\nA,B,a.c@example.com\n").expect(403);
      const still = await server.admin("get", `/orgs/${acme.id}/users/${outsiderId}`).expect(200);
      expect(still.body.active).toBe(true);
    });
  });

  describe("organization scope", () => {
    it("an admin sees only its organization in GET /orgs", async () => {
      const res = await admin.req("get", "/orgs").expect(200);
      expect(res.body.orgs.map((o: { id: string }) => o.id)).toEqual([acme.id]);
    });

    it("another organization answers 404, exactly like one that does not exist", async () => {
      const otherUser = await provision(other, "stranger");
      const unknown = randomUUID();
      for (const orgId of [other.id, unknown, other.id.toUpperCase()]) {
        for (const [method, path] of [
          ["get", ""],
          ["get", "/users"],
          ["get", "/scim-tokens"],
          ["get", "/scim-requests"],
          ["post", `/users/${otherUser}/suspend`],
          ["delete", `/scim-tokens/${other.tokenId}`],
        ] as const) {
          const res = await admin.req(method, `/orgs/${orgId}${path}`).expect(404);
          expect(res.body).toEqual({ error: "not_found", message: `Organization "${orgId}" not found` });
        }
      }
      const still = await server.admin("get", `/orgs/${other.id}/users/${otherUser}`).expect(200);
      expect(still.body.active).toBe(true);
    });

    it("creating an organization is the operator's: 403 for an admin", async () => {
      const res = await admin.req("post", "/orgs").send({ name: "Mine" }).expect(403);
      expect(res.body.error).toBe("forbidden");
      const orgs = await server.admin("get", "/orgs").expect(200);
      expect(orgs.body.orgs.some((o: { name: string }) => o.name === "Mine")).toBe(false);
    });
  });

  describe("role changes", () => {
    it("an administrator cannot change their own roles", async () => {
      const res = await admin.req("put", `/orgs/${acme.id}/users/${admin.userId}/roles`).send({ orgRole: "user" }).expect(403);
      expect(res.body).toMatchObject({ error: "forbidden", message: expect.stringMatching(/your own roles/) });
      await admin.req("get", "/session").expect(200); // still an admin
    });

    it("only a super administrator grants, revokes or touches super administrator", async () => {
      const plainAdmin = await signedIn(server, acme, "plain-admin", { adminRole: "administrator" });
      const superAdmin = await signedIn(server, acme, "root", { adminRole: "super-administrator" });
      const target = await provision(acme, "promote-me");

      const grant = await plainAdmin.req("put", `/orgs/${acme.id}/users/${target}/roles`).send({ adminRole: "super-administrator" }).expect(403);
      expect(grant.body.error).toBe("forbidden");
      const demote = await plainAdmin.req("put", `/orgs/${acme.id}/users/${superAdmin.userId}/roles`).send({ adminRole: "member" }).expect(403);
      expect(demote.body.message).toMatch(/super administrator/);
      await plainAdmin.req("put", `/orgs/${acme.id}/users/${superAdmin.userId}/roles`).send({ orgRole: "user" }).expect(403);

      // What an administrator may do: give ordinary roles.
      await plainAdmin.req("put", `/orgs/${acme.id}/users/${target}/roles`).send({ adminRole: "manager", managerScope: { permissions: ["users"] } }).expect(200);
      // A super administrator may grant super administrator, and the operator always may.
      const granted = await superAdmin.req("put", `/orgs/${acme.id}/users/${target}/roles`).send({ adminRole: "super-administrator" }).expect(200);
      expect(granted.body.roles.adminRole).toBe("super-administrator");
      await server.admin("put", `/orgs/${acme.id}/users/${target}/roles`).send({ adminRole: "member" }).expect(200);
    });
  });

  describe("super administrators", () => {
    it("only a super administrator (or the operator) suspends, restores or deletes one", async () => {
      const plainAdmin = await signedIn(server, acme, "plain-admin-2", { adminRole: "administrator" });
      const superAdmin = await signedIn(server, acme, "root-2", { adminRole: "super-administrator" });
      const otherSuper = await signedIn(server, acme, "root-3", { adminRole: "super-administrator" });

      for (const [method, path] of [
        ["post", "suspend"],
        ["post", "restore"],
        ["delete", ""],
      ] as const) {
        const res = await plainAdmin.req(method, `/orgs/${acme.id}/users/${otherSuper.userId}${path ? `/${path}` : ""}`).expect(403);
        expect(res.body).toMatchObject({ error: "forbidden", message: expect.stringMatching(/super administrator/) });
      }
      const still = await server.admin("get", `/orgs/${acme.id}/users/${otherSuper.userId}`).expect(200);
      expect(still.body.active).toBe(true);

      // A super administrator may, and ordinary users stay the administrator's to suspend.
      await superAdmin.req("post", `/orgs/${acme.id}/users/${otherSuper.userId}/suspend`).expect(200);
      await server.admin("post", `/orgs/${acme.id}/users/${otherSuper.userId}/restore`).expect(200);
      const ordinary = await provision(acme, "ordinary");
      await plainAdmin.req("post", `/orgs/${acme.id}/users/${ordinary}/suspend`).expect(200);
    });
  });

  describe("audit actor", () => {
    it("admin-session writes record the admin; operator writes stay the operator", async () => {
      const target = await provision(acme, "audited");
      await admin.req("post", `/orgs/${acme.id}/users/${target}/suspend`).expect(200);
      await server.admin("post", `/orgs/${acme.id}/users/${target}/restore`).expect(200);
      const { events } = await listAudit(server.database.db, acme.id, { targetId: target, limit: 10 });
      const suspended = events.find((e) => e.action === "user.suspended");
      const restored = events.find((e) => e.action === "user.restored");
      expect(suspended?.actor).toEqual({ kind: "admin", id: admin.userId, label: admin.userName });
      expect(restored?.actor).toEqual({ kind: "operator", id: null, label: null });
      const viaApi = await admin.req("get", `/orgs/${acme.id}/audit?actor=${admin.userId}`).expect(200);
      expect(viaApi.body.events.some((e: { action: string }) => e.action === "user.suspended")).toBe(true);
    });
  });

  it("the operator's Bearer token still reaches every organization, without a CSRF token", async () => {
    await server.admin("get", `/orgs/${other.id}/users`).expect(200);
    const res = await supertest(server.app)
      .put(`/admin/v1/orgs/${other.id}/products/meeting`)
      .set("Authorization", "Bearer test-admin-token-0123456789")
      .send({ seats: 2 })
      .expect(200);
    expect(res.body.seats).toBe(2);
  });
});
