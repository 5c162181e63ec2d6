// The console's sessions over real HTTP: an organization admin signed in through a
// real SAML flow, the operator's ADMIN_TOKEN sign-in (cookie, expiry, rotation,
// sign-out, guessing), GET/DELETE /admin/v1/session, and CSRF on every change
// made with a cookie (token and Origin).
import { pino } from "pino";
import { sql } from "kysely";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { listAudit } from "../../server/domain/audit.ts";
import { authnRequestOf } from "../support/saml-idp.ts";
import { ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, PUBLIC_URL, startTestServer, type TestServer } from "../support/server.ts";
import { me, postToAcs, provision, type SamlOrg, samlOrg, sessionCookieOf } from "../auth/saml-helpers.ts";
import { type ConsoleSession, signedIn } from "./console-session.ts";

const setCookies = (res: supertest.Response): string[] => ([] as string[]).concat(res.headers["set-cookie"] ?? []);
const operatorCookieOf = (res: supertest.Response): string => {
  const cookie = setCookies(res).find((c) => c.startsWith("sg_operator="));
  expect(cookie, "an sg_operator cookie").toBeDefined();
  return cookie!.split(";")[0]!;
};

describe.each(ENGINES)("admin console sessions on %s", (engine) => {
  let server: TestServer;
  let acme: SamlOrg;
  const api = () => supertest(server.app);

  beforeAll(async () => {
    server = await startTestServer(engine);
    acme = await samlOrg(server, "acme.com");
  });
  afterAll(() => server.close());

  async function operatorSignIn(): Promise<{ cookie: string; csrf: string; res: supertest.Response }> {
    const res = await api().post("/admin/v1/session/operator").send({ token: ADMIN_TOKEN }).expect(200);
    return { cookie: operatorCookieOf(res), csrf: res.body.csrfToken as string, res };
  }

  describe("an organization admin signed in with SAML", () => {
    it("signs in from /sso/login?email=…&returnTo=/admin/, lands on /admin/, and gets an admin session", async () => {
      const userId = await provision(acme.org, "ada@acme.com");
      await server.admin("put", `/orgs/${acme.org.id}/users/${userId}/roles`).send({ orgRole: "admin" }).expect(200);

      const login = await api().get("/sso/login").query({ email: "ada@acme.com", returnTo: "/admin/" }).expect(302);
      const request = authnRequestOf(login.headers.location!);
      expect(request.relayState).toBe("/admin/");
      const xml = acme.idp.response(acme.sp, { nameId: "ada@acme.com", inResponseTo: request.id });
      const acs = await postToAcs(server, acme.org.id, xml, request.relayState!).expect(303);
      expect(acs.headers.location).toBe("/admin/");
      const cookie = sessionCookieOf(acs);

      const who = await api().get("/admin/v1/session").set("Cookie", cookie).expect(200);
      expect(who.headers["cache-control"]).toBe("no-store");
      expect(who.body).toEqual({
        kind: "admin",
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        user: { id: userId, userName: "ada@acme.com" },
        organization: { id: acme.org.id, name: "acme.com" },
        access: "read-write",
        permissions: ["users", "roles", "groups", "products", "domains", "sso", "provisioning", "import"],
        role: "admin",
        groupScope: null,
      });
      // The same session, the same token; it works for a change.
      const again = await api().get("/admin/v1/session").set("Cookie", cookie).expect(200);
      expect(again.body.csrfToken).toBe(who.body.csrfToken);
      const target = await provision(acme.org, "target@acme.com");
      await api()
        .post(`/admin/v1/orgs/${acme.org.id}/users/${target}/suspend`)
        .set("Cookie", cookie)
        .set("X-CSRF-Token", who.body.csrfToken)
        .expect(200);

      // DELETE /session signs the SAML session out: /me and the admin API refuse the cookie afterwards.
      const out = await api().delete("/admin/v1/session").set("Cookie", cookie).set("X-CSRF-Token", who.body.csrfToken).expect(204);
      expect(setCookies(out).join()).toMatch(/sg_session=;.*Expires=Thu, 01 Jan 1970/);
      await me(server, cookie).expect(401);
      const after = await api().get("/admin/v1/session").set("Cookie", cookie).expect(401);
      expect(after.body.error).toBe("unauthenticated");
      const [signout] = (await listAudit(server.database.db, acme.org.id, { action: "signout", limit: 5 })).events;
      expect(signout?.target.id).toBe(userId);
    });

    it("the SSO page's test sign-in: /sso/<org>/login?returnTo=/admin/sso-test returns there, and /me shows who signed in", async () => {
      await provision(acme.org, "tess@acme.com");
      const login = await api().get(`/sso/${acme.org.id}/login`).query({ returnTo: "/admin/sso-test" }).expect(302);
      const request = authnRequestOf(login.headers.location!);
      expect(request.relayState).toBe("/admin/sso-test");
      const acs = await postToAcs(server, acme.org.id, acme.idp.response(acme.sp, { nameId: "tess@acme.com", inResponseTo: request.id }), request.relayState!).expect(303);
      expect(acs.headers.location).toBe("/admin/sso-test");
      const who = await me(server, sessionCookieOf(acs)).expect(200);
      expect(who.body.userName).toBe("tess@acme.com");
      // Not an administrator: the admin API refuses that session.
      const refused = await api().get("/admin/v1/session").set("Cookie", sessionCookieOf(acs)).expect(403);
      expect(refused.body.error).toBe("not_an_admin");
    });
  });

  describe("GET /admin/v1/session", () => {
    it("is 401 unauthenticated without a session, and with an unknown or ended one (clearing the cookie)", async () => {
      const none = await api().get("/admin/v1/session").expect(401);
      expect(none.body).toEqual({ error: "unauthenticated", message: expect.any(String) });
      const unknown = await api().get("/admin/v1/session").set("Cookie", "sg_session=sgs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").expect(401);
      expect(unknown.body.error).toBe("unauthenticated");
      expect(setCookies(unknown).join()).toMatch(/sg_session=;/);
      const routes = await api().get(`/admin/v1/orgs/${acme.org.id}/users`).set("Cookie", "sg_operator=sgo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").expect(401);
      expect(routes.body.error).toBe("unauthenticated");
      expect(setCookies(routes).join()).toMatch(/sg_operator=;/);
    });

    it("with the Bearer token answers the operator, without a CSRF token", async () => {
      const res = await server.admin("get", "/session").expect(200);
      expect(res.body).toMatchObject({ kind: "operator", csrfToken: null, user: null, organization: null, access: "read-write" });
    });
  });

  describe("operator sign-in", () => {
    it("sets an HttpOnly, SameSite=Strict, Secure cookie on /admin, and stores only its hash", async () => {
      const { cookie, res } = await operatorSignIn();
      const header = setCookies(res).find((c) => c.startsWith("sg_operator="))!;
      expect(header).toMatch(/^sg_operator=sgo_[A-Za-z0-9_-]{43}; /);
      expect(header).toMatch(/; Path=\/admin(;|$)/);
      expect(header).toMatch(/; HttpOnly/);
      expect(header).toMatch(/; SameSite=Strict/);
      expect(header).toMatch(/; Secure/);
      expect(header).toMatch(/; Expires=/);
      expect(res.body).toEqual({
        kind: "operator",
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        user: null,
        organization: null,
        access: "read-write",
        permissions: ["users", "roles", "groups", "products", "domains", "sso", "provisioning", "import"],
        role: "operator",
        groupScope: null,
      });
      const secret = cookie.split("=")[1]!;
      const rows = await server.database.db.selectFrom("operator_sessions").select(["id_hash", "token_binding"]).execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash) && !r.id_hash.includes(secret))).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(ADMIN_TOKEN);
    });

    it("the session reaches every organization and its writes are the operator's", async () => {
      const { cookie, csrf } = await operatorSignIn();
      const who = await api().get("/admin/v1/session").set("Cookie", cookie).expect(200);
      expect(who.body.csrfToken).toBe(csrf);
      const orgs = await api().get("/admin/v1/orgs").set("Cookie", cookie).expect(200);
      expect(orgs.body.orgs.map((o: { id: string }) => o.id)).toContain(acme.org.id);
      const created = await api().post("/admin/v1/orgs").set("Cookie", cookie).set("X-CSRF-Token", csrf).send({ name: "Made In Console" }).expect(201);
      await api().put(`/admin/v1/orgs/${created.body.id}/products/meeting`).set("Cookie", cookie).set("X-CSRF-Token", csrf).send({ seats: 4 }).expect(200);
      const [event] = (await listAudit(server.database.db, created.body.id, { action: "product.", limit: 5 })).events;
      expect(event?.actor).toEqual({ kind: "operator", id: null, label: null });
    });

    it("a wrong token is 401 with the same answer whatever it is, and no cookie", async () => {
      const answers = [];
      for (const token of ["nope", `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1)]) {
        const res = await api().post("/admin/v1/session/operator").send({ token }).expect(401);
        expect(setCookies(res).some((c) => c.startsWith("sg_operator="))).toBe(false);
        answers.push(res.body);
      }
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(answers[0]).toEqual({ error: "unauthorized", message: expect.any(String) });
      await api().post("/admin/v1/session/operator").send({}).expect(400);
      await api().post("/admin/v1/session/operator").set("Origin", "https://evil.test").send({ token: ADMIN_TOKEN }).expect(403);
    });

    it("after 10 wrong tokens from one address, even the right one is refused with 429 for a while, by every process", async () => {
      // Two apps on one database stand for two server processes; behind a trusted
      // proxy, so the test can speak from addresses of its own.
      const process = () =>
        createApp({
          config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN, trustProxy: ["loopback"] },
          database: server.database,
          logger: pino({ level: "silent" }),
        });
      const [first, second] = [process(), process()];
      const signIn = (app: typeof first, from: string, token: string) =>
        supertest(app).post("/admin/v1/session/operator").set("X-Forwarded-For", from).send({ token });
      // Wrong guesses spread over both processes count against one budget.
      for (let i = 0; i < 10; i++) await signIn(i % 2 ? first : second, "203.0.113.7", `guess-${i}`).expect(401);
      for (const app of [first, second]) {
        const res = await signIn(app, "203.0.113.7", ADMIN_TOKEN).expect(429);
        expect(res.body.error).toBe("rate_limited");
        expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      }
      // Another address is not held back, and a right token does not count as a failure.
      for (let i = 0; i < 12; i++) await signIn(first, "203.0.113.8", ADMIN_TOKEN).expect(200);
    });

    it("ends at its absolute expiry and after an hour idle", async () => {
      const absolute = await operatorSignIn();
      const idle = await operatorSignIn();
      const db = server.database.db;
      const { hashSecret } = await import("../../server/lib/secrets.ts");
      const hashOf = (cookie: string) => hashSecret(cookie.split("=")[1]!);
      await db.updateTable("operator_sessions").set({ expires_at: sql<Date>`now() - interval '1 second'` }).where("id_hash", "=", hashOf(absolute.cookie)).execute();
      await db.updateTable("operator_sessions").set({ last_seen_at: sql<Date>`now() - interval '61 minutes'` }).where("id_hash", "=", hashOf(idle.cookie)).execute();
      for (const s of [absolute, idle]) {
        const res = await api().get("/admin/v1/session").set("Cookie", s.cookie).expect(401);
        expect(res.body.error).toBe("unauthenticated");
        expect(setCookies(res).join()).toMatch(/sg_operator=;.*Path=\/admin/);
      }
    });

    it("ends when ADMIN_TOKEN changes or is unset", async () => {
      const { cookie } = await operatorSignIn();
      const rotated = createApp({ config: { publicUrl: PUBLIC_URL, adminToken: "a-brand-new-admin-token-42" }, database: server.database, logger: pino({ level: "silent" }) });
      await supertest(rotated).get("/admin/v1/session").set("Cookie", cookie).expect(401);
      const disabled = createApp({ config: { publicUrl: PUBLIC_URL, adminToken: undefined }, database: server.database, logger: pino({ level: "silent" }) });
      await supertest(disabled).get("/admin/v1/session").set("Cookie", cookie).expect(401);
      await api().get("/admin/v1/session").set("Cookie", cookie).expect(200);
    });

    it("DELETE /admin/v1/session signs out: 204, cookie cleared, row gone, cookie refused afterwards", async () => {
      const { cookie, csrf } = await operatorSignIn();
      await api().delete("/admin/v1/session").set("Cookie", cookie).expect(403); // no CSRF token
      const out = await api().delete("/admin/v1/session").set("Cookie", cookie).set("X-CSRF-Token", csrf).expect(204);
      expect(setCookies(out).join()).toMatch(/sg_operator=;.*Path=\/admin.*Expires=Thu, 01 Jan 1970/);
      const { hashSecret } = await import("../../server/lib/secrets.ts");
      const row = await server.database.db.selectFrom("operator_sessions").select("id_hash").where("id_hash", "=", hashSecret(cookie.split("=")[1]!)).executeTakeFirst();
      expect(row).toBeUndefined();
      await api().get("/admin/v1/session").set("Cookie", cookie).expect(401);
      await api().get("/admin/v1/orgs").set("Cookie", cookie).expect(401);
    });
  });

  describe("CSRF", () => {
    let admin: ConsoleSession;
    let userId: string;

    beforeAll(async () => {
      admin = await signedIn(server, acme.org, "csrf-admin", { adminRole: "administrator" });
      userId = await provision(acme.org, "csrf-target@acme.com");
    });

    const suspend = (cookie: string) => api().post(`/admin/v1/orgs/${acme.org.id}/users/${userId}/suspend`).set("Cookie", cookie);
    const activeNow = async () => (await server.admin("get", `/orgs/${acme.org.id}/users/${userId}`).expect(200)).body.active as boolean;

    it("refuses a cookie-authenticated change without the token, or with a wrong one, and changes nothing", async () => {
      for (const call of [
        suspend(admin.cookie),
        suspend(admin.cookie).set("X-CSRF-Token", ""),
        suspend(admin.cookie).set("X-CSRF-Token", `${admin.csrf}x`),
        suspend(admin.cookie).set("X-CSRF-Token", "A".repeat(43)),
      ]) {
        const res = await call.expect(403);
        expect(res.body).toEqual({ error: "csrf", message: expect.stringContaining("X-CSRF-Token") });
      }
      expect(await activeNow()).toBe(true);
    });

    it("refuses another session's token", async () => {
      const other = await signedIn(server, acme.org, "csrf-other", { adminRole: "administrator" });
      expect(other.csrf).not.toBe(admin.csrf);
      await suspend(admin.cookie).set("X-CSRF-Token", other.csrf!).expect(403);
      const { csrf: operatorCsrf } = await operatorSignIn();
      await suspend(admin.cookie).set("X-CSRF-Token", operatorCsrf).expect(403);
      expect(await activeNow()).toBe(true);
    });

    it("refuses a change whose Origin is another site, even with the right token", async () => {
      for (const origin of ["https://evil.test", "null", "http://scim.test", "https://scim.test:8443"]) {
        const res = await suspend(admin.cookie).set("X-CSRF-Token", admin.csrf!).set("Origin", origin).expect(403);
        expect(res.body.error).toBe("csrf");
      }
      const { cookie, csrf } = await operatorSignIn();
      await api().post("/admin/v1/orgs").set("Cookie", cookie).set("X-CSRF-Token", csrf).set("Origin", "https://evil.test").send({ name: "X" }).expect(403);
      expect(await activeNow()).toBe(true);
    });

    it("accepts the right token, with our own Origin or none", async () => {
      await suspend(admin.cookie).set("X-CSRF-Token", admin.csrf!).set("Origin", PUBLIC_URL).expect(200);
      await api().post(`/admin/v1/orgs/${acme.org.id}/users/${userId}/restore`).set("Cookie", admin.cookie).set("X-CSRF-Token", admin.csrf!).expect(200);
      expect(await activeNow()).toBe(true);
    });

    it("needs nothing for reads, and nothing for Bearer calls", async () => {
      await api().get(`/admin/v1/orgs/${acme.org.id}/users`).set("Cookie", admin.cookie).set("Origin", "https://evil.test").expect(200);
      await server.admin("post", `/orgs/${acme.org.id}/users/${userId}/suspend`).set("Origin", "https://evil.test").expect(200);
      await server.admin("post", `/orgs/${acme.org.id}/users/${userId}/restore`).expect(200);
    });
  });
});
