// Rate limits per SCIM token, per organization and per sign-in client address:
// 429 with Retry-After and an RFC 7644 error body, counters that no concurrent
// request can slip past, windows that roll over, health never limited. Each
// limited app is an app of its own over the test server's database, so every
// test picks its own limits; fresh organizations keep their counters apart.
import type { Express } from "express";
import { sql } from "kysely";
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import type { RateLimitConfig } from "../../server/config.ts";
import { clientKey } from "../../server/http/rate-limit.ts";
import { createThrowawayDatabase, ENGINES } from "../support/engines.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { ADMIN_TOKEN, PUBLIC_URL, startTestServer, type TestOrg, type TestServer, userBody } from "../support/server.ts";
import { clearOfWindowEnd } from "./window.ts";

const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const UNLIMITED: RateLimitConfig = { windowSeconds: 3600, perToken: 0, perOrg: 0, perSsoClient: 0 };

describe("clientKey", () => {
  it("keeps IPv4 addresses, unwraps IPv4-mapped IPv6, and folds IPv6 to its /64", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(clientKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });
});

describe.each(ENGINES)("rate limits on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  function limitedApp(limits: Partial<RateLimitConfig>, trustProxy: false | string[] = false): Express {
    return createApp({
      config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN, rateLimits: { ...UNLIMITED, ...limits }, trustProxy },
      database: server.database,
      logger: pino({ level: "silent" }),
    });
  }

  const scim = (app: Express, token: string, method: "get" | "post" = "get", path = "/Users?count=0") =>
    supertest(app)[method](`/scim/v2${path}`).set("Authorization", `Bearer ${token}`).set("Content-Type", "application/scim+json");

  async function secondToken(org: TestOrg): Promise<string> {
    const res = await server.admin("post", `/orgs/${org.id}/scim-tokens`).send({ label: "second" }).expect(201);
    return res.body.token as string;
  }

  async function statuses(requests: (() => supertest.Test)[]): Promise<number[]> {
    const out: number[] = [];
    for (const r of requests) out.push((await r()).status);
    return out;
  }

  it("answers 429 with Retry-After and a SCIM error once a token has used its budget; refused before the body is read", async () => {
    await clearOfWindowEnd(3600);
    const app = limitedApp({ perToken: 3 });
    const org = await server.newOrg("Token limited");
    expect(await statuses(Array.from({ length: 3 }, () => () => scim(app, org.token)))).toEqual([200, 200, 200]);

    const refused = await scim(app, org.token).expect(429);
    expect(refused.headers["content-type"]).toMatch(/^application\/scim\+json/);
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600).toBe(true);
    expect(refused.body).toEqual({
      schemas: [SCIM_ERROR],
      status: "429",
      detail: `Rate limit reached: this SCIM token may make 3 requests per hour (a Bulk request counts as its operations); retry after ${retryAfter} seconds (Retry-After)`,
    });

    // A write is refused the same way and leaves nothing behind; a body that is
    // not even JSON gets 429, not 400: the limit is checked before the body is parsed.
    const write = await scim(app, org.token, "post", "/Users").send(userBody("limited-write"));
    expect(write.status).toBe(429);
    await scim(app, org.token, "post", "/Users").send("{not json").expect(429);
    const users = await server.database.db.selectFrom("users").select("id").where("org_id", "=", org.id).execute();
    expect(users).toEqual([]);
  });

  it("counts every token of an organization against the organization's limit; another organization is unaffected", async () => {
    await clearOfWindowEnd(3600);
    const app = limitedApp({ perToken: 100, perOrg: 4 });
    const acme = await server.newOrg("Org limited");
    const acmeSecond = await secondToken(acme);
    const other = await server.newOrg("Bystander");

    expect(await statuses([() => scim(app, acme.token), () => scim(app, acmeSecond), () => scim(app, acme.token), () => scim(app, acmeSecond)])).toEqual([
      200, 200, 200, 200,
    ]);
    for (const token of [acme.token, acmeSecond]) {
      const refused = await scim(app, token).expect(429);
      expect(refused.body.detail).toMatch(/^Rate limit reached: this organization's SCIM tokens together may make 4 requests per hour \(a Bulk request counts as its operations\); retry after \d+ seconds/);
      expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
    }
    expect(await statuses(Array.from({ length: 4 }, () => () => scim(app, other.token)))).toEqual([200, 200, 200, 200]);
  });

  it("charges a Bulk request one request per operation, so Bulk is no way around the limit", async () => {
    await clearOfWindowEnd(3600);
    const app = limitedApp({ perToken: 5 });
    const org = await server.newOrg("Bulk limited");
    const bulk = (n: number, prefix: string) => ({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: Array.from({ length: n }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: userBody(`${prefix}-${i}`, {}, org.domain) })),
    });
    const first = await scim(app, org.token, "post", "/Bulk").send(bulk(4, "within")).expect(200);
    expect(first.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "201", "201", "201"]);
    // 4 of 5 spent: a Bulk of 2 would make 6, so it is refused whole and creates nothing.
    const refused = await scim(app, org.token, "post", "/Bulk").send(bulk(2, "beyond")).expect(429);
    expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
    expect(refused.body.detail).toMatch(/a Bulk request counts as its operations/);
    const users = await server.database.db.selectFrom("users").select("user_name").where("org_id", "=", org.id).execute();
    expect(users.map((u) => u.user_name).sort()).toEqual(["within-0", "within-1", "within-2", "within-3"]);
  });

  it("lets exactly the limit through when requests arrive all at once (one atomic upsert, no lost counts)", async () => {
    await clearOfWindowEnd(3600);
    const app = limitedApp({ perToken: 10 });
    const org = await server.newOrg("Burst");
    const answers = await Promise.all(Array.from({ length: 25 }, () => scim(app, org.token).then((r) => r.status)));
    expect(answers.filter((s) => s === 200)).toHaveLength(10);
    expect(answers.filter((s) => s === 429)).toHaveLength(15);
    const [row] = await server.database.db
      .selectFrom("rate_limit_counters")
      .select("hits")
      .where("key", "=", `scim-token:${org.tokenId}`)
      .execute();
    expect(row?.hits).toBe(25);
  });

  it("lets the token in again once its window has rolled over, after the Retry-After it was given", async () => {
    const app = limitedApp({ windowSeconds: 2, perToken: 2 });
    const org = await server.newOrg("Rollover");
    let refused: supertest.Response | undefined;
    // A window may end in the middle of the first burst: keep going until refused.
    for (let i = 0; i < 20 && !refused; i++) {
      const res = await scim(app, org.token);
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused?.status).toBe(429);
    const retryAfter = Number(refused!.headers["retry-after"]);
    expect(retryAfter === 1 || retryAfter === 2).toBe(true);
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 50));
    await scim(app, org.token).expect(200);
  });

  it("limits sign-in requests per client address, with a JSON 429 and Retry-After; health, readiness and metrics never", async () => {
    await clearOfWindowEnd(3600);
    const app = limitedApp({ perSsoClient: 2, perToken: 1 });
    const answers = await statuses(Array.from({ length: 3 }, () => () => supertest(app).get("/sso/login?email=someone@nowhere.test")));
    expect(answers).toEqual([404, 404, 429]);
    const refused = await supertest(app).get("/sso/login?email=someone@nowhere.test").expect(429);
    expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
    expect(refused.body).toEqual({
      error: "rate_limited",
      message: `Too many sign-in requests from your address: at most 2 per hour; retry after ${refused.headers["retry-after"]} seconds`,
    });
    // The ACS counts too: it is where signatures are verified and refusals audited.
    await supertest(app).post("/sso/00000000-0000-7000-8000-000000000000/acs").type("form").send({ SAMLResponse: "x" }).expect(429);

    // An exhausted SCIM token, too: neither budget touches the probes.
    const org = await server.newOrg("Probed");
    await scim(app, org.token).expect(200);
    await scim(app, org.token).expect(429);
    for (let i = 0; i < 10; i++) {
      await supertest(app).get("/healthz").expect(200);
      await supertest(app).get("/readyz").expect(200);
    }
    const metrics = await supertest(app).get("/metrics").set("Authorization", `Bearer ${ADMIN_TOKEN}`).expect(200);
    expect(metrics.text).toContain('rate_limited_total{limit="sso_client"} 3');
    expect(metrics.text).toContain('rate_limited_total{limit="token"} 1');
  });

  it("tells clients apart behind a trusted proxy by X-Forwarded-For, IPv6 by /64", async () => {
    await clearOfWindowEnd(3600);
    const app = limitedApp({ perSsoClient: 1 }, ["loopback"]);
    const from = (address: string) => supertest(app).get("/sso/login?email=someone@nowhere.test").set("X-Forwarded-For", address);
    expect(await statuses([() => from("203.0.113.7"), () => from("203.0.113.7"), () => from("203.0.113.8")])).toEqual([404, 429, 404]);
    expect(await statuses([() => from("2001:db8:1:2::1"), () => from("2001:db8:1:2::ffff"), () => from("2001:db8:1:3::1")])).toEqual([404, 429, 404]);
  });

  it("ignores X-Forwarded-For when no proxy is trusted: a client cannot buy a fresh budget with a header", async () => {
    await clearOfWindowEnd(3600);
    // Other tests of this file already spent loopback's budget in their own apps; this app has its own limit of 1.
    const app = limitedApp({ perSsoClient: 1000 });
    const loopbackKey = "sso-client:127.0.0.1";
    const before = await hitsOf(loopbackKey);
    await supertest(app).get("/sso/login?email=a@nowhere.test").set("X-Forwarded-For", "198.51.100.1").expect(404);
    expect(await hitsOf(loopbackKey)).toBe(before + 1);
    expect(await hitsOf("sso-client:198.51.100.1")).toBe(0);
  });

  it("prunes the counters of ended windows off the request path", async () => {
    await server.database.db
      .insertInto("rate_limit_counters")
      .values({
        key: "org:stale",
        window_start: sql<Date>`now() - interval '1 day'` as unknown as Date,
        expires_at: sql<Date>`now() - interval '1 day' + interval '1 minute'` as unknown as Date,
        hits: 7,
      })
      .execute();
    const app = limitedApp({ perToken: 100 });
    const org = await server.newOrg("Pruner");
    await scim(app, org.token).expect(200);
    const deadline = Date.now() + 5_000;
    while ((await hitsOf("org:stale")) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await hitsOf("org:stale")).toBe(0);
    // The live window is kept.
    expect(await hitsOf(`scim-token:${org.tokenId}`)).toBe(1);
  });

  it("does not count anything when every limit is 0", async () => {
    const app = limitedApp({});
    const org = await server.newOrg("Unlimited");
    for (let i = 0; i < 5; i++) await scim(app, org.token).expect(200);
    expect(await hitsOf(`scim-token:${org.tokenId}`)).toBe(0);
    expect(await hitsOf(`org:${org.id}`)).toBe(0);
  });

  async function hitsOf(key: string): Promise<number> {
    const rows = await server.database.db.selectFrom("rate_limit_counters").select("hits").where("key", "=", key).execute();
    return rows.reduce((sum, r) => sum + r.hits, 0);
  }
});

// Two real server processes (server/main.ts) on one PostgreSQL database share
// one set of counters: a token's budget is spent wherever its requests land.
// PostgreSQL only: PGlite is an in-process database and cannot be shared.
describe.runIf(process.env.TEST_DATABASE_URL)("rate limits shared by two server processes on PostgreSQL", () => {
  const adminToken = "limits-admin-token-0123456789abcdef";
  let drop: () => Promise<void>;
  const procs: ServerProcess[] = [];

  beforeAll(async () => {
    const db = await createThrowawayDatabase("rateproc");
    drop = db.drop;
    const env = { RATE_LIMIT_TOKEN_PER_MINUTE: "5", RATE_LIMIT_ORG_PER_MINUTE: "0", RATE_LIMIT_SSO_PER_MINUTE: "0" };
    procs.push(
      ...(await Promise.all([
        startServerProcess({ databaseUrl: db.url, adminToken, env }),
        startServerProcess({ databaseUrl: db.url, adminToken, env }),
      ])),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await drop?.();
  });

  async function admin(method: string, path: string, body?: unknown): Promise<Record<string, any>> {
    const res = await fetch(`${procs[0]!.url}/admin/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, any>;
  }

  async function newToken(): Promise<string> {
    const org = await admin("POST", "/orgs", { name: `Shared ${Math.random().toString(36).slice(2, 8)}` });
    return (await admin("POST", `/orgs/${org.id}/scim-tokens`, { label: "shared" })).token as string;
  }

  async function get(p: ServerProcess, token: string): Promise<{ status: number; retryAfter: string | null; body: Record<string, any> }> {
    const res = await fetch(`${p.url}/scim/v2/Users?count=0`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Record<string, any> };
  }

  it("spends one budget across both processes: requests alternating between them are refused after the fifth", async () => {
    const token = await newToken();
    await clearOfWindowEnd(60, 8_000);
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await get(procs[i % 2]!, token));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    for (const refused of answers.slice(5)) {
      expect(refused.retryAfter).toMatch(/^\d+$/);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
      expect(refused.body).toMatchObject({ schemas: [SCIM_ERROR], status: "429", detail: expect.stringContaining("5 requests per minute") });
    }
  });

  it("lets exactly five of 30 simultaneous requests through, split across both processes", async () => {
    const token = await newToken();
    await clearOfWindowEnd(60, 8_000);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => get(procs[i % 2]!, token).then((a) => ({ ...a, proc: i % 2 }))));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(25);
    expect(new Set(answers.filter((a) => a.status === 429).map((a) => a.proc)).size).toBe(2);
    for (const p of procs) expect(p.output()).not.toMatch(/"level":(50|60)/);
  }, 30_000);
});
