// The operator API for an organization's SAML configuration: both PUT forms,
// what GET shows, DELETE, validation (a clear 400 that changes nothing) and
// the audit trail of every change.
import { X509Certificate } from "node:crypto";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIdp, type TestIdp } from "../support/saml-idp.ts";
import { selfSignedCertificate } from "../support/self-signed-cert.ts";
import { ENGINES } from "../support/engines.ts";
import { PUBLIC_URL, startTestServer, type TestOrg, type TestServer } from "../support/server.ts";
import { auditEvents } from "./saml-helpers.ts";

describe.each(ENGINES)("SAML configuration API on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let idp: TestIdp;
  const saml = (method: "get" | "put" | "delete") => server.admin(method, `/orgs/${org.id}/saml`);
  const manual = (extra: Record<string, unknown> = {}) => ({
    entityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    certificates: [idp.key.certificatePem],
    ...extra,
  });

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Acme", { domain: "acme.com" });
    idp = createTestIdp("acme");
  });
  afterAll(() => server.close());

  it("before configuration GET shows only our values, to paste into the IdP", async () => {
    const res = await saml("get").expect(200);
    expect(res.body).toEqual({
      enabled: false,
      serviceProvider: {
        entityId: `${PUBLIC_URL}/sso/${org.id}`,
        acsUrl: `${PUBLIC_URL}/sso/${org.id}/acs`,
        metadataUrl: `${PUBLIC_URL}/sso/${org.id}/metadata`,
        loginUrl: `${PUBLIC_URL}/sso/${org.id}/login`,
        nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
      },
    });
    await saml("delete").expect(404);
  });

  it("PUT with entityId, ssoUrl and certificates: defaults applied, certificates shown with fingerprint and expiry", async () => {
    const res = await saml("put").send(manual()).expect(200);
    const cert = new X509Certificate(idp.key.certificatePem);
    expect(res.body).toMatchObject({
      enabled: true,
      identityProvider: {
        entityId: idp.entityId,
        ssoUrl: idp.ssoUrl,
        certificates: [
          {
            fingerprintSha256: cert.fingerprint256,
            subject: "CN=acme.idp.test",
            notAfter: new Date(cert.validTo).toISOString(),
            expired: false,
          },
        ],
      },
      allowIdpInitiated: false,
      jitProvisioning: false,
      clockSkewSeconds: 120,
      signAuthnRequests: false,
      source: "manual",
    });
    expect((await saml("get").expect(200)).body).toEqual(res.body);
    const [configured] = await auditEvents(server, org.id, "saml.configured");
    expect(configured).toMatchObject({ actor: { kind: "operator" }, target: { type: "saml", label: idp.entityId } });
    expect(configured!.details).toMatchObject({ changes: { certificates: { to: [cert.fingerprint256] }, clockSkewSeconds: { to: 120 } } });
    expect(JSON.stringify(configured!.details)).not.toContain("BEGIN CERTIFICATE");
  });

  it("PUT with metadataXml reads entityID, the HTTP-Redirect SSO location and every signing certificate", async () => {
    const next = createTestIdp("acme-next");
    const res = await saml("put")
      .send({ metadataXml: idp.metadataXml([next.key]), jitProvisioning: true, allowIdpInitiated: true, clockSkewSeconds: 30 })
      .expect(200);
    expect(res.body.identityProvider.entityId).toBe(idp.entityId);
    expect(res.body.identityProvider.ssoUrl).toBe(idp.ssoUrl); // not the HTTP-POST location listed first
    expect(res.body.identityProvider.certificates.map((c: { fingerprintSha256: string }) => c.fingerprintSha256)).toEqual([
      new X509Certificate(idp.key.certificatePem).fingerprint256,
      new X509Certificate(next.key.certificatePem).fingerprint256,
    ]);
    expect(res.body).toMatchObject({ jitProvisioning: true, allowIdpInitiated: true, clockSkewSeconds: 30, source: "metadata" });
    const [updated] = await auditEvents(server, org.id, "saml.updated");
    expect(updated!.details).toMatchObject({
      changes: { jitProvisioning: { from: false, to: true }, clockSkewSeconds: { from: 120, to: 30 }, source: { from: "manual", to: "metadata" } },
    });
  });

  it("PUT replaces: options left out go back to their defaults", async () => {
    const res = await saml("put").send(manual()).expect(200);
    expect(res.body).toMatchObject({ jitProvisioning: false, allowIdpInitiated: false, clockSkewSeconds: 120 });
  });

  it("shows an expired certificate as expired", async () => {
    const old = selfSignedCertificate({ commonName: "old", notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    const res = await saml("put").send(manual({ certificates: [old.certificatePem, idp.key.certificatePem] })).expect(200);
    expect(res.body.identityProvider.certificates.map((c: { expired: boolean }) => c.expired)).toEqual([true, false]);
    expect(res.body.identityProvider.certificates[0].notAfter).toBe("2021-01-01T00:00:00.000Z");
  });

  describe("refuses bad input with a message that says what to fix, and changes nothing", () => {
    const short = selfSignedCertificate({ commonName: "short", bits: 1024 });
    const cases: [string, () => unknown, RegExp][] = [
      ["both forms at once", () => ({ ...manual(), metadataXml: idp.metadataXml() }), /either "metadataXml" or/],
      ["an unknown field", () => manual({ allowIdPInitiated: true }), /unknown field "allowIdPInitiated"/],
      ["no identity provider at all", () => ({ jitProvisioning: true }), /send "metadataXml", or "entityId"/],
      ["a missing entityId", () => ({ ssoUrl: idp.ssoUrl, certificates: [idp.key.certificatePem] }), /"entityId" must be/],
      ["an entityId with spaces", () => manual({ entityId: "my idp" }), /whitespace/],
      ["an http ssoUrl", () => manual({ ssoUrl: "http://idp.example/sso" }), /must be an https:\/\/ URL/],
      ["an ssoUrl that is not a URL", () => manual({ ssoUrl: "idp/sso" }), /is not a URL/],
      ["no certificates", () => manual({ certificates: [] }), /non-empty list/],
      ["a certificate that is not one", () => manual({ certificates: ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"] }), /not a valid X\.509/],
      ["a private key", () => manual({ certificates: [idp.key.privateKeyPem] }), /private key/],
      ["a 1024-bit key", () => manual({ certificates: [short.certificatePem] }), /1024-bit RSA key; at least 2048/],
      ["eleven certificates", () => manual({ certificates: Array(11).fill(idp.key.certificatePem) }), /at most 10/],
      ["clockSkewSeconds above 600", () => manual({ clockSkewSeconds: 601 }), /from 0 to 600/],
      ["a negative clockSkewSeconds", () => manual({ clockSkewSeconds: -1 }), /from 0 to 600/],
      ["a fractional clockSkewSeconds", () => manual({ clockSkewSeconds: 1.5 }), /whole number/],
      ["a string boolean", () => manual({ jitProvisioning: "true" }), /"jitProvisioning" must be true or false/],
      ["signAuthnRequests: true", () => manual({ signAuthnRequests: true }), /signed AuthnRequests are not supported/],
      ["metadata with a DOCTYPE", () => ({ metadataXml: `<!DOCTYPE x [<!ENTITY e "x">]>${idp.metadataXml().replace(/^<\?xml[^>]*>/, "")}` }), /DOCTYPE/],
      ["metadata that is not XML", () => ({ metadataXml: "<EntityDescriptor" }), /not well-formed/],
      ["SP metadata instead of IdP metadata", () => ({ metadataXml: idp.metadataXml().replace(/IDPSSODescriptor/g, "SPSSODescriptor") }), /one SAML 2\.0 identity provider/],
      [
        "metadata without an HTTP-Redirect SSO service",
        () => ({ metadataXml: idp.metadataXml().replace(/<md:SingleSignOnService Binding="[^"]*HTTP-Redirect"[^>]*\/>/, "") }),
        /no SingleSignOnService with the HTTP-Redirect binding/,
      ],
      ["metadata without certificates", () => ({ metadataXml: idp.metadataXml().replace(/<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/, "") }), /no signing certificate/],
      ["a JSON array", () => [manual()], /send a JSON object/],
    ];

    it.each(cases)("%s", async (_name, body, message) => {
      const before = (await saml("get").expect(200)).body;
      const res = await saml("put").send(body() as object).expect(400);
      expect(res.body.error).toBe("invalid_value");
      expect(res.body.message).toMatch(message);
      expect((await saml("get").expect(200)).body).toEqual(before);
    });

    it("a body that is not JSON", async () => {
      const res = await saml("put").set("Content-Type", "text/plain").send("metadata").expect(400);
      expect(res.body.error).toBe("invalid_body");
    });
  });

  it("requires the operator token and an existing organization", async () => {
    await supertest(server.app).put(`/admin/v1/orgs/${org.id}/saml`).send(manual()).expect(401);
    await supertest(server.app).get(`/admin/v1/orgs/${org.id}/saml`).expect(401);
    await server.admin("get", "/orgs/01960000-0000-7000-8000-000000000000/saml").expect(404);
    await server.admin("put", "/orgs/not-an-id/saml").send(manual()).expect(404);
  });

  it("DELETE switches sign-in off and is audited; a second DELETE is 404", async () => {
    await saml("put").send(manual()).expect(200);
    await saml("delete").expect(204);
    expect((await saml("get").expect(200)).body.enabled).toBe(false);
    const [disabled] = await auditEvents(server, org.id, "saml.disabled");
    expect(disabled).toMatchObject({ actor: { kind: "operator" }, target: { type: "saml", label: idp.entityId } });
    await saml("delete").expect(404);
    await supertest(server.app).get(`/sso/${org.id}/login`).expect(404);
  });
});
