// The lookups identity providers send most (RFC 7644 §3.4.2.2) stay index
// lookups on a realistic table, through the real routes: every statement a
// list request runs is recorded by a Kysely plugin on a second app over the
// same database, then EXPLAINed with its parameters after ANALYZE. Unlike
// test/scim/filter-plan.test.ts (the translator alone, seqscan disabled), the
// planner here is free, so this is what PostgreSQL would really do.
// PostgreSQL only: PGlite's planner sees the same SQL, but its statistics are
// not what production runs on.
import { CompiledQuery, type KyselyPlugin, sql } from "kysely";
import pino from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { ADMIN_TOKEN, PUBLIC_URL, type TestOrg, type TestServer, startTestServer } from "../support/server.ts";

const ROWS = 20_000;
const SCANNED_TABLES = /Seq Scan on (users|groups|user_emails|group_members)\b/;

describe.runIf(process.env.TEST_DATABASE_URL)("list queries on 20,000 users use indexes (postgres)", () => {
  let server: TestServer;
  let org: TestOrg;
  let recorded: CompiledQuery[] = [];
  let agent: supertest.Agent;
  let someUserId: string;

  beforeAll(async () => {
    server = await startTestServer("postgres");
    org = await server.newOrg("Planner");
    const db = server.database.db;
    const o = sql`${org.id}::uuid`;
    // Multi-row INSERTs: users with an email each, groups, and one membership per user.
    await sql`
      insert into users (org_id, id, user_name, external_id, display_name, resource, created_at, updated_at)
      select ${o}, gen_random_uuid(), 'plan-' || n, 'ext-' || n, 'Plan ' || n, '{}'::jsonb,
             now() - make_interval(secs => n), now() - make_interval(secs => n)
      from generate_series(1, ${ROWS}) as n`.execute(db);
    await sql`
      insert into user_emails (org_id, user_id, position, value, type, is_primary)
      select org_id, id, 0, user_name || '@example.com', 'work', true from users where org_id = ${o}`.execute(db);
    await sql`
      insert into groups (org_id, id, display_name, external_id, resource, created_at, updated_at)
      select ${o}, gen_random_uuid(), 'team-' || n, 'gext-' || n, '{}'::jsonb, now(), now()
      from generate_series(1, ${ROWS}) as n`.execute(db);
    await sql`
      insert into group_members (org_id, group_id, member_id, member_type)
      select u.org_id, g.id, u.id, 'User'
      from (select org_id, id, row_number() over (order by id) as n from users where org_id = ${o}) u
      join (select id, row_number() over (order by id) as n from groups where org_id = ${o}) g on g.n = u.n`.execute(db);
    for (const t of ["users", "user_emails", "groups", "group_members"]) await sql`analyze ${sql.table(t)}`.execute(db);
    someUserId = (await sql<{ id: string }>`select id::text from users where user_name = 'plan-777'`.execute(db)).rows[0]!.id;

    const recorder: KyselyPlugin = {
      transformQuery(args) {
        recorded.push(db.getExecutor().compileQuery(args.node, args.queryId));
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
    agent = supertest.agent(app).set("Authorization", `Bearer ${org.token}`);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  /** The plans of the statements one list request ran against the resource tables. */
  async function plansOf(path: string, query: Record<string, unknown>): Promise<string[]> {
    recorded = [];
    const res = await agent.get(`/scim/v2${path}`).query(query).expect(200);
    expect(res.body.totalResults).toBeGreaterThan(0);
    const statements = recorded.filter((q) => /"(users|groups|user_emails|group_members)"/.test(q.sql));
    expect(statements.length).toBeGreaterThan(0);
    const plans: string[] = [];
    for (const q of statements) {
      const res = await server.database.db.executeQuery<{ "QUERY PLAN": string }>(
        CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]),
      );
      plans.push(res.rows.map((r) => r["QUERY PLAN"]).join("\n"));
    }
    return plans;
  }

  // {recent}: the last 30 seconds (users were stamped one second apart going back); {user}: a member's id.
  it.each([
    ["/Users", 'userName eq "plan-123"'],
    ["/Users", 'externalId eq "ext-123"'],
    ["/Users", 'emails.value eq "plan-123@example.com"'],
    ["/Users", 'meta.lastModified gt "{recent}"'],
    ["/Groups", 'displayName eq "team-123"'],
    ["/Groups", 'members.value eq "{user}"'],
  ] as const)("%s?filter=%s scans no resource table sequentially", async (path, template) => {
    const filter = template
      .replace("{recent}", new Date(Date.now() - 30_000).toISOString())
      .replace("{user}", someUserId);
    for (const plan of await plansOf(path, { filter })) expect(plan).not.toMatch(SCANNED_TABLES);
  });

  it("a cursor page starts at its position on the primary key instead of reading the rows before it", async () => {
    let cursor = "";
    for (let i = 0; i < 3; i++) cursor = (await agent.get("/scim/v2/Users").query({ cursor, count: 500 }).expect(200)).body.nextCursor;
    const plans = await plansOf("/Users", { cursor, count: 10 });
    const page = plans.find((p) => /Limit/.test(p))!;
    expect(page).toMatch(/Index Scan using users_pk on users u/);
    expect(page).toMatch(/Index Cond: \(\(org_id = .*\) AND \(id > /);
  });

  it("a deep index page (startIndex=15000) offsets over ids only and reads just its rows", async () => {
    recorded = [];
    const res = await agent.get("/scim/v2/Users").query({ startIndex: 15_000, count: 10, attributes: "userName" }).expect(200);
    expect(res.body.Resources).toHaveLength(10);
    // (The plugin also sees the id subquery on its own; the statement sent is the join.)
    const page = recorded.find((q) => /offset/.test(q.sql) && /inner join "users" as "x"/.test(q.sql))!;
    expect(page).toBeDefined();
    const plan = await server.database.db.executeQuery<{ "QUERY PLAN": string }>(
      CompiledQuery.raw(`explain ${page.sql}`, [...page.parameters]),
    );
    // The OFFSET runs in the subquery over the (org_id, id) index; the table is read by key for the page only.
    expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/Index Cond: \(\(org_id = .*\) AND \(id = /);
  });
});
