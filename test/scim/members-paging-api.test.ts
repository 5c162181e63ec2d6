// A 20,000-member group over SCIM. Members are rows, read only when they will be
// returned: excludedAttributes=members (what Entra ID and Okta send when they
// read a group) runs no membership query at all, which a Kysely plugin counting
// the statements of a second app over the same database proves. attributes=members
// still returns the whole list, and the SCIM way to page a group's users is a
// cursor over /Users?filter=groups.value eq "{group id}" (RFC 9865 + RFC 7644 §3.4.2.2).
import type { KyselyPlugin } from "kysely";
import { sql } from "kysely";
import pino from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, PUBLIC_URL, type TestOrg, type TestServer, startTestServer } from "../support/server.ts";

const MEMBERS = 20_000;
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

describe.each(ENGINES)("members of a %s group of 20,000", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let groupId: string;
  const statements: string[] = [];
  let counted: supertest.Agent;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Big group");
    const group = await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: "everyone" }).expect(201);
    groupId = group.body.id;
    const db = server.database.db;
    // One multi-row INSERT each: 20,000 users through the API would take minutes.
    await sql`
      insert into users (org_id, id, user_name, display_name, resource, created_at, updated_at)
      select ${org.id}::uuid, gen_random_uuid(), 'bulk-' || lpad(n::text, 5, '0'), 'Bulk ' || n, '{}'::jsonb, now(), now()
      from generate_series(1, ${MEMBERS}) as n`.execute(db);
    await sql`
      insert into group_members (org_id, group_id, member_id, member_type)
      select org_id, ${groupId}::uuid, id, 'User' from users where org_id = ${org.id}::uuid`.execute(db);

    // A second app over the same database whose every statement is recorded.
    const recorder: KyselyPlugin = {
      transformQuery(args) {
        statements.push(db.getExecutor().compileQuery(args.node, args.queryId).sql);
        return args.node;
      },
      async transformResult(args) {
        return args.result;
      },
    };
    const app = createApp({
      config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN },
      database: { ...server.database, db: db.withPlugin(recorder) },
      logger: pino({ level: "silent" }),
    });
    counted = supertest.agent(app).set("Authorization", `Bearer ${org.token}`);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  async function recorded(run: () => Promise<unknown>): Promise<string[]> {
    statements.length = 0;
    await run();
    return [...statements];
  }

  it("GET /Groups/{id}?excludedAttributes=members runs no membership query", async () => {
    const sqls = await recorded(async () => {
      const res = await counted.get(`/scim/v2/Groups/${groupId}`).query({ excludedAttributes: "members" }).expect(200);
      expect(res.body).toMatchObject({ id: groupId, displayName: "everyone" });
      expect(res.body).not.toHaveProperty("members");
    });
    expect(sqls.some((s) => /from "groups"/.test(s))).toBe(true);
    expect(sqls.filter((s) => s.includes("group_members"))).toEqual([]);
  });

  it("GET /Groups?filter=...&excludedAttributes=members runs no membership query", async () => {
    const sqls = await recorded(async () => {
      const res = await counted
        .get("/scim/v2/Groups")
        .query({ filter: 'displayName eq "everyone"', excludedAttributes: "members" })
        .expect(200);
      expect(res.body.Resources).toEqual([expect.not.objectContaining({ members: expect.anything() })]);
    });
    expect(sqls.filter((s) => s.includes("group_members"))).toEqual([]);
  });

  it("GET /Groups/{id}?attributes=members still returns every member", async () => {
    const res = await org.scim("get", `/Groups/${groupId}`).query({ attributes: "members" }).expect(200);
    expect(res.body.members).toHaveLength(MEMBERS);
    expect(res.body.members[0]).toMatchObject({ value: expect.any(String), type: "User", $ref: expect.stringContaining("/Users/") });
  });

  it("pages the group's users by cursor over /Users?filter=groups.value eq, without reading the member list", async () => {
    const query = { filter: `groups.value eq "${groupId}"`, count: 1000, attributes: "userName" };
    const first = await org.scim("get", "/Users").query({ ...query, cursor: "" }).expect(200);
    expect(first.body).toMatchObject({ totalResults: MEMBERS, itemsPerPage: 1000 });
    const sqls = await recorded(async () => {
      const second = await counted.get("/scim/v2/Users").query({ ...query, cursor: first.body.nextCursor }).expect(200);
      expect(second.body.itemsPerPage).toBe(1000);
      const firstIds = new Set(first.body.Resources.map((u: { id: string }) => u.id));
      expect(second.body.Resources.some((u: { id: string }) => firstIds.has(u.id))).toBe(false);
    });
    // Besides authentication, only the count and one LIMIT-ed page: nothing reads the whole member list.
    const listing = sqls.filter((s) => s.includes("groups.value") || /from "users" as "u"/.test(s));
    expect(listing).toHaveLength(2);
    expect(listing.filter((s) => !/count\(\*\)/.test(s)).every((s) => /limit \$\d+$/.test(s.trim()))).toBe(true);
  });
});
