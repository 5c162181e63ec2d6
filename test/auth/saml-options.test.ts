// The pinned node-saml options: each value, what node-saml makes of them
// (its defaults are permissive and must never show through), and the
// database-backed InResponseTo cache shared by separate SAML instances.
import { inflateRawSync } from "node:zlib";
import { SAML, ValidateInResponseTo } from "@node-saml/passport-saml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbRequestCache } from "../../server/auth/db-request-cache.ts";
import { pinnedSamlOptions } from "../../server/auth/saml-options.ts";
import { selfSignedCertificate } from "../support/self-signed-cert.ts";
import { ENGINES } from "../support/engines.ts";
import { startTestServer, type TestOrg, type TestServer } from "../support/server.ts";

const cert = selfSignedCertificate({ commonName: "options.idp.test" });
const sp = { entityId: "https://sp.test/sso/org-a", acsUrl: "https://sp.test/sso/org-a/acs" };
const idp = { entityId: "https://idp.test/entity", ssoUrl: "https://idp.test/sso", certificates: [cert.certificatePem] };

describe.each(ENGINES)("pinned SAML options on %s", (engine) => {
  let server: TestServer;
  let orgA: TestOrg;
  let orgB: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    orgA = await server.newOrg("A", { domain: "a-options.com" });
    orgB = await server.newOrg("B", { domain: "b-options.com" });
  });
  afterAll(() => server.close());

  const optionsFor = (orgId: string, overrides: { allowIdpInitiated?: boolean; clockSkewSeconds?: number } = {}) =>
    pinnedSamlOptions({
      sp,
      idp,
      clockSkewSeconds: overrides.clockSkewSeconds ?? 120,
      allowIdpInitiated: overrides.allowIdpInitiated ?? false,
      cacheProvider: dbRequestCache(server.database.db, orgId),
    });

  it("pins every security-relevant value", () => {
    const o = optionsFor(orgA.id);
    expect(o).toMatchObject({
      issuer: sp.entityId,
      audience: sp.entityId,
      callbackUrl: sp.acsUrl,
      entryPoint: idp.ssoUrl,
      idpIssuer: idp.entityId,
      idpCert: [cert.certificatePem],
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      signatureAlgorithm: "sha256",
      digestAlgorithm: "sha256",
      acceptedClockSkewMs: 120_000,
      maxAssertionAgeMs: 0,
      validateInResponseTo: "always",
      requestIdExpirationPeriodMs: 30 * 60_000,
      authnRequestBinding: "HTTP-Redirect",
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      disableRequestAcsUrl: false,
      skipRequestCompression: false,
      forceAuthn: false,
      passive: false,
      signMetadata: false,
    });
    for (const absent of ["privateKey", "publicCert", "decryptionPvk"]) expect(o).not.toHaveProperty(absent);
    expect(optionsFor(orgA.id, { allowIdpInitiated: true }).validateInResponseTo).toBe(ValidateInResponseTo.ifPresent);
    expect(optionsFor(orgA.id, { clockSkewSeconds: 600 }).acceptedClockSkewMs).toBe(600_000);
    expect(optionsFor(orgA.id, { clockSkewSeconds: 0 }).acceptedClockSkewMs).toBe(0);
  });

  it("leaves no node-saml default in force: every option node-saml fills in is one we set", () => {
    const defaults = new SAML({ callbackUrl: sp.acsUrl, issuer: sp.entityId, idpCert: cert.certificatePem }).options;
    const pinned = optionsFor(orgA.id);
    const unpinned = Object.keys(defaults).filter((k) => !(k in pinned));
    expect(unpinned).toEqual([]);
    const effective = new SAML(pinned).options;
    for (const [key, value] of Object.entries(pinned)) expect(effective[key as keyof typeof effective], key).toEqual(value);
    // The permissive defaults, for the record: what pinning changed.
    expect(defaults).toMatchObject({ validateInResponseTo: "never", signatureAlgorithm: "sha1", acceptedClockSkewMs: 0, wantAuthnResponseSigned: true });
  });

  it("the database cache lets one SAML instance validate the request id another one issued, per organization only", async () => {
    const issuing = new SAML(optionsFor(orgA.id));
    const url = new URL(await issuing.getAuthorizeUrlAsync("/", undefined, {}));
    expect(url.origin + url.pathname).toBe(idp.ssoUrl);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get("SAMLRequest")!, "base64")).toString();
    const id = /ID="([^"]+)"/.exec(xml)![1]!;

    // A separate instance, as in another request or another server process.
    await expect(dbRequestCache(server.database.db, orgA.id).getAsync(id)).resolves.toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect(dbRequestCache(server.database.db, orgB.id).getAsync(id)).resolves.toBeNull();
    // node-saml's remove after validation does not consume it: the sign-in does, atomically.
    await dbRequestCache(server.database.db, orgA.id).removeAsync(id);
    await expect(dbRequestCache(server.database.db, orgA.id).getAsync(id)).resolves.not.toBeNull();
  });
});
