// SP-initiated SAML sign-in end to end: login redirect → AuthnRequest id →
// a response signed by a test IdP → session cookie → /me → /logout; the
// return path; the metadata document; login by email domain.
import { sql } from "kysely";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authnRequestOf, createTestIdp } from "../support/saml-idp.ts";
import { ENGINES } from "../support/engines.ts";
import { PUBLIC_URL, startTestServer, type TestServer } from "../support/server.ts";
import {
  auditEvents,
  loginRequestId,
  me,
  postToAcs,
  provision,
  type SamlOrg,
  samlOrg,
  sessionCookieOf,
  signInAs,
  spOf,
} from "./saml-helpers.ts";

describe.each(ENGINES)("SAML sign-in on %s", (engine) => {
  let server: TestServer;
  let acme: SamlOrg;
  let aliceId: string;

  beforeAll(async () => {
    server = await startTestServer(engine);
    acme = await samlOrg(server, "acme.com");
    aliceId = await provision(acme.org, "alice@acme.com");
  });
  afterAll(() => server.close());

  it("redirects to the IdP with an HTTP-Redirect AuthnRequest for our ACS, then signs in with the signed response", async () => {
    const login = await supertest(server.app).get(`/sso/${acme.org.id}/login`).query({ returnTo: "/reports?q=1" }).expect(302);
    const location = login.headers.location!;
    expect(location.startsWith(`${acme.idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    const request = authnRequestOf(location);
    expect(request).toMatchObject({ destination: acme.idp.ssoUrl, acsUrl: acme.sp.acsUrl, issuer: acme.sp.entityId, relayState: "/reports?q=1" });
    expect(request.id).toMatch(/^_[0-9a-f]{40}$/);
    expect(request.xml).not.toContain("RequestedAuthnContext");
    expect(request.xml).not.toContain("<ds:Signature");

    const xml = acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo: request.id });
    const res = await postToAcs(server, acme.org.id, xml, request.relayState!).expect(303);
    expect(res.headers.location).toBe("/reports?q=1");
    const setCookie = ([] as string[]).concat(res.headers["set-cookie"] ?? []).find((c) => c.startsWith("sg_session="))!;
    expect(setCookie).toMatch(/^sg_session=sgs_[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; Secure/); // PUBLIC_URL is https in the harness
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Expires=/);

    const who = await me(server, sessionCookieOf(res)).expect(200);
    expect(who.body).toEqual({
      id: aliceId,
      userName: "alice@acme.com",
      organization: { id: acme.org.id, name: "acme.com" },
      roles: { orgRole: "user", adminRole: "member", managerScope: { groups: [], permissions: [] } },
      products: { granted: [] },
    });
    const [event] = await auditEvents(server, acme.org.id, "signin.succeeded");
    expect(event).toMatchObject({ actor: { kind: "system" }, target: { type: "User", id: aliceId, label: "alice@acme.com" } });
    expect(event!.details).toMatchObject({ method: "saml", nameId: "alice@acme.com", idpInitiated: false, provisioned: false });
    expect(JSON.stringify(event!.details)).not.toContain("Assertion");
  });

  it("stores only a hash of the session id", async () => {
    const cookie = await signInAs(server, acme, "alice@acme.com");
    const secret = cookie.split("=")[1]!;
    const rows = await server.database.db.selectFrom("sessions").select("id_hash").execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.id_hash.includes(secret))).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash))).toBe(true);
  });

  it("accepts a response signed over the whole Response as well as the assertion", async () => {
    const id = await loginRequestId(server, acme.org.id);
    const xml = acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo: id, sign: "both" });
    const res = await postToAcs(server, acme.org.id, xml).expect(303);
    await me(server, sessionCookieOf(res)).expect(200);
  });

  it("matches the user by primary or work email, case-insensitively, as well as by userName", async () => {
    const bobId = await provision(acme.org, "bob.smith", {
      emails: [{ value: "Bob@Acme.com", type: "work", primary: true }],
    });
    const cookie = await signInAs(server, acme, "BOB@acme.COM");
    expect((await me(server, cookie).expect(200)).body).toMatchObject({ id: bobId, userName: "bob.smith" });
  });

  it("takes the email attribute when the NameID is not an email address", async () => {
    const id = await loginRequestId(server, acme.org.id);
    const xml = acme.idp.response(acme.sp, {
      nameId: "00u1abcd-persistent",
      inResponseTo: id,
      attributes: { "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "alice@acme.com" },
    });
    const res = await postToAcs(server, acme.org.id, xml).expect(303);
    expect((await me(server, sessionCookieOf(res)).expect(200)).body.id).toBe(aliceId);
  });

  it("/logout ends the session and clears the cookie; the old cookie is refused afterwards", async () => {
    const cookie = await signInAs(server, acme, "alice@acme.com");
    await me(server, cookie).expect(200);
    const out = await supertest(server.app).post("/logout").set("Cookie", cookie).expect(204);
    expect(([] as string[]).concat(out.headers["set-cookie"] ?? []).join()).toMatch(/sg_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await me(server, cookie).expect(401);
    expect(after.body).toMatchObject({ error: "unauthenticated" });
    const [event] = await auditEvents(server, acme.org.id, "signout");
    expect(event?.target.id).toBe(aliceId);
    // Signing out without a session is not an error.
    await supertest(server.app).post("/logout").expect(204);
  });

  it("/me without a cookie, or with an unknown one, is 401", async () => {
    await supertest(server.app).get("/me").expect(401);
    await me(server, "sg_session=sgs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").expect(401);
    await me(server, "sg_session=not a token").expect(401);
  });

  it("a session idle for more than an hour is over", async () => {
    const cookie = await signInAs(server, acme, "alice@acme.com");
    await me(server, cookie).expect(200);
    // Age the session in the database: an hour and a minute without a request.
    await server.database.db
      .updateTable("sessions")
      .set({ last_seen_at: sql`now() - interval '61 minutes'` })
      .execute();
    await me(server, cookie).expect(401);
  });

  it("a new sign-in replaces the session the browser came with", async () => {
    const first = await signInAs(server, acme, "alice@acme.com");
    const id = await loginRequestId(server, acme.org.id);
    const res = await postToAcs(server, acme.org.id, acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo: id }))
      .set("Cookie", first)
      .expect(303);
    await me(server, sessionCookieOf(res)).expect(200);
    await me(server, first).expect(401);
  });

  describe("return path (RelayState)", () => {
    const attempts = [
      "https://evil.example/phish",
      "//evil.example/phish",
      "/\\evil.example",
      "\\\\evil.example",
      "/\t/evil.example",
      "javascript:alert(1)",
      "evil.example",
      "",
    ];
    it.each(attempts)("RelayState %j falls back to /", async (relayState) => {
      const id = await loginRequestId(server, acme.org.id);
      const xml = acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo: id });
      const res = await postToAcs(server, acme.org.id, xml, relayState).expect(303);
      expect(res.headers.location).toBe("/");
    });

    it.each(["/dashboard", "/a/b?c=d&e=%2F%2Fx#frag", "/"])("same-site path %j is honoured", async (relayState) => {
      const id = await loginRequestId(server, acme.org.id, relayState);
      const xml = acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo: id });
      const res = await postToAcs(server, acme.org.id, xml, relayState).expect(303);
      expect(res.headers.location).toBe(relayState);
    });

    it.each(attempts.filter(Boolean))("returnTo %j at login is sent as RelayState /", async (returnTo) => {
      const res = await supertest(server.app).get(`/sso/${acme.org.id}/login`).query({ returnTo }).expect(302);
      expect(authnRequestOf(res.headers.location!).relayState).toBe("/");
    });

    it("a RelayState query parameter at login is ignored in favour of the checked returnTo", async () => {
      const res = await supertest(server.app)
        .get(`/sso/${acme.org.id}/login`)
        .query({ RelayState: "https://evil.example", returnTo: "/ok" })
        .expect(302);
      expect(authnRequestOf(res.headers.location!).relayState).toBe("/ok");
    });
  });

  describe("login by email address", () => {
    it("finds the organization from the verified domain (subdomains included) and redirects to its IdP", async () => {
      for (const email of ["carol@acme.com", "dave@eu.acme.com"]) {
        const res = await supertest(server.app).get("/sso/login").query({ email, returnTo: "/x" }).expect(302);
        const request = authnRequestOf(res.headers.location!);
        expect(request).toMatchObject({ destination: acme.idp.ssoUrl, acsUrl: acme.sp.acsUrl, relayState: "/x" });
      }
    });

    it("gives the same answer for an unknown domain and for an organization without SAML", async () => {
      await server.newOrg("No SSO", { domain: "nosso.com" });
      const unknown = await supertest(server.app).get("/sso/login").query({ email: "x@unknown-domain.com" }).expect(404);
      const noSaml = await supertest(server.app).get("/sso/login").query({ email: "x@nosso.com" }).expect(404);
      expect(noSaml.body).toEqual(unknown.body);
      expect(unknown.body).toMatchObject({ error: "sso_not_available" });
      expect(JSON.stringify(unknown.body)).not.toMatch(/nosso|unknown-domain/);
    });

    it("an organization id without SAML, or unknown, answers the same at /sso/{org}/login", async () => {
      const plain = await server.newOrg("Plain", { domain: "plain.com" });
      const a = await supertest(server.app).get(`/sso/${plain.id}/login`).expect(404);
      const b = await supertest(server.app).get("/sso/01960000-0000-7000-8000-000000000000/login").expect(404);
      const c = await supertest(server.app).get("/sso/not-an-id/login").expect(404);
      expect(a.body).toEqual(b.body);
      expect(b.body).toEqual(c.body);
    });

    it("refuses a value that is not an email address", async () => {
      const res = await supertest(server.app).get("/sso/login").query({ email: "acme.com" }).expect(400);
      expect(res.body).toMatchObject({ error: "invalid_email" });
    });
  });

  describe("SP metadata", () => {
    it("names our entity ID and ACS for the organization, emailAddress, signed assertions, unsigned requests", async () => {
      const res = await supertest(server.app).get(`/sso/${acme.org.id}/metadata`).expect(200);
      expect(res.headers["content-type"]).toMatch(/^application\/xml/);
      const xml = res.text;
      expect(xml).toContain(`entityID="${PUBLIC_URL}/sso/${acme.org.id}"`);
      expect(xml).toMatch(/<SPSSODescriptor[^>]*AuthnRequestsSigned="false"/);
      expect(xml).toMatch(/<SPSSODescriptor[^>]*WantAssertionsSigned="true"/);
      expect(xml).toContain("<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>");
      expect(xml).toMatch(
        new RegExp(`<AssertionConsumerService[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"[^>]*Location="${PUBLIC_URL}/sso/${acme.org.id}/acs"`),
      );
      expect(xml).not.toContain("KeyDescriptor");
    });

    it("is served before SAML is configured (it is pasted into the IdP first), and 404 for an unknown organization", async () => {
      const fresh = await server.newOrg("Fresh", { domain: "fresh.com" });
      const res = await supertest(server.app).get(`/sso/${fresh.id}/metadata`).expect(200);
      expect(res.text).toContain(`entityID="${PUBLIC_URL}/sso/${fresh.id}"`);
      await supertest(server.app).get("/sso/01960000-0000-7000-8000-000000000000/metadata").expect(404);
    });
  });

  it("a second IdP for another organization signs in only there (configured from metadata XML)", async () => {
    const idp = createTestIdp("globex");
    const globex = await server.newOrg("Globex", { domain: "globex.com" });
    await server.admin("put", `/orgs/${globex.id}/saml`).send({ metadataXml: idp.metadataXml() }).expect(200);
    await provision(globex, "gina@globex.com");
    const cookie = await signInAs(server, { org: globex, idp, sp: spOf(globex.id) }, "gina@globex.com");
    expect((await me(server, cookie).expect(200)).body.organization.id).toBe(globex.id);
  });
});
