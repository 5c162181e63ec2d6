// The operator API (/admin/v1): organizations and SCIM tokens, guarded by ADMIN_TOKEN.
import { randomUUID } from "node:crypto";
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, PUBLIC_URL, SCIM_BASE, startTestServer, type TestServer } from "../support/server.ts";

const SCIM_TOKEN_FORMAT = /^scim_([A-Za-z0-9_-]+)$/;

describe.each(ENGINES)("operator API on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  const createOrg = async (name = "Acme") => (await server.admin("post", "/orgs").send({ name }).expect(201)).body as { id: string };
  const createToken = async (orgId: string, label = "Entra ID") =>
    (await server.admin("post", `/orgs/${orgId}/scim-tokens`).send({ label }).expect(201)).body as { id: string; token: string };
  const scimGet = (token: string, path = "/Users") =>
    supertest(server.app).get(`/scim/v2${path}`).set("Authorization", `Bearer ${token}`);

  describe("organizations", () => {
    it("creates an organization and answers 201 with its id and name", async () => {
      const res = await server.admin("post", "/orgs").send({ name: "Acme" }).expect(201);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: "Acme", createdAt: expect.any(String) });
    });

    it("reads an organization back by id", async () => {
      const org = await createOrg("Globex");
      const res = await server.admin("get", `/orgs/${org.id}`).expect(200);
      expect(res.body).toMatchObject({ id: org.id, name: "Globex" });
    });

    it("lists organizations including a new one", async () => {
      const org = await createOrg("Initech");
      const res = await server.admin("get", "/orgs").expect(200);
      expect(res.body.orgs).toContainEqual(expect.objectContaining({ id: org.id, name: "Initech" }));
    });

    it("answers 404 JSON for an unknown organization id", async () => {
      const res = await server.admin("get", `/orgs/${randomUUID()}`).expect(404);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.body).toEqual({ error: "not_found", message: expect.stringContaining("Organization") });
    });

    it("answers 404 JSON (not 500) for an organization id that is not a UUID", async () => {
      const res = await server.admin("get", "/orgs/not-a-uuid").expect(404);
      expect(res.body).toEqual({ error: "not_found", message: expect.stringContaining("not-a-uuid") });
      await server.admin("get", "/orgs/not-a-uuid/scim-tokens").expect(404);
      await server.admin("post", "/orgs/not-a-uuid/scim-tokens").send({ label: "x" }).expect(404);
    });

    it("refuses an organization without a name with 400", async () => {
      const missing = await server.admin("post", "/orgs").send({}).expect(400);
      expect(missing.body).toEqual({ error: "invalid_value", message: expect.stringContaining("name") });
      await server.admin("post", "/orgs").send({ name: "   " }).expect(400);
      await server.admin("post", "/orgs").send({ name: 42 }).expect(400);
    });

    it("refuses a body that is not JSON with 400", async () => {
      const res = await server.admin("post", "/orgs").set("Content-Type", "application/json").send("{not json").expect(400);
      expect(res.body.error).toBe("invalid_json");
      await server.admin("post", "/orgs").set("Content-Type", "text/plain").send("Acme").expect(400);
    });
  });

  describe("SCIM tokens", () => {
    it("creates a token with at least 128 bits of randomness and answers 201 with id and token", async () => {
      const org = await createOrg();
      const res = await server.admin("post", `/orgs/${org.id}/scim-tokens`).send({ label: "Entra ID" }).expect(201);
      expect(res.body).toMatchObject({ id: expect.any(String), token: expect.any(String), label: "Entra ID", scimUrl: SCIM_BASE });
      const random = SCIM_TOKEN_FORMAT.exec(res.body.token)?.[1];
      expect(random).toBeDefined();
      expect(Buffer.from(random!, "base64url").length * 8).toBeGreaterThanOrEqual(128);
      const other = await createToken(org.id);
      expect(other.token).not.toBe(res.body.token);
    });

    it("lists label, createdAt and lastUsedAt but never the secret", async () => {
      const org = await createOrg();
      const created = await createToken(org.id, "Okta");
      const res = await server.admin("get", `/orgs/${org.id}/scim-tokens`).expect(200);
      expect(res.body).toEqual({
        tokens: [{ id: created.id, label: "Okta", createdAt: expect.any(String), lastUsedAt: null }],
      });
      expect(res.text).not.toContain(created.token);
      expect(res.text).not.toContain(SCIM_TOKEN_FORMAT.exec(created.token)![1]);
    });

    it("sets lastUsedAt once the token has authenticated a SCIM request", async () => {
      const org = await createOrg();
      const created = await createToken(org.id);
      const before = Date.now();
      await scimGet(created.token).expect(200);
      const res = await server.admin("get", `/orgs/${org.id}/scim-tokens`).expect(200);
      const lastUsedAt = Date.parse(res.body.tokens[0].lastUsedAt);
      expect(lastUsedAt).toBeGreaterThanOrEqual(before - 5_000);
      expect(lastUsedAt).toBeLessThanOrEqual(Date.now() + 5_000);
    });

    it("stores only a hash of the token, never the secret", async () => {
      const org = await createOrg();
      const created = await createToken(org.id);
      const rows = await server.database.db.selectFrom("scim_tokens").selectAll().where("org_id", "=", org.id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(created.token);
      expect(stored).not.toContain(SCIM_TOKEN_FORMAT.exec(created.token)![1]);
    });

    it("revokes a token with 204 and refuses it on the very next SCIM request", async () => {
      const org = await createOrg();
      const created = await createToken(org.id);
      await scimGet(created.token).expect(200);
      await server.admin("delete", `/orgs/${org.id}/scim-tokens/${created.id}`).expect(204);
      const refused = await scimGet(created.token).expect(401);
      expect(refused.body.status).toBe("401");
      const list = await server.admin("get", `/orgs/${org.id}/scim-tokens`).expect(200);
      expect(list.body.tokens).toEqual([]);
    });

    it("answers 404 when revoking an unknown token, a non-UUID id, or another organization's token", async () => {
      const org = await createOrg();
      const other = await createOrg("Other");
      const othersToken = await createToken(other.id);
      await server.admin("delete", `/orgs/${org.id}/scim-tokens/${randomUUID()}`).expect(404);
      await server.admin("delete", `/orgs/${org.id}/scim-tokens/nope`).expect(404);
      const res = await server.admin("delete", `/orgs/${org.id}/scim-tokens/${othersToken.id}`).expect(404);
      expect(res.body.error).toBe("not_found");
      await scimGet(othersToken.token).expect(200);
    });

    it("refuses a token without a label with 400", async () => {
      const org = await createOrg();
      const res = await server.admin("post", `/orgs/${org.id}/scim-tokens`).send({}).expect(400);
      expect(res.body.message).toContain("label");
    });

    it("answers 404 when creating a token for an unknown organization", async () => {
      await server.admin("post", `/orgs/${randomUUID()}/scim-tokens`).send({ label: "x" }).expect(404);
    });
  });

  describe("operator authentication", () => {
    const anonymous = () => supertest(server.app);

    it("refuses a request without an Authorization header with 401 and a Bearer challenge", async () => {
      const res = await anonymous().get("/admin/v1/orgs").expect(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer /);
      expect(res.body).toEqual({ error: "unauthorized", message: expect.stringContaining("ADMIN_TOKEN") });
    });

    it("refuses a wrong admin token, a SCIM token, and the right token under another scheme", async () => {
      const org = await createOrg();
      const scimToken = await createToken(org.id);
      await anonymous().get("/admin/v1/orgs").set("Authorization", `Bearer ${ADMIN_TOKEN}x`).expect(401);
      await anonymous().get("/admin/v1/orgs").set("Authorization", `Bearer ${scimToken.token}`).expect(401);
      await anonymous().get("/admin/v1/orgs").set("Authorization", `Basic ${ADMIN_TOKEN}`).expect(401);
      await anonymous().post("/admin/v1/orgs").send({ name: "Sneaky" }).expect(401);
    });

    it("marks operator responses as not cacheable", async () => {
      const res = await server.admin("get", "/orgs").expect(200);
      expect(res.headers["cache-control"]).toBe("no-store");
    });
  });

  describe("with no ADMIN_TOKEN configured", () => {
    it("refuses every operator call with 401 and says how to set ADMIN_TOKEN", async () => {
      const app = createApp({
        config: { publicUrl: PUBLIC_URL, adminToken: undefined },
        database: server.database,
        logger: pino({ level: "silent" }),
      });
      const org = await createOrg();
      const calls = [
        supertest(app).get("/admin/v1/orgs"),
        supertest(app).post("/admin/v1/orgs").send({ name: "Acme" }),
        supertest(app).get(`/admin/v1/orgs/${org.id}`),
        supertest(app).post(`/admin/v1/orgs/${org.id}/scim-tokens`).send({ label: "x" }),
        supertest(app).get(`/admin/v1/orgs/${org.id}/scim-tokens`).set("Authorization", "Bearer "),
        supertest(app).get("/admin/v1/orgs").set("Authorization", `Bearer ${ADMIN_TOKEN}`),
        supertest(app).get("/admin/v1/orgs").set("Authorization", "Bearer undefined"),
      ];
      for (const call of calls) {
        const res = await call.expect(401);
        expect(res.body).toEqual({ error: "admin_disabled", message: expect.stringMatching(/ADMIN_TOKEN/) });
        expect(res.body.message).toMatch(/set/i);
        expect(res.headers["www-authenticate"]).toMatch(/^Bearer /);
      }
      const tokens = await server.admin("get", `/orgs/${org.id}/scim-tokens`).expect(200);
      expect(tokens.body.tokens).toEqual([]);
    });
  });
});
