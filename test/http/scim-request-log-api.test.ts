// The SCIM request log behind the console's provisioning page: every request a
// token authenticated is recorded (status, scimType, the detail the IdP received,
// path with query string; never bodies or the token), buffered and written in
// batches, pruned per token, and read back per organization, newest first, paged.
import { randomUUID } from "node:crypto";
import type { Express } from "express";
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../server/app.ts";
import { lowestUuidv7At, ScimRequestLog } from "../../server/domain/scim-request-log.ts";
import { ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, PUBLIC_URL, startTestServer, type TestOrg, type TestServer, userBody } from "../support/server.ts";
import { signedIn } from "./console-session.ts";

describe.each(ENGINES)("SCIM request log on %s", (engine) => {
  let server: TestServer;
  let acme: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    acme = await server.newOrg("Acme");
    other = await server.newOrg("Other");
  });
  afterAll(() => server.close());

  /** An app on the test database whose request log this test controls. */
  function appWith(log: ScimRequestLog): Express {
    return createApp({ config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN }, database: server.database, logger: pino({ level: "silent" }), scimRequestLog: log });
  }

  const scim = (app: Express, token: string, method: "get" | "post" | "put" | "patch" | "delete", path: string) =>
    supertest(app)[method](`/scim/v2${path}`).set("Authorization", `Bearer ${token}`).set("Content-Type", "application/scim+json");

  const list = (orgId: string, query: Record<string, string | number> = {}) =>
    server.admin("get", `/orgs/${orgId}/scim-requests`).query(query);

  async function newToken(org: TestOrg, label: string): Promise<{ id: string; token: string }> {
    const res = await server.admin("post", `/orgs/${org.id}/scim-tokens`).send({ label }).expect(201);
    return { id: res.body.id, token: res.body.token };
  }

  describe("what is recorded", () => {
    let app: Express;
    let log: ScimRequestLog;
    let token: { id: string; token: string };
    const answers: { status: number; scimType: string | null; detail: string | null; path: string; method: string }[] = [];

    beforeAll(async () => {
      log = new ScimRequestLog(server.database.db, { flushIntervalMs: 60_000 });
      app = appWith(log);
      token = await newToken(acme, "recorded");
      const missing = `/Users/${randomUUID()}`;
      const calls: [supertest.Test, string, string][] = [
        [scim(app, token.token, "post", "/Users").send(userBody("logged.ann", { password: "S3cret-Passw0rd!" })), "POST", "/scim/v2/Users"],
        [scim(app, token.token, "post", "/Users").send(userBody("logged.ann")), "POST", "/scim/v2/Users"],
        [scim(app, token.token, "get", "/Users?filter=userName%20zz%20%22x%22&count=5"), "GET", "/scim/v2/Users?filter=userName%20zz%20%22x%22&count=5"],
        [scim(app, token.token, "get", missing), "GET", `/scim/v2${missing}`],
        [scim(app, token.token, "get", "/ServiceProviderConfig"), "GET", "/scim/v2/ServiceProviderConfig"],
      ];
      for (const [call, method, path] of calls) {
        const res = await call;
        answers.push({
          status: res.status,
          scimType: res.status >= 400 ? (res.body.scimType ?? null) : null,
          detail: res.status >= 400 ? res.body.detail : null,
          path,
          method,
        });
      }
      // No token, a wrong token: nobody's request, not recorded.
      await supertest(app).get("/scim/v2/Users").expect(401);
      await scim(app, "scim_not-a-token", "get", "/Users").expect(401);
      await log.flush();
    });

    it("records each request with its status, and an error's scimType and the detail the client received", async () => {
      expect(answers.map((a) => a.status)).toEqual([201, 409, 400, 404, 200]);
      const res = await list(acme.id, { token: token.id }).expect(200);
      expect(res.body.next).toBeNull();
      const got = res.body.requests as Record<string, unknown>[];
      expect(got).toHaveLength(5);
      // Newest first.
      expect(got.map((r) => ({ method: r.method, path: r.path, status: r.status, scimType: r.scimType, detail: r.detail }))).toEqual(
        [...answers].reverse(),
      );
      expect(got[1]).toMatchObject({ status: 404, scimType: null, detail: expect.stringContaining("not found") });
      expect(got[2]).toMatchObject({ status: 400, scimType: "invalidFilter" });
      expect(got[3]).toMatchObject({ status: 409, scimType: "uniqueness", detail: expect.stringContaining("logged.ann") });
      for (const r of got) {
        expect(r).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          tokenId: token.id,
          at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          method: expect.any(String),
          path: expect.any(String),
          status: expect.any(Number),
          scimType: r.status === 400 || r.status === 409 ? expect.any(String) : null,
          detail: r.status === 200 || r.status === 201 ? null : expect.any(String),
          durationMs: expect.any(Number),
        });
      }
      const errors = await list(acme.id, { token: token.id, status: "errors" }).expect(200);
      expect(errors.body.requests.map((r: { status: number }) => r.status)).toEqual([404, 400, 409]);
    });

    it("never stores a body, the token or a header", async () => {
      const rows = await server.database.db.selectFrom("scim_requests").selectAll().where("token_id", "=", token.id).execute();
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain("S3cret-Passw0rd!");
      expect(stored).not.toContain(token.token);
      expect(stored).not.toContain("Bearer");
      expect(stored).not.toContain("Test"); // the givenName of the bodies
      expect(rows).toHaveLength(5);
    });

    it("keeps organizations apart: another token's requests are not listed, and another org's admin gets 404", async () => {
      await scim(app, other.token, "get", "/Users").expect(200);
      await log.flush();
      const mine = await list(acme.id).expect(200);
      expect(mine.body.requests.every((r: { tokenId: string }) => r.tokenId !== other.tokenId)).toBe(true);
      const theirs = await list(acme.id, { token: other.tokenId }).expect(200);
      expect(theirs.body.requests).toEqual([]);
      const own = await list(other.id, { token: other.tokenId }).expect(200);
      expect(own.body.requests).toHaveLength(1);

      const otherAdmin = await signedIn(server, other, "other-admin", { orgRole: "admin" });
      await otherAdmin.req("get", `/orgs/${acme.id}/scim-requests`).expect(404);
      const readOnly = await signedIn(server, acme, "log-reader", { orgRole: "admin-readonly" });
      const read = await readOnly.req("get", `/orgs/${acme.id}/scim-requests`).query({ token: token.id }).expect(200);
      expect(read.body.requests).toHaveLength(5);
    });

    it("pages newest first with before=<next>", async () => {
      const seen: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await list(acme.id, { token: token.id, limit: 2, ...(before ? { before } : {}) }).expect(200);
        seen.push(...res.body.requests.map((r: { id: string }) => r.id));
        before = res.body.next ?? undefined;
        if (!before) break;
        expect(res.body.requests).toHaveLength(2);
      }
      const all = await list(acme.id, { token: token.id }).expect(200);
      expect(seen).toEqual(all.body.requests.map((r: { id: string }) => r.id));
      expect(seen).toHaveLength(5);
    });

    it("refuses bad query parameters with 400", async () => {
      const bad: Record<string, string | number>[] = [{ status: "bad" }, { limit: 0 }, { limit: 201 }, { limit: "ten" }, { before: "junk" }, { token: "junk" }, { tokn: token.id }];
      for (const query of bad) {
        const res = await list(acme.id, query).expect(400);
        expect(res.body.error).toMatch(/invalid_(value|query)/);
      }
      await list(randomUUID()).expect(404);
    });
  });

  describe("writing and pruning", () => {
    it("keeps the newest entries of each token, up to the limit", async () => {
      const log = new ScimRequestLog(server.database.db, { flushIntervalMs: 60_000, keepPerToken: 5 });
      const app = appWith(log);
      const token = await newToken(acme, "pruned");
      const paths = Array.from({ length: 8 }, () => `/Users/${randomUUID()}`);
      for (const [i, path] of paths.entries()) {
        await scim(app, token.token, "get", path).expect(404);
        if (i === 3) await log.flush(); // two batches: pruning spans them
      }
      await log.flush();
      const res = await list(acme.id, { token: token.id }).expect(200);
      expect(res.body.requests.map((r: { path: string }) => r.path)).toEqual(paths.slice(3).reverse().map((p) => `/scim/v2${p}`));
      // Other tokens are not pruned by this token's writes.
      const recorded = await list(acme.id).expect(200);
      expect(recorded.body.requests.length).toBeGreaterThan(5);
    });

    it("drops entries older than the age limit, for every token", async () => {
      const db = server.database.db;
      const week = 7 * 24 * 60 * 60 * 1000;
      const old = { org_id: acme.id, token_id: randomUUID(), method: "GET", path: "/scim/v2/Users", status: 200, scim_type: null, detail: null, duration_ms: 1 };
      const oldId = lowestUuidv7At(Date.now() - week - 60_000).replace(/000000000000$/, "000000000001");
      const recentId = lowestUuidv7At(Date.now() - week + 60 * 60_000).replace(/000000000000$/, "000000000001");
      await db.insertInto("scim_requests").values([
        { ...old, id: oldId, at: new Date(Date.now() - week - 60_000) },
        { ...old, id: recentId, at: new Date(Date.now() - week + 60 * 60_000) },
      ]).execute();
      const log = new ScimRequestLog(db, { flushIntervalMs: 60_000 });
      await scim(appWith(log), acme.token, "get", "/Users").expect(200);
      await log.flush();
      const left = await db.selectFrom("scim_requests").select("id").where("id", "in", [oldId, recentId]).execute();
      expect(left.map((r) => r.id)).toEqual([recentId]);
    });

    it("writes on its own after the flush interval, without flush()", async () => {
      const log = new ScimRequestLog(server.database.db, { flushIntervalMs: 20 });
      const token = await newToken(acme, "timed");
      await scim(appWith(log), token.token, "get", "/Users").expect(200);
      await vi.waitFor(async () => {
        const res = await list(acme.id, { token: token.id }).expect(200);
        expect(res.body.requests).toHaveLength(1);
      }, { timeout: 5000, interval: 25 });
    });

    it("writes as soon as a batch is full, long before the interval", async () => {
      const log = new ScimRequestLog(server.database.db, { flushIntervalMs: 3_600_000, batchSize: 3 });
      const token = await newToken(acme, "batched");
      const app = appWith(log);
      for (let i = 0; i < 3; i++) await scim(app, token.token, "get", "/Groups").expect(200);
      await vi.waitFor(async () => {
        const res = await list(acme.id, { token: token.id }).expect(200);
        expect(res.body.requests).toHaveLength(3);
      }, { timeout: 5000, interval: 25 });
      expect(log.pending).toBe(0);
    });

    it("drops a batch the database refuses, reports it, and keeps going", async () => {
      const dropped: number[] = [];
      const log = new ScimRequestLog(server.database.db, { flushIntervalMs: 60_000, onError: (_err, n) => dropped.push(n) });
      // A status outside PostgreSQL's integer range: the INSERT fails.
      log.record({ orgId: acme.id, tokenId: randomUUID(), at: new Date(), method: "GET", path: "/x", status: 2 ** 40, scimType: null, detail: null, durationMs: 1 });
      await log.flush();
      expect(dropped).toEqual([1]);
      const token = await newToken(acme, "after-failure");
      await scim(appWith(log), token.token, "get", "/Users").expect(200);
      await log.flush();
      expect((await list(acme.id, { token: token.id }).expect(200)).body.requests).toHaveLength(1);
    });
  });
});
