// No secret reaches the logs or the database in the clear. A real server
// process (server/main.ts, LOG_LEVEL=trace, so every log line any code writes
// is kept) goes through what carries secrets: a SCIM token created and used, a
// wrong token refused, passwords set over SCIM (also in a refused request), a
// SAML sign-in with a signed response, a refused one, /me with the session
// cookie, sign-out. Then neither its whole log output nor any row of any table
// holds one of them; tokens and session ids are there only as SHA-256 hashes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../../server/lib/secrets.ts";
import { openDatabase } from "../../server/storage/database.ts";
import { createThrowawayDatabase, ENGINES } from "../support/engines.ts";
import { authnRequestOf, createTestIdp, encodeResponse } from "../support/saml-idp.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { userBody } from "../support/server.ts";

const ADMIN_TOKEN = "secrets-admin-token-0123456789abcdef";
const DOMAIN = "secrets.example.org";
const PASSWORDS = ["Correct-Horse-Battery-1", "Second-Staple-Password-2", "Refused-Request-Password-3"];
const WRONG_TOKEN = "scim_WrongTokenThatMustNeverBeLogged0123456789abc";

describe.each(ENGINES)("secrets stay out of the logs and the database on %s", (engine) => {
  let proc: ServerProcess;
  let dataDir: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl = "";
  /** Every secret the run handled, by name, for the failure message. */
  const secrets: Record<string, string> = { adminToken: ADMIN_TOKEN, wrongToken: WRONG_TOKEN };
  PASSWORDS.forEach((p, i) => (secrets[`password${i + 1}`] = p));
  let output = "";
  let tables: Record<string, string> = {};

  beforeAll(async () => {
    if (engine === "postgres") {
      ({ url: databaseUrl, drop: dropDatabase } = await createThrowawayDatabase("secrets"));
    } else {
      dataDir = mkdtempSync(join(tmpdir(), "scim-gate-secrets-"));
    }
    proc = await startServerProcess({ databaseUrl, adminToken: ADMIN_TOKEN, env: { LOG_LEVEL: "trace", ...(dataDir ? { DATA_DIR: dataDir } : {}) } });
    try {
      await exercise();
    } finally {
      await proc.stop();
    }
    output = proc.output();
    tables = await dumpTables();
  }, 180_000);

  afterAll(async () => {
    await dropDatabase?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, init: { token?: string; body?: unknown; form?: Record<string, string>; cookie?: string } = {}) {
    const headers: Record<string, string> = {};
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.cookie) headers.Cookie = init.cookie;
    let body: string | undefined;
    if (init.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    } else if (init.body !== undefined) {
      headers["Content-Type"] = path.startsWith("/scim/") ? "application/scim+json" : "application/json";
      body = JSON.stringify(init.body);
    }
    const res = await fetch(`${proc.url}${path}`, { method, headers, body, redirect: "manual" });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text && /json/.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : undefined };
  }

  async function expectStatus(p: Promise<Awaited<ReturnType<typeof call>>>, status: number) {
    const res = await p;
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.json)}\n${proc.output()}`);
    return res;
  }

  async function exercise() {
    const org = (await expectStatus(call("POST", "/admin/v1/orgs", { token: ADMIN_TOKEN, body: { name: "Secrets Inc" } }), 201)).json;
    await expectStatus(call("POST", `/admin/v1/orgs/${org.id}/domains`, { token: ADMIN_TOKEN, body: { name: DOMAIN, verified: true } }), 201);
    const created = (await expectStatus(call("POST", `/admin/v1/orgs/${org.id}/scim-tokens`, { token: ADMIN_TOKEN, body: { label: "idp" } }), 201)).json;
    const token = created.token as string;
    secrets.scimToken = token;

    // SCIM with the token; a wrong token; passwords in a create, a PATCH and a refused create.
    const alice = `alice@${DOMAIN}`;
    const user = (await expectStatus(call("POST", "/scim/v2/Users", { token, body: userBody(alice, { password: PASSWORDS[0] }, DOMAIN) }), 201)).json;
    await expectStatus(call("GET", `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${alice}"`)}`, { token }), 200);
    await expectStatus(
      call("PATCH", `/scim/v2/Users/${user.id}`, {
        token,
        body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "password", value: PASSWORDS[1] }] },
      }),
      200,
    );
    await expectStatus(call("POST", "/scim/v2/Users", { token, body: { ...userBody(`bob@${DOMAIN}`, { password: PASSWORDS[2] }, DOMAIN), active: "perhaps" } }), 400);
    await expectStatus(call("GET", "/scim/v2/Users", { token: WRONG_TOKEN }), 401);

    // SAML: configure the IdP, start a sign-in, post a signed response, use the session, sign out.
    const idp = createTestIdp("secrets");
    await expectStatus(
      call("PUT", `/admin/v1/orgs/${org.id}/saml`, { token: ADMIN_TOKEN, body: { entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.key.certificatePem] } }),
      200,
    );
    const sp = { entityId: `${proc.url}/sso/${org.id}`, acsUrl: `${proc.url}/sso/${org.id}/acs` };
    const login = await expectStatus(call("GET", `/sso/${org.id}/login`), 302);
    const request = authnRequestOf(login.headers.get("location")!);
    const xml = idp.response(sp, { nameId: alice, inResponseTo: request.id });
    const samlResponse = encodeResponse(xml);
    secrets.samlResponse = samlResponse;
    secrets.signatureValue = /<ds:SignatureValue>([^<]+)<\/ds:SignatureValue>/.exec(xml)![1]!.replace(/\s/g, "");
    const signedIn = await expectStatus(call("POST", `/sso/${org.id}/acs`, { form: { SAMLResponse: samlResponse, RelayState: "/" } }), 303);
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith("sg_session="))!.split(";")[0]!;
    secrets.sessionId = cookie.slice("sg_session=".length);
    await expectStatus(call("GET", "/me", { cookie }), 200);
    // The same response again is a replay: refused and audited, with a reference, never the assertion.
    const replayed = await call("POST", `/sso/${org.id}/acs`, { form: { SAMLResponse: samlResponse } });
    expect(replayed.status).toBe(403);
    await expectStatus(call("POST", "/logout", { cookie }), 204);
  }

  /** Every row of every table of the public schema, as text, by table. */
  async function dumpTables(): Promise<Record<string, string>> {
    const handle = await openDatabase(dataDir ? { dataDir } : { databaseUrl, poolSize: 1 });
    try {
      const names = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public' order by 1`.execute(handle.db);
      const out: Record<string, string> = {};
      for (const { name } of names.rows) {
        const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(handle.db);
        out[name] = rows.rows.map((r) => r.row).join("\n");
      }
      return out;
    } finally {
      await handle.close();
    }
  }

  it("ran everything and kept the whole log (nothing cut off at the start)", () => {
    expect(Object.keys(secrets).sort()).toEqual(
      ["adminToken", "password1", "password2", "password3", "samlResponse", "scimToken", "sessionId", "signatureValue", "wrongToken"].sort(),
    );
    // The first lines (migrations at start-up) are still there: the output was not truncated.
    expect(output).toMatch(/"msg":"migration"/);
    expect(output).toMatch(/"msg":"stopped"/);
    // One access-log line per request, the SCIM ones included.
    expect(output.match(/"msg":"request"/g)?.length ?? 0).toBeGreaterThanOrEqual(14);
  });

  it("writes no token, password, SAML response, signature or session id to the log", () => {
    for (const [name, secret] of Object.entries(secrets)) {
      expect(output.includes(secret), `${name} in the log output`).toBe(false);
    }
    // Nor the assertion in any other shape: no SAML XML at all.
    expect(output).not.toMatch(/saml:Assertion|samlp:Response|SignatureValue/);
  });

  it("stores no secret in any table: not in audit_events, not anywhere", () => {
    expect(tables.audit_events?.length ?? 0).toBeGreaterThan(0);
    for (const [table, text] of Object.entries(tables)) {
      for (const [name, secret] of Object.entries(secrets)) {
        expect(text.includes(secret), `${name} in table ${table}`).toBe(false);
      }
      expect(text, `SAML XML in table ${table}`).not.toMatch(/saml:Assertion|samlp:Response|SignatureValue/);
    }
  });

  it("keeps SCIM tokens and session ids only as SHA-256 hashes, passwords only as scrypt hashes", () => {
    expect(tables.scim_tokens).toContain(hashSecret(secrets.scimToken!));
    // The session ended at sign-out; its row went with it, and no table holds the id.
    expect(tables.sessions ?? "").not.toContain(secrets.sessionId!);
    expect(tables.users).toMatch(/scrypt/);
  });
});
