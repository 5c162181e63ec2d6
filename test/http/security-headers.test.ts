// Security headers on every kind of response the server sends: JSON (admin API,
// health, errors), SCIM, SAML redirects and XML metadata, and the console's HTML.
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { DEFAULT_CSP } from "../../server/http/security-headers.ts";
import { ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/server.ts";
import { loginRequestId, postToAcs, provision, samlOrg, type SamlOrg } from "../auth/saml-helpers.ts";

const COMMON = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

function expectCommon(res: supertest.Response, what: string): void {
  for (const [name, value] of Object.entries(COMMON)) expect(res.headers[name], `${name} on ${what}`).toBe(value);
  expect(res.headers["strict-transport-security"], `HSTS on ${what}`).toBe("max-age=63072000");
}

describe.each(ENGINES)("security headers on %s", (engine) => {
  let server: TestServer;
  let acme: SamlOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    acme = await samlOrg(server, "acme.com");
  });
  afterAll(() => server.close());

  it("every non-page response carries them, with the default Content-Security-Policy", async () => {
    const api = supertest(server.app);
    const responses: [string, supertest.Test][] = [
      ["health", api.get("/healthz")],
      ["admin API JSON", server.admin("get", "/orgs")],
      ["admin API 401", api.get("/admin/v1/orgs")],
      ["admin API 404", server.admin("get", "/nothing-here")],
      ["SCIM JSON", acme.org.scim("get", "/Users")],
      ["SCIM 401", api.get("/scim/v2/Users")],
      ["SCIM error", acme.org.scim("get", "/Users?filter=bogus")],
      ["SAML login redirect", api.get(`/sso/${acme.org.id}/login`)],
      ["SAML metadata XML", api.get(`/sso/${acme.org.id}/metadata`)],
      ["SAML refusal", api.post(`/sso/${acme.org.id}/acs`).type("form").send({ SAMLResponse: "bm90IHhtbA==" })],
      ["SSO not available", api.get("/sso/login?email=x@nowhere.test")],
      ["/me 401", api.get("/me")],
      ["unmatched 404", api.get("/no/such/page")],
      ["malformed URL", api.get("/scim/v2/Users/%E0%A4%A")],
    ];
    for (const [what, call] of responses) {
      const res = await call;
      expectCommon(res, what);
      expect(res.headers["content-security-policy"], `CSP on ${what}`).toBe(DEFAULT_CSP);
      expect(res.headers["content-type"] ?? "", `no HTML on ${what}`).not.toMatch(/html/);
    }
  });

  it("the HTML body Express writes for a redirect (back from the SAML ACS, for a browser) carries them, with the default CSP", async () => {
    await provision(acme.org, "browser@acme.com");
    const id = await loginRequestId(server, acme.org.id);
    const xml = acme.idp.response(acme.sp, { nameId: "browser@acme.com", inResponseTo: id });
    const res = await postToAcs(server, acme.org.id, xml, "/admin/").set("Accept", "text/html").expect(303);
    expect(res.text).toContain("/admin/");
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expectCommon(res, "an HTML redirect");
    expect(res.headers["content-security-policy"]).toBe(DEFAULT_CSP);
  });

  it("the console's HTML pages carry them too, with a CSP that frames nothing and runs no inline script", async () => {
    const res = await supertest(server.app).get("/admin/");
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expectCommon(res, "/admin/");
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
  });

  it("sends no Strict-Transport-Security when the server is published over plain http", async () => {
    const app = createApp({ config: { publicUrl: "http://localhost:8080", adminToken: ADMIN_TOKEN }, database: server.database, logger: pino({ level: "silent" }) });
    const res = await supertest(app).get("/healthz").expect(200);
    expect(res.headers["strict-transport-security"]).toBeUndefined();
    expect(res.headers["x-frame-options"]).toBe("DENY");
  });
});
