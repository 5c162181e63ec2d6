// Shared steps of the SAML tests: an organization with a verified domain and
// a configured test IdP, SCIM-provisioned users, the login redirect, the
// POST to the ACS, the session cookie and the audit trail. Everything goes
// over HTTP to a real app on a real database.
import supertest from "supertest";
import { expect } from "vitest";
import { listAudit } from "../../server/domain/audit.ts";
import { authnRequestOf, createTestIdp, encodeResponse, type SpEndpoints, type TestIdp } from "../support/saml-idp.ts";
import { PUBLIC_URL, type TestOrg, type TestServer, userBody } from "../support/server.ts";

export interface SamlOrg {
  org: TestOrg;
  idp: TestIdp;
  sp: SpEndpoints & { metadataUrl: string };
}

export function spOf(orgId: string): SamlOrg["sp"] {
  const entityId = `${PUBLIC_URL}/sso/${orgId}`;
  return { entityId, acsUrl: `${entityId}/acs`, metadataUrl: `${entityId}/metadata` };
}

/** An organization owning `domain` (verified), with `idp` configured for SAML sign-in. */
export async function samlOrg(
  server: TestServer,
  domain: string,
  options: { idp?: TestIdp; settings?: Record<string, unknown> } = {},
): Promise<SamlOrg> {
  const org = await server.newOrg(domain, { domain });
  const idp = options.idp ?? createTestIdp(domain.replace(/\./g, "-"));
  await server
    .admin("put", `/orgs/${org.id}/saml`)
    .send({ entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.key.certificatePem], ...options.settings })
    .expect(200);
  return { org, idp, sp: spOf(org.id) };
}

/** Provisions a user over SCIM, as an identity provider would. */
export async function provision(org: TestOrg, email: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await org.scim("post", "/Users").send(userBody(email, extra)).expect(201);
  return res.body.id as string;
}

/** GET /sso/{org}/login: the AuthnRequest id our redirect carries. */
export async function loginRequestId(server: TestServer, orgId: string, returnTo?: string): Promise<string> {
  const res = await supertest(server.app)
    .get(`/sso/${orgId}/login`)
    .query(returnTo === undefined ? {} : { returnTo })
    .expect(302);
  return authnRequestOf(res.headers.location!).id;
}

export function postToAcs(server: TestServer, orgId: string, xml: string, relayState?: string): supertest.Test {
  return supertest(server.app)
    .post(`/sso/${orgId}/acs`)
    .type("form")
    .send({ SAMLResponse: encodeResponse(xml), ...(relayState === undefined ? {} : { RelayState: relayState }) });
}

/** The `sg_session=…` pair of a response's Set-Cookie, for the Cookie header of the next request. */
export function sessionCookieOf(res: supertest.Response): string {
  const cookies = ([] as string[]).concat(res.headers["set-cookie"] ?? []);
  const cookie = cookies.find((c) => c.startsWith("sg_session="));
  expect(cookie, "a sg_session cookie").toBeDefined();
  return cookie!.split(";")[0]!;
}

export function me(server: TestServer, cookie: string): supertest.Test {
  return supertest(server.app).get("/me").set("Cookie", cookie);
}

/** A complete SP-initiated sign-in of `email`; returns the session cookie. */
export async function signInAs(server: TestServer, s: SamlOrg, email: string): Promise<string> {
  const id = await loginRequestId(server, s.org.id);
  const res = await postToAcs(server, s.org.id, s.idp.response(s.sp, { nameId: email, inResponseTo: id })).expect(303);
  return sessionCookieOf(res);
}

export async function auditEvents(server: TestServer, orgId: string, action: string) {
  const { events } = await listAudit(server.database.db, orgId, { action, limit: 100 });
  return events;
}

/** Asserts the refusal answer and that the newest signin.refused event carries this reason and reference. */
export async function expectRefused(server: TestServer, orgId: string, res: supertest.Response, reason: string): Promise<void> {
  expect(res.body).toMatchObject({ error: "signin_refused", reason });
  expect(res.headers["set-cookie"] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^sg_session=[^;]/)]));
  const [latest] = await auditEvents(server, orgId, "signin.refused");
  expect(latest?.details).toMatchObject({ reason, reference: res.body.reference, method: "saml" });
}
