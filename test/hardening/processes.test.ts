// Two real server processes (server/main.ts) on one PostgreSQL database behind
// one public address, as behind a load balancer that alternates between them:
// SAML sign-in state lives in the database, so a session made on one process
// works on the other and ends on both when signed out on either; the
// AuthnRequest store (InResponseTo) and the one-time assertion store (replay)
// are shared. Token revocation and seats across processes are proved in
// test/scim/seat-race-processes.test.ts. PostgreSQL only: PGlite is in-process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createThrowawayDatabase } from "../support/engines.ts";
import { withoutPostgres } from "../support/postgres-only.ts";
import { callJson, type JsonAnswer } from "../support/http-json.ts";
import { authnRequestOf, createTestIdp, encodeResponse, type SpEndpoints, type TestIdp } from "../support/saml-idp.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { userBody } from "../support/server.ts";

const ADMIN_TOKEN = "procs-admin-token-0123456789abcdef";
const DOMAIN = "procs.example.org";
const ALICE = `alice@${DOMAIN}`;
// Both processes answer for one public address: SAML endpoints (audience, ACS, Destination) are built from it.
const PUBLIC_URL = "https://sso.procs.test";


describe.skipIf(withoutPostgres("test/hardening/processes.test.ts"))("SAML sessions and replay across two server processes on PostgreSQL", () => {
  let drop: () => Promise<void>;
  let a: ServerProcess;
  let b: ServerProcess;
  let orgId: string;
  let aliceId: string;
  let idp: TestIdp;
  let sp: SpEndpoints;

  beforeAll(async () => {
    let databaseUrl: string;
    ({ url: databaseUrl, drop } = await createThrowawayDatabase("procs"));
    const env = { PUBLIC_URL, RATE_LIMIT_TOKEN_PER_MINUTE: "0", RATE_LIMIT_ORG_PER_MINUTE: "0", RATE_LIMIT_SSO_PER_MINUTE: "0" };
    [a, b] = await Promise.all([
      startServerProcess({ databaseUrl, adminToken: ADMIN_TOKEN, env }),
      startServerProcess({ databaseUrl, adminToken: ADMIN_TOKEN, env }),
    ]);
    const admin = async (method: string, path: string, body: unknown, expected: number) => {
      const res = await callJson(`${a.url}/admin/v1${path}`, method, { token: ADMIN_TOKEN, body });
      if (res.status !== expected) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    orgId = (await admin("POST", "/orgs", { name: "Procs Inc" }, 201)).id;
    await admin("POST", `/orgs/${orgId}/domains`, { name: DOMAIN, verified: true }, 201);
    idp = createTestIdp("procs");
    await admin("PUT", `/orgs/${orgId}/saml`, { entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.key.certificatePem] }, 200);
    const { token } = await admin("POST", `/orgs/${orgId}/scim-tokens`, { label: "procs" }, 201);
    const alice = await callJson(`${b.url}/scim/v2/Users`, "POST", { token, body: userBody(ALICE), contentType: "application/scim+json" });
    expect(alice.status).toBe(201);
    aliceId = alice.body.id;
    sp = { entityId: `${PUBLIC_URL}/sso/${orgId}`, acsUrl: `${PUBLIC_URL}/sso/${orgId}/acs` };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
  });

  /** GET /sso/{org}/login on one process: the id of the AuthnRequest it issued. */
  async function login(p: ServerProcess): Promise<string> {
    const res = await callJson(`${p.url}/sso/${orgId}/login`, "GET");
    expect(res.status).toBe(302);
    const request = authnRequestOf(res.headers.get("location")!);
    expect(request.acsUrl).toBe(sp.acsUrl);
    return request.id;
  }

  const acs = (p: ServerProcess, xml: string) =>
    callJson(`${p.url}/sso/${orgId}/acs`, "POST", {
      body: new URLSearchParams({ SAMLResponse: encodeResponse(xml) }).toString(),
      contentType: "application/x-www-form-urlencoded",
    });

  function sessionCookie(res: JsonAnswer): string {
    expect(res.status, JSON.stringify(res.body)).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("sg_session="));
    expect(cookie, "a sg_session cookie").toBeDefined();
    return cookie!.split(";")[0]!;
  }

  const me = (p: ServerProcess, cookie: string) => callJson(`${p.url}/me`, "GET", { cookie });

  it("a session made on process A works on B; signing out on B ends it on A", async () => {
    const cookie = sessionCookie(await acs(a, idp.response(sp, { nameId: ALICE, inResponseTo: await login(a) })));
    for (const p of [b, a, b]) {
      const who = await me(p, cookie);
      expect(who.status).toBe(200);
      expect(who.body).toMatchObject({ id: aliceId, userName: ALICE, organization: { id: orgId } });
    }
    expect((await callJson(`${b.url}/logout`, "POST", { cookie })).status).toBe(204);
    expect((await me(a, cookie)).status).toBe(401);
    expect((await me(b, cookie)).status).toBe(401);
  });

  it("refuses at B, as a replay, a signed response already accepted at A", async () => {
    const xml = idp.response(sp, { nameId: ALICE, inResponseTo: await login(a) });
    const cookie = sessionCookie(await acs(a, xml));
    const replay = await acs(b, xml);
    expect(replay.status).toBe(403);
    expect(replay.body).toMatchObject({ error: "signin_refused", reason: "replayed" });
    expect(replay.headers.getSetCookie().some((c) => /^sg_session=[^;]/.test(c))).toBe(false);
    // The first sign-in is untouched by the refused replay.
    expect((await me(b, cookie)).status).toBe(200);
  });

  it("completes at B a sign-in whose AuthnRequest A issued, and only once", async () => {
    const inResponseTo = await login(a);
    const cookie = sessionCookie(await acs(b, idp.response(sp, { nameId: ALICE, inResponseTo })));
    expect((await me(a, cookie)).body).toMatchObject({ id: aliceId });
    // A second, freshly signed response to the same request, at the other process: that request is used up.
    const second = await acs(a, idp.response(sp, { nameId: ALICE, inResponseTo }));
    expect(second.status).toBe(403);
    expect(second.body).toMatchObject({ reason: "unknown_in_response_to" });
  });

  it("refuses at B an InResponseTo that no process issued", async () => {
    const res = await acs(b, idp.response(sp, { nameId: ALICE, inResponseTo: "_0123456789abcdef0123456789abcdef01234567" }));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ reason: "unknown_in_response_to" });
  });

  it("one response posted to A and B at the same moment signs in exactly once", async () => {
    for (let i = 0; i < 5; i++) {
      const xml = idp.response(sp, { nameId: ALICE, inResponseTo: await login(i % 2 ? a : b) });
      const results = await Promise.all([acs(a, xml), acs(b, xml)]);
      expect(results.map((r) => r.status).sort()).toEqual([303, 403]);
      expect(results.find((r) => r.status === 403)!.body.reason).toMatch(/^(replayed|unknown_in_response_to)$/);
    }
    for (const p of [a, b]) expect(p.output()).not.toMatch(/"level":(50|60)/);
  });
});
