// Verified email domains over HTTP: a real app, a real database (PGlite, and
// PostgreSQL when TEST_DATABASE_URL is set) and a real DNS server on the loopback.
import { randomUUID } from "node:crypto";
import express from "express";
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../server/domain/actor.ts";
import { listAudit } from "../../server/domain/audit.ts";
import { createOrg } from "../../server/domain/orgs.ts";
import { domainsRouter } from "../../server/http/domains-routes.ts";
import { httpErrorHandler } from "../../server/http/error-map.ts";
import { createTxtResolver } from "../../server/lib/dns-txt.ts";
import { uuidv7 } from "../../server/lib/ids.ts";
import type { DatabaseHandle } from "../../server/storage/database.ts";
import { startDnsServer, type TestDnsServer } from "../support/dns-server.ts";
import { ENGINES, openTestDatabase } from "../support/engines.ts";

const TXT_VALUE = /^scim-gate-verification=[A-Za-z0-9_-]{43}$/;

describe.each(ENGINES)("domains API on %s", (engine) => {
  let database: DatabaseHandle;
  let dns: TestDnsServer;
  /** Who the next request acts as; the lead's auth middleware sets this in the real app. */
  let actor: Actor = { kind: "operator" };
  let api: ReturnType<typeof supertest>;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    dns = await startDnsServer();
    const app = express()
      .use(express.json())
      .use((_req, res, next) => {
        res.locals.actor = actor;
        next();
      })
      .use(
        "/admin/v1/orgs/:org/domains",
        domainsRouter({ db: database.db, resolveTxt: createTxtResolver([dns.address], { timeoutMs: 500, tries: 1 }) }),
      )
      .use(httpErrorHandler(pino({ level: "silent" })));
    api = supertest(app);
  });
  afterAll(async () => {
    await dns?.stop();
    await database?.close();
  });

  const newOrg = async (name = "Acme") => (await createOrg(database.db, name)).id;
  /** Domains are global (verified by one org on the whole server): each test uses its own. */
  const uniqueDomain = (label = "acme") => `${label}-${randomUUID().slice(0, 8)}.test`;
  const path = (org: string, rest = "") => `/admin/v1/orgs/${org}/domains${rest}`;
  const add = (org: string, body: Record<string, unknown>) => api.post(path(org)).send(body);
  const verify = (org: string, name: string) => api.post(path(org, `/${name}/verify`));
  const publish = (txt: { name: string; value: string }) => dns.addTxt(txt.name, txt.value);
  const addVerified = async (org: string, name: string) => {
    const res = await add(org, { name, verified: true }).expect(201);
    return res.body as { name: string; txt: { name: string; value: string } };
  };
  const asOperator = () => {
    actor = { kind: "operator" };
  };

  describe("adding a domain", () => {
    it("answers 201 pending with the TXT record to publish", async () => {
      const org = await newOrg();
      const name = uniqueDomain();
      const res = await add(org, { name }).expect(201);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        name,
        status: "pending",
        txt: { name: `_scim-gate-challenge.${name}`, value: expect.stringMatching(TXT_VALUE) },
        createdAt: expect.any(String),
        verifiedAt: null,
      });
    });

    it("normalises the name: trimmed, lower-case, trailing dot removed, IDN in punycode", async () => {
      const org = await newOrg();
      const base = uniqueDomain();
      await add(org, { name: `  ${base.toUpperCase()}. ` }).expect(201).expect((r) => expect(r.body.name).toBe(base));
      const idn = `bücher-${randomUUID().slice(0, 8)}.de`;
      const res = await add(org, { name: idn }).expect(201);
      expect(res.body.name).toMatch(/^xn--bcher-.*-[a-z0-9]+\.de$/);
    });

    it("gives each claim its own token", async () => {
      const name = uniqueDomain();
      const a = await add(await newOrg(), { name }).expect(201);
      const b = await add(await newOrg(), { name }).expect(201);
      expect(a.body.txt.value).not.toBe(b.body.txt.value);
    });

    it("answers 409 when the organization already has the domain", async () => {
      const org = await newOrg();
      const name = uniqueDomain();
      await add(org, { name }).expect(201);
      const res = await add(org, { name: name.toUpperCase() }).expect(409);
      expect(res.body).toEqual({ error: "conflict", message: `domain ${name} has already been added to this organization` });
    });

    it.each([
      ["", /must be a domain name/],
      ["localhost", /at least one dot/],
      ["*.acme.com", /wildcard/],
      ["10.0.0.1", /IP address/],
      ["127.1", /IP address/],
      ["[::1]", /IP address/],
      ["alice@acme.com", /email address/],
      ["https://acme.com/", /not a host name/],
      ["acme_corp.com", /invalid label "acme_corp"/],
      ["-acme.com", /invalid label "-acme"/],
      ["acme..com", /not a valid domain name|invalid label/],
      ["acme.123", /top-level domain/],
      [`${"a".repeat(64)}.com`, /longer than 63/],
      [`${"abcdefghi.".repeat(24)}com`, /longer than 232 characters/],
    ])("refuses %j with 400", async (name, message) => {
      const res = await add(await newOrg(), { name }).expect(400);
      expect(res.body.error).toBe("invalid_value");
      expect(res.body.message).toMatch(message);
    });

    it("refuses a body that is not an object, and a non-boolean verified, with 400", async () => {
      const org = await newOrg();
      await api.post(path(org)).set("content-type", "application/json").send("[]").expect(400);
      const res = await add(org, { name: uniqueDomain(), verified: "yes" }).expect(400);
      expect(res.body.message).toMatch(/"verified" must be true or false/);
    });

    it("answers 404 for an unknown organization", async () => {
      await add(randomUUID(), { name: uniqueDomain() }).expect(404);
      await add("not-a-uuid", { name: uniqueDomain() }).expect(404);
    });
  });

  describe("verifying a domain", () => {
    it("verifies when the TXT record is published on the DNS server", async () => {
      const org = await newOrg();
      const added = (await add(org, { name: uniqueDomain() }).expect(201)).body;
      publish(added.txt);
      const res = await verify(org, added.name).expect(200);
      expect(res.body).toMatchObject({ name: added.name, status: "verified", txt: added.txt, verifiedAt: expect.any(String) });
      await api.get(path(org, `/${added.name}`)).expect(200).expect((r) => expect(r.body.status).toBe("verified"));
      const audit = await listAudit(database.db, org, { action: "domain.", limit: 10 });
      // Sorted: two events in one millisecond have uuidv7 ids in no particular order.
      expect(audit.events.map((e) => [e.action, e.details]).sort()).toEqual([
        ["domain.added", { status: "pending" }],
        ["domain.verified", { method: "dns-txt", record: added.txt.name }],
      ]);
    });

    it("finds the value among other TXT records and in a record split into several strings", async () => {
      const org = await newOrg();
      const added = (await add(org, { name: uniqueDomain() }).expect(201)).body;
      const value = added.txt.value as string;
      dns.setTxt(added.txt.name, ["v=spf1 -all", [value.slice(0, 10), value.slice(10)]]);
      await verify(org, added.name).expect(200);
    });

    it("answers 422 saying that no TXT record exists, and what to publish", async () => {
      const org = await newOrg();
      const added = (await add(org, { name: uniqueDomain() }).expect(201)).body;
      const res = await verify(org, added.name).expect(422);
      expect(res.body.error).toBe("verification_failed");
      expect(res.body.message).toContain(`no TXT record exists at ${added.txt.name}`);
      expect(res.body.message).toContain(`publish a TXT record at ${added.txt.name} with the value "${added.txt.value}"`);
      await api.get(path(org, `/${added.name}`)).expect(200).expect((r) => expect(r.body.status).toBe("pending"));
    });

    it("answers 422 naming the TXT values it found instead", async () => {
      const org = await newOrg();
      const added = (await add(org, { name: uniqueDomain() }).expect(201)).body;
      dns.setTxt(added.txt.name, ["scim-gate-verification=stale-token", "hello"]);
      const res = await verify(org, added.name).expect(422);
      expect(res.body.message).toMatch(/the TXT records at \S+ are "(scim-gate-verification=stale-token|hello)", "(hello|scim-gate-verification=stale-token)"/);
      expect(res.body.message).toContain(added.txt.value);
    });

    it("answers 503 when the DNS server fails, changing nothing", async () => {
      const org = await newOrg();
      const added = (await add(org, { name: uniqueDomain() }).expect(201)).body;
      dns.failWith(added.txt.name, "SERVFAIL");
      const res = await verify(org, added.name).expect(503);
      expect(res.body).toEqual({ error: "dns_unavailable", message: expect.stringMatching(/SERVFAIL; nothing was changed, try again later$/) });
    });

    it("answers 200 unchanged when the domain is already verified, without asking DNS", async () => {
      const org = await newOrg();
      const added = await addVerified(org, uniqueDomain());
      const before = dns.queries.length;
      await verify(org, added.name).expect(200).expect((r) => expect(r.body.status).toBe("verified"));
      expect(dns.queries.length).toBe(before);
    });

    it("answers 404 for a domain the organization has not added", async () => {
      const org = await newOrg();
      await verify(org, uniqueDomain()).expect(404);
      await verify(org, "not a domain").expect(404);
    });
  });

  describe("verified by the operator", () => {
    it("lets the operator add a domain as verified, audited as such", async () => {
      const org = await newOrg();
      const name = uniqueDomain();
      const res = await add(org, { name, verified: true }).expect(201);
      expect(res.body).toMatchObject({ name, status: "verified", verifiedAt: expect.any(String) });
      const audit = await listAudit(database.db, org, { action: "domain.", limit: 10 });
      expect(audit.events.map((e) => [e.action, e.actor.kind, e.details]).sort()).toEqual([
        ["domain.added", "operator", { status: "verified" }],
        ["domain.verified", "operator", { method: "operator" }],
      ]);
    });

    it("answers 403 to anyone else asking for verified: true", async () => {
      const org = await newOrg();
      actor = { kind: "admin", orgId: org, userId: uuidv7() };
      try {
        const res = await add(org, { name: uniqueDomain(), verified: true }).expect(403);
        expect(res.body).toEqual({ error: "forbidden", message: expect.stringMatching(/only the operator/) });
        // The same caller may claim it the ordinary way.
        await add(org, { name: uniqueDomain() }).expect(201);
      } finally {
        asOperator();
      }
    });

    it("answers 404 to a caller bound to another organization", async () => {
      const org = await newOrg();
      actor = { kind: "admin", orgId: await newOrg(), userId: uuidv7() };
      try {
        await api.get(path(org)).expect(404);
      } finally {
        asOperator();
      }
    });
  });

  describe("one organization per domain", () => {
    it("answers 409 to a second organization adding a verified domain, without naming the first", async () => {
      const name = uniqueDomain();
      await addVerified(await newOrg("First Corp"), name);
      const res = await add(await newOrg(), { name }).expect(409);
      expect(res.body.error).toBe("conflict");
      expect(res.body.message).toMatch(/another organization has verified/);
      expect(res.body.message).not.toContain("First Corp");
    });

    it("answers 409 to the second claimant's verify even when it publishes its own record", async () => {
      const [a, b] = [await newOrg(), await newOrg()];
      const name = uniqueDomain();
      const claimA = (await add(a, { name }).expect(201)).body;
      const claimB = (await add(b, { name }).expect(201)).body;
      publish(claimA.txt);
      publish(claimB.txt);
      await verify(a, name).expect(200);
      const res = await verify(b, name).expect(409);
      expect(res.body.message).toMatch(/another organization has verified/);
      await api.get(path(b, `/${name}`)).expect(200).expect((r) => expect(r.body.status).toBe("pending"));
    });

    it("lets exactly one of two simultaneous verifications win", async () => {
      const [a, b] = [await newOrg(), await newOrg()];
      const name = uniqueDomain();
      for (const org of [a, b]) publish((await add(org, { name }).expect(201)).body.txt);
      const statuses = (await Promise.all([verify(a, name), verify(b, name)])).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409]);
    });

    it("covers subdomains: no other organization may take sub.acme when acme is verified", async () => {
      const parent = uniqueDomain();
      await addVerified(await newOrg(), parent);
      const other = await newOrg();
      await add(other, { name: `sub.${parent}` }).expect(409);
      await add(other, { name: `deep.sub.${parent}`, verified: true }).expect(409);
    });

    it("and the other way: no other organization may take acme when sub.acme is verified", async () => {
      const parent = uniqueDomain();
      await addVerified(await newOrg(), `sub.${parent}`);
      await add(await newOrg(), { name: parent }).expect(409);
    });

    it("re-checks the subdomain rule at verification time", async () => {
      const parent = uniqueDomain();
      const other = await newOrg();
      const claim = (await add(other, { name: parent }).expect(201)).body;
      publish(claim.txt);
      await addVerified(await newOrg(), `sub.${parent}`);
      await verify(other, parent).expect(409);
    });

    it("does not treat a look-alike suffix as a subdomain", async () => {
      const name = uniqueDomain();
      await addVerified(await newOrg(), name);
      await addVerified(await newOrg(), `not${name}`);
    });

    it("lets the same organization add subdomains of its own verified domain", async () => {
      const org = await newOrg();
      const parent = uniqueDomain();
      await addVerified(org, parent);
      await addVerified(org, `sub.${parent}`);
    });
  });

  describe("listing, reading and removing", () => {
    it("lists the organization's domains by name and reads one (case-insensitively)", async () => {
      const org = await newOrg();
      const [x, y] = [uniqueDomain("b"), uniqueDomain("a")];
      await add(org, { name: x }).expect(201);
      await addVerified(org, y);
      const list = await api.get(path(org)).expect(200);
      expect(list.body.domains.map((d: { name: string; status: string }) => [d.name, d.status])).toEqual([
        [y, "verified"],
        [x, "pending"],
      ]);
      await api.get(path(org, `/${x.toUpperCase()}`)).expect(200).expect((r) => expect(r.body.name).toBe(x));
      await api.get(path(await newOrg())).expect(200, { domains: [] });
      await api.get(path(org, `/${uniqueDomain()}`)).expect(404);
    });

    it("removes a domain (204) and audits it; it can then be added again with a new token", async () => {
      const org = await newOrg();
      const name = uniqueDomain();
      const first = (await add(org, { name }).expect(201)).body;
      await api.delete(path(org, `/${name}`)).expect(204);
      await api.get(path(org, `/${name}`)).expect(404);
      await api.delete(path(org, `/${name}`)).expect(404);
      const again = (await add(org, { name }).expect(201)).body;
      expect(again.txt.value).not.toBe(first.txt.value);
      const audit = await listAudit(database.db, org, { action: "domain.removed", limit: 10 });
      expect(audit.events).toEqual([expect.objectContaining({ target: { type: "domain", id: name, label: name }, details: { status: "pending" } })]);
    });

    it("refuses (409, with the count) to remove a domain users still sign in with", async () => {
      const org = await newOrg();
      const name = uniqueDomain();
      await addVerified(org, name);
      await insertUser(org, `alice@${name.toUpperCase()}`, []);
      await insertUser(org, "bob", [{ value: `bob@sub.${name}`, type: "work", primary: false }]);
      await insertUser(org, "carol", [{ value: `carol@${name}`, type: "home", primary: false }]);
      const res = await api.delete(path(org, `/${name}`)).expect(409);
      expect(res.body).toEqual({ error: "conflict", message: expect.stringContaining(`domain ${name} cannot be removed: 2 users have`) });
      await api.get(path(org, `/${name}`)).expect(200);
    });

    it("removes a domain whose users another verified domain of the organization still covers", async () => {
      const org = await newOrg();
      const parent = uniqueDomain();
      await addVerified(org, parent);
      await addVerified(org, `sub.${parent}`);
      await insertUser(org, `dave@sub.${parent}`, []);
      await api.delete(path(org, `/${parent}`)).expect(204);
      const res = await api.delete(path(org, `/sub.${parent}`)).expect(409);
      expect(res.body.message).toContain("1 user has a userName or primary/work email in it");
    });

    it("ignores other organizations' users when counting", async () => {
      const name = uniqueDomain();
      const org = await newOrg();
      await addVerified(org, name);
      await insertUser(await newOrg(), `erin@${name}`, []);
      await api.delete(path(org, `/${name}`)).expect(204);
    });
  });

  /** A user row and its emails straight into the tables, as the users domain would write them. */
  async function insertUser(orgId: string, userName: string, emails: { value: string; type: string; primary: boolean }[]) {
    const id = uuidv7();
    const now = new Date();
    await database.db
      .insertInto("users")
      .values({ org_id: orgId, id, user_name: userName, external_id: null, display_name: null, resource: "{}", password_hash: null, created_at: now, updated_at: now })
      .execute();
    if (emails.length) {
      await database.db
        .insertInto("user_emails")
        .values(emails.map((e, position) => ({ org_id: orgId, user_id: id, position, value: e.value, type: e.type, is_primary: e.primary })))
        .execute();
    }
  }
});
