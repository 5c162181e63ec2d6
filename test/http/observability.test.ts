// Request ids, the access log, /metrics and /readyz over real HTTP on a real database.
import { Writable } from "node:stream";
import type { Express } from "express";
import { sql } from "kysely";
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrations } from "../../schema/migrations/index.ts";
import { createApp } from "../../server/app.ts";
import { type DatabaseHandle, openDatabase } from "../../server/storage/database.ts";
import { createThrowawayDatabase, ENGINES, type Engine, openTestDatabase } from "../support/engines.ts";
import { ADMIN_TOKEN, GROUP_SCHEMA, PUBLIC_URL, startTestServer, type TestOrg, type TestServer, userBody } from "../support/server.ts";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** An app of its own (own metrics, own log) over the test server's database; its log lines are kept. */
function observedApp(database: DatabaseHandle): { app: Express; lines: () => Record<string, unknown>[]; raw: () => string } {
  let raw = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw += chunk.toString("utf8");
      done();
    },
  });
  const app = createApp({ config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN }, database, logger: pino({ level: "info" }, stream) });
  const lines = () =>
    raw
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { app, lines, raw: () => raw };
}

/** The access log is written when the response ends on the server, which may be just after the client has it. */
async function eventually<T>(read: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function scrape(app: Express): Promise<string> {
  const res = await supertest(app).get("/metrics").set("Authorization", `Bearer ${ADMIN_TOKEN}`).expect(200);
  expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
  return res.text;
}

/** The value of one series, e.g. sample(text, 'http_requests_total{method="GET",...}'); undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(ENGINES)("observability on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Observed");
  });
  afterAll(async () => {
    await server.close();
  });

  const scimOn = (app: Express, method: "get" | "post" | "put" | "patch" | "delete", path: string) =>
    supertest(app)[method](`/scim/v2${path}`).set("Authorization", `Bearer ${org.token}`).set("Content-Type", "application/scim+json");

  describe("request id", () => {
    it("echoes a sane X-Request-Id from the caller", async () => {
      const { app } = observedApp(server.database);
      const res = await supertest(app).get("/healthz").set("X-Request-Id", "lb-7f3a.trace_01-x").expect(200);
      expect(res.headers["x-request-id"]).toBe("lb-7f3a.trace_01-x");
    });

    it("generates a UUIDv7 when the caller sends none", async () => {
      const { app } = observedApp(server.database);
      const a = await supertest(app).get("/healthz").expect(200);
      const b = await supertest(app).get("/nowhere").expect(404);
      expect(a.headers["x-request-id"]).toMatch(UUID_V7);
      expect(b.headers["x-request-id"]).toMatch(UUID_V7);
      expect(a.headers["x-request-id"]).not.toBe(b.headers["x-request-id"]);
    });

    it("replaces an X-Request-Id that is too long or holds other characters", async () => {
      const { app } = observedApp(server.database);
      for (const bad of ["x".repeat(129), "has space", "semi;colon", 'quote"d', "ünïcode"]) {
        const res = await supertest(app).get("/healthz").set("X-Request-Id", bad).expect(200);
        expect(res.headers["x-request-id"]).toMatch(UUID_V7);
      }
      const longest = "y".repeat(128);
      const ok = await supertest(app).get("/healthz").set("X-Request-Id", longest).expect(200);
      expect(ok.headers["x-request-id"]).toBe(longest);
    });
  });

  describe("access log", () => {
    it("writes one JSON line per request with route, status, duration, request id and organization", async () => {
      const { app, lines } = observedApp(server.database);
      const res = await scimOn(app, "post", "/Users?debug=1").set("X-Request-Id", "create-jane-1").send(userBody("log.jane")).expect(201);
      await scimOn(app, "get", `/Users/${res.body.id}`).set("X-Request-Id", "read-jane-1").expect(200);
      const created = await eventually(() => lines().find((l) => l.requestId === "create-jane-1"), "the create line");
      expect(created).toMatchObject({
        msg: "request",
        level: 30,
        method: "POST",
        path: "/scim/v2/Users",
        route: "/scim/v2/Users",
        status: 201,
        orgId: org.id,
      });
      expect(typeof created.durationMs).toBe("number");
      const read = await eventually(() => lines().find((l) => l.requestId === "read-jane-1"), "the read line");
      expect(read).toMatchObject({ method: "GET", path: `/scim/v2/Users/${res.body.id}`, route: "/scim/v2/Users/:id", status: 200 });
      expect(lines().filter((l) => l.requestId === "create-jane-1")).toHaveLength(1);
    });

    it("never logs the bearer token, cookies, the body (a password) or the query string", async () => {
      const { app, lines, raw } = observedApp(server.database);
      const password = "Pa55word-that-must-not-leak";
      await scimOn(app, "post", "/Users?access_token=query-secret-42")
        .set("Cookie", "session=cookie-secret-43")
        .set("X-Request-Id", "secret-create")
        .send(userBody("log.secret", { password }))
        .expect(201);
      await supertest(app)
        .post("/admin/v1/orgs?token=admin-query-secret-44")
        .set("Authorization", `Bearer ${ADMIN_TOKEN}`)
        .set("X-Request-Id", "secret-admin")
        .send({ name: "Secretive", password })
        .expect(201);
      await eventually(() => lines().find((l) => l.requestId === "secret-admin"), "the admin line");
      await eventually(() => lines().find((l) => l.requestId === "secret-create"), "the SCIM line");
      const log = raw();
      for (const secret of [org.token, ADMIN_TOKEN, password, "query-secret-42", "cookie-secret-43", "admin-query-secret-44", "log.secret"]) {
        expect(log).not.toContain(secret);
      }
    });

    it("logs requests that no route answers, and refused ones, under a bounded route label", async () => {
      const { app, lines } = observedApp(server.database);
      await supertest(app).get(`/no/such/${"z".repeat(40)}`).set("X-Request-Id", "lost-1").expect(404);
      await supertest(app).get("/admin/v1/orgs").set("Authorization", `Bearer ${org.token}`).set("X-Request-Id", "refused-1").expect(401);
      expect(await eventually(() => lines().find((l) => l.requestId === "lost-1"), "the 404 line")).toMatchObject({ route: "unmatched", status: 404 });
      expect(await eventually(() => lines().find((l) => l.requestId === "refused-1"), "the 401 line")).toMatchObject({ route: "/admin/v1/*", status: 401 });
    });
  });

  describe("/metrics", () => {
    it("refuses a caller without a token, with a SCIM token, and with a wrong token", async () => {
      const { app } = observedApp(server.database);
      const none = await supertest(app).get("/metrics").expect(401);
      expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(none.text).not.toContain("http_requests_total");
      await supertest(app).get("/metrics").set("Authorization", `Bearer ${org.token}`).expect(401);
      await supertest(app).get("/metrics").set("Authorization", `Bearer ${ADMIN_TOKEN}x`).expect(401);
    });

    it("is refused altogether when the server has no ADMIN_TOKEN", async () => {
      const app = createApp({ config: { publicUrl: PUBLIC_URL, adminToken: undefined }, database: server.database, logger: pino({ level: "silent" }) });
      const res = await supertest(app).get("/metrics").set("Authorization", `Bearer ${ADMIN_TOKEN}`).expect(401);
      expect(res.body.error).toBe("admin_disabled");
    });

    it("counts requests by method, route pattern and status, with a duration histogram", async () => {
      const { app } = observedApp(server.database);
      const created = await scimOn(app, "post", "/Users").send(userBody("metrics.ann")).expect(201);
      await scimOn(app, "get", `/Users/${created.body.id}`).expect(200);
      await scimOn(app, "get", "/Users/01900000-0000-7000-8000-000000000000").expect(404);
      await supertest(app).get(`/admin/v1/orgs/${org.id}/products`).set("Authorization", `Bearer ${ADMIN_TOKEN}`).expect(200);
      await supertest(app).get("/healthz").expect(200);
      await supertest(app).get("/healthz").expect(200);

      const text = await scrape(app);
      expect(text).toContain("# TYPE http_requests_total counter");
      expect(text).toContain("# TYPE http_request_duration_seconds histogram");
      expect(sample(text, 'http_requests_total{method="POST",route="/scim/v2/Users",status="201"}')).toBe(1);
      expect(sample(text, 'http_requests_total{method="GET",route="/scim/v2/Users/:id",status="200"}')).toBe(1);
      expect(sample(text, 'http_requests_total{method="GET",route="/scim/v2/Users/:id",status="404"}')).toBe(1);
      expect(sample(text, 'http_requests_total{method="GET",route="/admin/v1/orgs/:org/products",status="200"}')).toBe(1);
      expect(sample(text, 'http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(2);
      expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/healthz"}')).toBe(2);
      expect(sample(text, 'http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}')).toBe(2);
      expect(sample(text, 'http_request_duration_seconds_bucket{method="GET",route="/healthz",le="30"}')).toBe(2);
      expect(sample(text, 'http_request_duration_seconds_sum{method="GET",route="/healthz"}')).toBeGreaterThan(0);
      // No raw ids in any label but org: the labels stay bounded.
      expect(text).not.toContain(created.body.id);
    });

    it("counts SCIM writes per organization, resource, operation and outcome", async () => {
      const { app } = observedApp(server.database);
      const a = await scimOn(app, "post", "/Users").send(userBody("ops.amy")).expect(201);
      await scimOn(app, "post", "/Users").send(userBody("ops.amy")).expect(409);
      await scimOn(app, "put", `/Users/${a.body.id}`).send(userBody("ops.amy", { displayName: "Amy" })).expect(200);
      await scimOn(app, "patch", `/Users/${a.body.id}`)
        .send({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "active", value: false }] })
        .expect(200);
      const g = await scimOn(app, "post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: "Ops" }).expect(201);
      await scimOn(app, "delete", `/Groups/${g.body.id}`).expect(204);
      await scimOn(app, "delete", `/Users/${a.body.id}`).expect(204);
      // Reads and searches are not writes.
      await scimOn(app, "get", "/Users").expect(200);
      await scimOn(app, "post", "/Users/.search").send({ schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"] }).expect(200);
      // Without a valid token there is no organization to count against.
      await supertest(app).post("/scim/v2/Users").set("Authorization", "Bearer nope").send(userBody("ops.ghost")).expect(401);

      const text = await scrape(app);
      const ops = (resource: string, operation: string, outcome: string) =>
        sample(text, `scim_operations_total{org="${org.id}",resource="${resource}",operation="${operation}",outcome="${outcome}"}`);
      expect(ops("Users", "create", "success")).toBe(1);
      expect(ops("Users", "create", "client_error")).toBe(1);
      expect(ops("Users", "replace", "success")).toBe(1);
      expect(ops("Users", "patch", "success")).toBe(1);
      expect(ops("Users", "delete", "success")).toBe(1);
      expect(ops("Groups", "create", "success")).toBe(1);
      expect(ops("Groups", "delete", "success")).toBe(1);
      const opsLines = text.split("\n").filter((l) => l.startsWith("scim_operations_total{"));
      expect(opsLines).toHaveLength(7);
    });

    it("counts each operation of a Bulk request as the write it stands for, with its own outcome", async () => {
      const { app } = observedApp(server.database);
      const bulk = await scimOn(app, "post", "/Bulk")
        .send({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
          Operations: [
            { method: "POST", path: "/Users", bulkId: "u1", data: userBody("bulk.ops.one") },
            { method: "POST", path: "/Users", bulkId: "u2", data: userBody("bulk.ops.one") },
            { method: "POST", path: "/Groups", bulkId: "g1", data: { schemas: [GROUP_SCHEMA], displayName: "Bulk ops", members: [{ value: "bulkId:u1" }] } },
            { method: "DELETE", path: "/Users/bulkId:u1" },
          ],
        })
        .expect(200);
      expect(bulk.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "409", "201", "204"]);
      const text = await scrape(app);
      const ops = (resource: string, operation: string, outcome: string) =>
        sample(text, `scim_operations_total{org="${org.id}",resource="${resource}",operation="${operation}",outcome="${outcome}"}`);
      expect(ops("Users", "create", "success")).toBe(1);
      expect(ops("Users", "create", "client_error")).toBe(1);
      expect(ops("Groups", "create", "success")).toBe(1);
      expect(ops("Users", "delete", "success")).toBe(1);
    });

    it("reports granted and pending seats per organization and product", async () => {
      const { app } = observedApp(server.database);
      const admin = (method: "put", path: string) => supertest(app)[method](`/admin/v1/orgs/${org.id}${path}`).set("Authorization", `Bearer ${ADMIN_TOKEN}`);
      await admin("put", "/products/crm").send({ seats: 1 }).expect(200);
      await admin("put", "/products/spare").send({ seats: 5 }).expect(200);
      const u1 = await scimOn(app, "post", "/Users").send(userBody("seat.one")).expect(201);
      const u2 = await scimOn(app, "post", "/Users").send(userBody("seat.two")).expect(201);
      const g = await scimOn(app, "post", "/Groups")
        .send({ schemas: [GROUP_SCHEMA], displayName: "CRM users", members: [{ value: u1.body.id }, { value: u2.body.id }] })
        .expect(201);
      await admin("put", `/groups/${g.body.id}/products`).send({ products: ["crm"] }).expect(200);

      const text = await scrape(app);
      expect(text).toContain("# TYPE seats_granted gauge");
      expect(sample(text, `seats_granted{org="${org.id}",product="crm"}`)).toBe(1);
      expect(sample(text, `seats_pending{org="${org.id}",product="crm"}`)).toBe(1);
      expect(sample(text, `seats_granted{org="${org.id}",product="spare"}`)).toBe(0);
      expect(sample(text, `seats_pending{org="${org.id}",product="spare"}`)).toBe(0);

      // Freeing the seat grants the pending one at the next scrape.
      await scimOn(app, "delete", `/Users/${u1.body.id}`).expect(204);
      const after = await scrape(app);
      expect(sample(after, `seats_granted{org="${org.id}",product="crm"}`)).toBe(1);
      expect(sample(after, `seats_pending{org="${org.id}",product="crm"}`)).toBe(0);
    });

    it("reports the database pool", async () => {
      const { app } = observedApp(server.database);
      await supertest(app).get("/healthz").expect(200);
      const text = await scrape(app);
      const total = sample(text, "db_pool_total");
      const idle = sample(text, "db_pool_idle");
      const waiting = sample(text, "db_pool_waiting");
      if (engine === "pglite") {
        expect([total, idle, waiting]).toEqual([1, 0, 0]);
      } else {
        // The scrape's own seat query has returned its connection by now.
        expect(total).toBeGreaterThanOrEqual(1);
        expect(idle).toBeGreaterThanOrEqual(1);
        expect(idle).toBeLessThanOrEqual(total!);
        expect(waiting).toBe(0);
      }
    });
  });

  describe("/readyz", () => {
    it("answers 200 on a migrated database, without credentials", async () => {
      const res = await supertest(server.app).get("/readyz").expect(200);
      expect(res.body).toEqual({ status: "ready" });
      expect(res.headers["cache-control"]).toBe("no-store");
    });

    it("answers 503 on a database that was never migrated, while /healthz stays 200", async () => {
      const { database, drop } = await unmigratedDatabase(engine);
      try {
        const app = createApp({ config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN }, database, logger: pino({ level: "silent" }) });
        await supertest(app).get("/healthz").expect(200);
        const res = await supertest(app).get("/readyz").expect(503);
        expect(res.body).toEqual({ status: "unavailable", reason: expect.stringMatching(/migrations are not complete/) });
      } finally {
        await drop();
      }
    });

    it("answers 503 when the newest migration of this build is not recorded", async () => {
      const latest = Object.keys(migrations).at(-1)!;
      const { database, drop } = await unmigratedDatabase(engine);
      try {
        // An older build migrated this database: every migration but the newest is recorded.
        await sql`create table kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(database.db);
        for (const name of Object.keys(migrations).slice(0, -1)) {
          await sql`insert into kysely_migration values (${name}, ${new Date().toISOString()})`.execute(database.db);
        }
        const app = createApp({ config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN }, database, logger: pino({ level: "silent" }) });
        await supertest(app).get("/readyz").expect(503);
        await sql`insert into kysely_migration values (${latest}, ${new Date().toISOString()})`.execute(database.db);
        await supertest(app).get("/readyz").expect(200);
      } finally {
        await drop();
      }
    });

    it("answers 503 once the database is closed", async () => {
      const database = await openTestDatabase(engine);
      const app = createApp({ config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN }, database, logger: pino({ level: "silent" }) });
      await supertest(app).get("/readyz").expect(200);
      await database.close();
      const res = await supertest(app).get("/readyz").expect(503);
      expect(res.body).toEqual({ status: "unavailable", reason: "the database is unreachable" });
    });
  });
});

async function unmigratedDatabase(engine: Engine): Promise<{ database: DatabaseHandle; drop: () => Promise<void> }> {
  if (engine === "pglite") {
    const database = await openDatabase({ dataDir: "memory://" });
    return { database, drop: () => database.close() };
  }
  const throwaway = await createThrowawayDatabase("scimready");
  const database = await openDatabase({ databaseUrl: throwaway.url, poolSize: 2 });
  return {
    database,
    async drop() {
      await database.close();
      await throwaway.drop();
    },
  };
}
