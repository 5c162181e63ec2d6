// Every way a SAML response must be refused at the ACS, each with the reason
// recorded in the audit trail and no session cookie. Responses are real,
// signed by a test IdP; the attacks tamper with the signed XML.
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIdp, encodeResponse, newId, type ResponseOptions, signAssertion } from "../support/saml-idp.ts";
import { selfSignedCertificate } from "../support/self-signed-cert.ts";
import { ENGINES } from "../support/engines.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import {
  auditEvents,
  expectRefused,
  loginRequestId,
  me,
  postToAcs,
  provision,
  type SamlOrg,
  samlOrg,
  sessionCookieOf,
} from "./saml-helpers.ts";

const MINUTE = 60_000;

describe.each(ENGINES)("SAML responses refused at the ACS on %s", (engine) => {
  let server: TestServer;
  let acme: SamlOrg;
  let globex: SamlOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    acme = await samlOrg(server, "acme.com");
    globex = await samlOrg(server, "globex.com");
    await provision(acme.org, "alice@acme.com");
    await provision(acme.org, "eve@acme.com");
    await provision(globex.org, "gina@globex.com");
  });
  afterAll(() => server.close());

  /** A response from acme's IdP answering a fresh login request, built with these options. */
  const answer = async (options: Partial<ResponseOptions> = {}, s: SamlOrg = acme) => {
    const inResponseTo = await loginRequestId(server, s.org.id);
    return s.idp.response(s.sp, { nameId: "alice@acme.com", inResponseTo, ...options });
  };

  const refused = async (xml: string, reason: string, status = 403, s: SamlOrg = acme) => {
    const res = await postToAcs(server, s.org.id, xml).expect(status);
    await expectRefused(server, s.org.id, res, reason);
    return res;
  };

  it("an unsigned response", async () => {
    await refused(await answer({ sign: "none" }), "unsigned");
  });

  it("a response signed only over the Response, not the assertion (assertions must be signed)", async () => {
    await refused(await answer({ sign: "response" }), "unsigned");
  });

  it("a response signed with another key, even one that carries its own certificate in KeyInfo", async () => {
    await refused(await answer({ signWith: selfSignedCertificate({ commonName: "attacker" }) }), "invalid_signature");
  });

  it("a NameID altered after signing", async () => {
    const xml = (await answer({ nameId: "eve@acme.com" })).replace(">eve@acme.com<", ">alice@acme.com<");
    expect(xml).toContain(">alice@acme.com<");
    await refused(xml, "invalid_signature");
  });

  it("signature wrapping: a second, unsigned assertion beside the signed one", async () => {
    const signed = await answer({ nameId: "eve@acme.com" });
    const evil = acme.idp.response(acme.sp, { nameId: "alice@acme.com", sign: "none" });
    const evilAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(evil)![0];
    const wrapped = signed.replace("<saml:Assertion ", `${evilAssertion}<saml:Assertion `);
    await refused(wrapped, "multiple_assertions");
  });

  it("signature wrapping: the signed assertion hidden in Extensions, a forged one with its id and signature in its place", async () => {
    const signed = await answer({ nameId: "eve@acme.com" });
    const original = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
    const forged = original.replace(">eve@acme.com<", ">alice@acme.com<");
    const wrapped = signed.replace(original, `${forged}`).replace("<samlp:Status>", `<samlp:Extensions>${original}</samlp:Extensions><samlp:Status>`);
    await refused(wrapped, "invalid_signature");
  });

  it("a comment injected into a signed NameID does not truncate it (alice@acme.com<!---->.evil.com)", async () => {
    const xml = (await answer({ nameId: "alice@acme.com.evil.com" })).replace(">alice@acme.com.evil.com<", ">alice@acme.com<!---->.evil.com<");
    const res = await refused(xml, "domain_not_verified");
    const [event] = await auditEvents(server, acme.org.id, "signin.refused");
    expect(event?.target.label).toBe("alice@acme.com.evil.com");
    expect(res.body.reason).not.toBe("user_not_found");
  });

  it("an expired assertion", async () => {
    const now = Date.now();
    await refused(await answer({ notBefore: new Date(now - 30 * MINUTE), notOnOrAfter: new Date(now - 10 * MINUTE) }), "expired");
  });

  it("an assertion not yet valid (beyond the clock skew)", async () => {
    const now = Date.now();
    await refused(await answer({ notBefore: new Date(now + 10 * MINUTE), notOnOrAfter: new Date(now + 20 * MINUTE) }), "not_yet_valid");
  });

  it("an assertion for another audience", async () => {
    await refused(await answer({ audience: "https://other-sp.example/saml" }), "wrong_audience");
  });

  it("a SubjectConfirmationData for another recipient", async () => {
    await refused(await answer({ recipient: "https://other-sp.example/acs" }), "wrong_recipient");
  });

  it("a response for another destination, or without one", async () => {
    await refused(await answer({ destination: "https://other-sp.example/acs" }), "wrong_destination");
    await refused(await answer({ destination: null }), "wrong_destination");
  });

  it("a response from another issuer signed with the configured key", async () => {
    await refused(await answer({ issuer: "https://impostor.idp.test/metadata" }), "wrong_issuer");
  });

  it("an InResponseTo we never issued", async () => {
    await refused(acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo: newId() }), "unknown_in_response_to");
  });

  it("an InResponseTo issued for another organization", async () => {
    const globexRequest = await loginRequestId(server, globex.org.id);
    await refused(acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo: globexRequest }), "unknown_in_response_to");
  });

  it("a second response answering an already answered request", async () => {
    const inResponseTo = await loginRequestId(server, acme.org.id);
    await postToAcs(server, acme.org.id, acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo })).expect(303);
    await refused(acme.idp.response(acme.sp, { nameId: "eve@acme.com", inResponseTo }), "unknown_in_response_to");
  });

  it("a replay of an accepted response", async () => {
    const xml = await answer();
    await postToAcs(server, acme.org.id, xml).expect(303);
    await refused(xml, "replayed");
  });

  it("two simultaneous posts of one response sign in once", async () => {
    const xml = await answer();
    const results = await Promise.all([postToAcs(server, acme.org.id, xml), postToAcs(server, acme.org.id, xml)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 403]);
    expect(results.find((r) => r.status === 403)!.body.reason).toMatch(/^(replayed|unknown_in_response_to)$/);
  });

  it("an unsolicited response while IdP-initiated sign-in is off", async () => {
    await refused(acme.idp.response(acme.sp, { nameId: "alice@acme.com" }), "unsolicited");
  });

  it("a suspended user", async () => {
    const id = await provision(acme.org, "sam@acme.com", { active: false });
    const res = await refused(await answer({ nameId: "sam@acme.com" }), "user_suspended");
    const [event] = await auditEvents(server, acme.org.id, "signin.refused");
    expect(event?.target).toMatchObject({ type: "User", id });
    expect(res.body.message).toContain("suspended");
  });

  it("an address that is the work email of several users", async () => {
    for (const userName of ["shared.one", "shared.two"]) {
      await provision(acme.org, userName, { emails: [{ value: "shared@acme.com", type: "work", primary: true }] });
    }
    await refused(await answer({ nameId: "shared@acme.com" }), "ambiguous_user");
  });

  it("an assertion that states no authentication (no AuthnStatement)", async () => {
    const inResponseTo = await loginRequestId(server, acme.org.id);
    const unsigned = acme.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo, sign: "none" }).replace(/<saml:AuthnStatement[\s\S]*<\/saml:AuthnStatement>/, "");
    await refused(signAssertion(unsigned, acme.idp.key), "invalid_response");
  });

  it("a deleted user", async () => {
    const id = await provision(acme.org, "dan@acme.com");
    await acme.org.scim("delete", `/Users/${id}`).expect(204);
    await refused(await answer({ nameId: "dan@acme.com" }), "unknown_user");
  });

  it("an address in a domain the organization has not verified (pending or foreign)", async () => {
    await server.admin("post", `/orgs/${acme.org.id}/domains`).send({ name: "acme-pending.com" }).expect(201);
    await refused(await answer({ nameId: "pat@acme-pending.com" }), "domain_not_verified");
    await refused(await answer({ nameId: "gina@globex.com" }), "domain_not_verified");
  });

  it("org B's IdP signing for org A's ACS, with its own issuer or with A's", async () => {
    const inResponseTo = await loginRequestId(server, acme.org.id);
    const fromB = globex.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo });
    await refused(fromB, "wrong_issuer");
    const spoofed = globex.idp.response(acme.sp, { nameId: "alice@acme.com", inResponseTo, issuer: acme.idp.entityId });
    await refused(spoofed, "invalid_signature");
  });

  it("org A's valid response replayed at org B's ACS", async () => {
    const xml = await answer();
    await refused(xml, "wrong_destination", 403, globex);
  });

  it("a DOCTYPE, before any parsing", async () => {
    const xml = await answer();
    const withDtd = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "alice@acme.com">]>${xml}`;
    await refused(withDtd, "doctype_present");
  });

  it("SHA-1 signatures", async () => {
    await refused(await answer({ weakAlgorithm: true }), "weak_algorithm");
  });

  it("an error status from the IdP", async () => {
    const inResponseTo = await loginRequestId(server, acme.org.id);
    const xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${acme.sp.acsUrl}" InResponseTo="${inResponseTo}">` +
      `<saml:Issuer>${acme.idp.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode></samlp:Status></samlp:Response>`;
    await refused(xml, "idp_error");
  });

  it("something that is not a SAML response", async () => {
    const notBase64 = await supertest(server.app).post(`/sso/${acme.org.id}/acs`).type("form").send({ SAMLResponse: "%%%" }).expect(400);
    await expectRefused(server, acme.org.id, notBase64, "malformed");
    await refused("<not-closed", "malformed", 400);
    await refused(`<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`, "malformed", 400);
    const noField = await supertest(server.app).post(`/sso/${acme.org.id}/acs`).type("form").send({ other: "x" }).expect(400);
    expect(noField.body).toMatchObject({ error: "invalid_request" });
  });

  it("a response posted to an organization without SAML is refused and audited there", async () => {
    const plain = await server.newOrg("Plain", { domain: "plain.com" });
    const res = await supertest(server.app).post(`/sso/${plain.id}/acs`).type("form").send({ SAMLResponse: encodeResponse(await answer()) }).expect(403);
    await expectRefused(server, plain.id, res, "sso_not_configured");
  });

  it("after all of that, alice still signs in (nothing above changed state)", async () => {
    const res = await postToAcs(server, acme.org.id, await answer()).expect(303);
    await me(server, sessionCookieOf(res)).expect(200);
  });

  describe("with IdP-initiated sign-in allowed", () => {
    let initech: SamlOrg;
    beforeAll(async () => {
      initech = await samlOrg(server, "initech.com", { idp: createTestIdp("initech"), settings: { allowIdpInitiated: true } });
      await provision(initech.org, "ian@initech.com");
    });

    it("accepts an unsolicited response, once", async () => {
      const xml = initech.idp.response(initech.sp, { nameId: "ian@initech.com" });
      const res = await postToAcs(server, initech.org.id, xml, "/welcome").expect(303);
      expect(res.headers.location).toBe("/welcome");
      await me(server, sessionCookieOf(res)).expect(200);
      const [event] = await auditEvents(server, initech.org.id, "signin.succeeded");
      expect(event?.details).toMatchObject({ idpInitiated: true });
      await refused(xml, "replayed", 403, initech);
    });

    it("still checks an InResponseTo that is present", async () => {
      await refused(initech.idp.response(initech.sp, { nameId: "ian@initech.com", inResponseTo: newId() }), "unknown_in_response_to", 403, initech);
    });

    it("refuses a solicited response whose Response-level InResponseTo was stripped", async () => {
      const inResponseTo = await loginRequestId(server, initech.org.id);
      const xml = initech.idp.response(initech.sp, { nameId: "ian@initech.com", inResponseTo });
      const stripped = xml.replace(/(<samlp:Response[^>]*?) InResponseTo="[^"]*"/, "$1");
      expect(stripped).not.toMatch(/<samlp:Response[^>]*InResponseTo/);
      await refused(stripped, "in_response_to_mismatch", 403, initech);
    });
  });
});
