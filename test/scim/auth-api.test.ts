// SCIM bearer-token authentication (RFC 6750, RFC 7644 §2): every refusal is a 401 SCIM Error with a Bearer challenge.
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, startTestServer, type TestOrg, type TestServer } from "../support/server.ts";

const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

describe.each(ENGINES)("SCIM authentication on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg();
  });
  afterAll(async () => {
    await server.close();
  });

  const get = (path = "/Users") => supertest(server.app).get(`/scim/v2${path}`);

  async function expectRefused(req: supertest.Test, challenge: RegExp) {
    const res = await req.expect(401);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body).toEqual({ schemas: [ERROR_SCHEMA], status: "401", detail: expect.any(String) });
    expect(res.body.detail.length).toBeGreaterThan(0);
    expect(res.headers["www-authenticate"]).toMatch(challenge);
    return res;
  }

  it("accepts a valid token", async () => {
    await org.scim("get", "/Users").expect(200);
  });

  it("accepts the Bearer scheme in any letter case (RFC 7235 §2.1)", async () => {
    await get().set("Authorization", `bearer ${org.token}`).expect(200);
    await get().set("Authorization", `BEARER ${org.token}`).expect(200);
  });

  it("refuses a request without an Authorization header", async () => {
    const res = await expectRefused(get(), /^Bearer realm="scim"$/);
    expect(res.body.detail).toMatch(/Bearer/);
  });

  it("refuses a token sent under another scheme", async () => {
    await expectRefused(get().set("Authorization", `Basic ${Buffer.from(`x:${org.token}`).toString("base64")}`), /^Bearer /);
    await expectRefused(get().set("Authorization", `Token ${org.token}`), /^Bearer /);
    await expectRefused(get().set("Authorization", org.token), /^Bearer /);
  });

  it("refuses an empty or malformed Bearer credential", async () => {
    await expectRefused(get().set("Authorization", "Bearer "), /^Bearer /);
    await expectRefused(get().set("Authorization", `Bearer ${org.token} extra`), /^Bearer /);
  });

  it("refuses an unknown token with error=invalid_token", async () => {
    const res = await expectRefused(get().set("Authorization", "Bearer scim_not-a-real-token"), /^Bearer .*error="invalid_token"/);
    expect(res.body.detail).toMatch(/not valid/);
  });

  it("refuses the admin token: it is not a SCIM credential", async () => {
    await expectRefused(get().set("Authorization", `Bearer ${ADMIN_TOKEN}`), /error="invalid_token"/);
  });

  it("refuses a revoked token exactly like an unknown one", async () => {
    const other = await server.newOrg("Revoked Inc");
    await other.scim("get", "/Users").expect(200);
    await server.admin("delete", `/orgs/${other.id}/scim-tokens/${other.tokenId}`).expect(204);
    const revoked = await expectRefused(other.scim("get", "/Users"), /error="invalid_token"/);
    const unknown = await get().set("Authorization", "Bearer scim_unknown");
    expect(revoked.body).toEqual(unknown.body);
    expect(revoked.headers["www-authenticate"]).toBe(unknown.headers["www-authenticate"]);
  });

  it("guards every SCIM endpoint, writes, discovery and unknown paths included", async () => {
    const anon = supertest(server.app);
    await expectRefused(anon.post("/scim/v2/Users").set("Content-Type", "application/scim+json").send({ userName: "x" }), /^Bearer /);
    await expectRefused(anon.post("/scim/v2/Groups/.search").send({}), /^Bearer /);
    await expectRefused(anon.delete(`/scim/v2/Users/${org.tokenId}`), /^Bearer /);
    await expectRefused(get("/ServiceProviderConfig"), /^Bearer /);
    await expectRefused(get("/Schemas"), /^Bearer /);
    await expectRefused(get("/NoSuchEndpoint"), /^Bearer /);
  });

  it("authenticates before parsing the body, so an anonymous malformed body still gets 401", async () => {
    await expectRefused(
      supertest(server.app).post("/scim/v2/Users").set("Content-Type", "application/scim+json").send("{not json"),
      /^Bearer /,
    );
  });
});
