// Verified email domains, enforced through SCIM (server/domain/domains.ts,
// assertAddressesAllowed): sign-in addresses (a userName with "@", primary or
// work emails) must be in a verified domain of the organization or one of its
// subdomains; other emails may be anywhere. A refused write changes nothing:
// no user, no email row, no audit event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { type TestOrg, type TestServer, USER_SCHEMA, patchBody, startTestServer, userBody } from "../support/server.ts";

describe.each(ENGINES)("verified domains over SCIM on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Domains Inc"); // verifies example.com
    other = await server.newOrg("Other Corp", { domain: "other-corp.test" });
  });
  afterAll(async () => {
    await server.close();
  });

  const db = () => server.database.db;

  /** What a refused write must leave untouched: the org's users, email rows and audit trail. */
  async function footprint() {
    const count = async (table: "users" | "user_emails" | "audit_events") =>
      (await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).where("org_id", "=", org.id).executeTakeFirstOrThrow()).n;
    return { users: Number(await count("users")), emails: Number(await count("user_emails")), audit: Number(await count("audit_events")) };
  }

  async function expectRefused(body: Record<string, unknown>, domain: string, field: string) {
    const before = await footprint();
    const res = await org.scim("post", "/Users").send(body).expect(400);
    expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
    expect(res.body.detail).toContain(`${field} `);
    expect(res.body.detail).toContain(`domain ${domain} is not a verified domain of this organization`);
    expect(await footprint()).toEqual(before);
    return res.body.detail as string;
  }

  describe("POST /Users", () => {
    it("refuses a userName outside the verified domains with 400 invalidValue naming the domain, writing nothing", async () => {
      await expectRefused(
        userBody("carol@unverified.test", { emails: [{ value: "carol@example.com", type: "work", primary: true }] }),
        "unverified.test",
        "userName",
      );
    });

    it("refuses a primary email outside the verified domains, whatever its type", async () => {
      await expectRefused(
        userBody("dave", { emails: [{ value: "dave@elsewhere.test", type: "other", primary: true }] }),
        "elsewhere.test",
        "emails[0].value",
      );
    });

    it("refuses a work email outside the verified domains even when it is not primary", async () => {
      await expectRefused(
        userBody("erin", {
          emails: [
            { value: "erin@example.com", type: "home", primary: true },
            { value: "erin@elsewhere.test", type: "work" },
          ],
        }),
        "elsewhere.test",
        "emails[1].value",
      );
    });

    it("refuses a domain another organization has verified, without naming that organization", async () => {
      const detail = await expectRefused(userBody("mallory@other-corp.test"), "other-corp.test", "userName");
      expect(detail).not.toMatch(/Other Corp|another organization/i);
      // The other organization itself provisions it.
      await other.scim("post", "/Users").send(userBody("mallory@other-corp.test")).expect(201);
    });

    it("accepts a home email in any domain next to a sign-in address in a verified one", async () => {
      const res = await org
        .scim("post", "/Users")
        .send(
          userBody("frank", {
            emails: [
              { value: "frank@example.com", type: "work", primary: true },
              { value: "frank.private@gmail.com", type: "home" },
            ],
          }),
        )
        .expect(201);
      expect(res.body.emails).toEqual([
        { value: "frank@example.com", type: "work", primary: true },
        { value: "frank.private@gmail.com", type: "home" },
      ]);
    });

    it("accepts a user whose only email is a home email in any domain (not a sign-in address)", async () => {
      await org.scim("post", "/Users").send(userBody("grace", { emails: [{ value: "grace@hotmail.test", type: "home" }] })).expect(201);
    });

    it("accepts addresses in a subdomain of a verified domain", async () => {
      const res = await org
        .scim("post", "/Users")
        .send(userBody("heidi@eu.example.com", { emails: [{ value: "heidi@mail.eu.example.com", type: "work", primary: true }] }))
        .expect(201);
      expect(res.body.userName).toBe("heidi@eu.example.com");
    });

    it("does not take a look-alike domain for a subdomain (notexample.com is not under example.com)", async () => {
      await expectRefused(userBody("ivan@notexample.com"), "notexample.com", "userName");
    });

    it("stores email domains in lower case, keeps the local part, and matches userName and emails.value case-insensitively", async () => {
      const res = await org
        .scim("post", "/Users")
        .send(userBody("Bob@EXAMPLE.COM", { emails: [{ value: "Bob@EXAMPLE.COM", type: "work", primary: true }] }))
        .expect(201);
      expect(res.body.userName).toBe("Bob@EXAMPLE.COM"); // userName is kept as sent
      expect(res.body.emails).toEqual([{ value: "Bob@example.com", type: "work", primary: true }]);
      const stored = await db().selectFrom("user_emails").select("value").where("org_id", "=", org.id).where("user_id", "=", res.body.id).execute();
      expect(stored).toEqual([{ value: "Bob@example.com" }]);
      const again = await org.scim("get", `/Users/${res.body.id}`).expect(200);
      expect(again.body.emails[0].value).toBe("Bob@example.com");

      for (const filter of ['userName eq "bob@example.com"', 'emails.value eq "BOB@EXAMPLE.COM"', 'emails[type eq "work" and value eq "bob@Example.Com"]']) {
        const found = await org.scim("get", `/Users?filter=${encodeURIComponent(filter)}`).expect(200);
        expect(found.body.totalResults, filter).toBe(1);
        expect(found.body.Resources[0].id, filter).toBe(res.body.id);
      }
      // userName stays unique case-insensitively.
      await org.scim("post", "/Users").send(userBody("bob@example.com")).expect(409);
    });
  });

  describe("PATCH and PUT /Users/{id}", () => {
    it("refuses to move the work email to an unverified domain and leaves the user unchanged", async () => {
      const created = await org.scim("post", "/Users").send(userBody("judy")).expect(201);
      const id = created.body.id as string;
      const before = await footprint();
      const res = await org
        .scim("patch", `/Users/${id}`)
        .send(patchBody({ op: "replace", path: 'emails[type eq "work"].value', value: "judy@unverified.test" }))
        .expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
      expect(res.body.detail).toContain("domain unverified.test is not a verified domain of this organization");
      const after = await org.scim("get", `/Users/${id}`).expect(200);
      expect(after.body.emails).toEqual([{ value: "judy@example.com", type: "work", primary: true }]);
      expect(after.body.meta.version).toBe(created.body.meta.version);
      expect(await footprint()).toEqual(before);
    });

    it("refuses a PUT whose userName leaves the verified domains", async () => {
      const created = await org.scim("post", "/Users").send(userBody("kim@example.com")).expect(201);
      const res = await org
        .scim("put", `/Users/${created.body.id}`)
        .send(userBody("kim@unverified.test", { emails: [{ value: "kim@example.com", type: "work", primary: true }] }))
        .expect(400);
      expect(res.body.detail).toContain("domain unverified.test");
      expect((await org.scim("get", `/Users/${created.body.id}`).expect(200)).body.userName).toBe("kim@example.com");
    });

    it("names a pending (claimed, unverified) domain and how to verify it", async () => {
      await server.admin("post", `/orgs/${org.id}/domains`).send({ name: "pending-claim.test" }).expect(201);
      const res = await org.scim("post", "/Users").send(userBody("leo@pending-claim.test")).expect(400);
      expect(res.body.detail).toContain("domain pending-claim.test is not verified yet in this organization");
      expect(res.body.detail).toContain(`/admin/v1/orgs/${org.id}/domains/pending-claim.test/verify`);
    });
  });

  describe("after the organization's domains changed", () => {
    it("still lets the identity provider update, suspend, restore and delete a user whose domain is no longer verified", async () => {
      await server.admin("post", `/orgs/${org.id}/domains`).send({ name: "legacy-corp.test", verified: true }).expect(201);
      const created = await org.scim("post", "/Users").send(userBody("mia@legacy-corp.test")).expect(201);
      const id = created.body.id as string;
      // The operator API refuses to strand a user (409), so the only way to reach
      // this state -- a domain lost while users still have addresses in it, as
      // after an operator's manual clean-up or a future domain expiry -- is to
      // remove the org_domains row directly.
      await server.admin("delete", `/orgs/${org.id}/domains/legacy-corp.test`).expect(409);
      await db().deleteFrom("org_domains").where("org_id", "=", org.id).where("name", "=", "legacy-corp.test").execute();

      // Changes that keep the addresses are allowed...
      const renamed = await org.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "displayName", value: "Mia M." })).expect(200);
      expect(renamed.body.displayName).toBe("Mia M.");
      const suspended = await org.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "active", value: false })).expect(200);
      expect(suspended.body.active).toBe(false);
      const restored = await org.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", value: { active: "True" } })).expect(200);
      expect(restored.body.active).toBe(true);
      // ...a change of address must land in a verified domain...
      await org
        .scim("patch", `/Users/${id}`)
        .send(patchBody({ op: "replace", path: 'emails[type eq "work"].value', value: "mia.m@legacy-corp.test" }))
        .expect(400);
      const moved = await org
        .scim("put", `/Users/${id}`)
        .send(userBody("mia@example.com", { displayName: "Mia M." }))
        .expect(200);
      expect(moved.body.emails).toEqual([{ value: "mia@example.com", type: "work", primary: true }]);
      // ...and deleting is always possible.
      await org.scim("delete", `/Users/${id}`).expect(204);
      await org.scim("get", `/Users/${id}`).expect(404);
    });

    it("lets a stranded user be deleted without any other change first", async () => {
      await server.admin("post", `/orgs/${org.id}/domains`).send({ name: "gone-corp.test", verified: true }).expect(201);
      const created = await org.scim("post", "/Users").send(userBody("noah@gone-corp.test")).expect(201);
      // Direct database write, for the reason given in the test above.
      await db().deleteFrom("org_domains").where("org_id", "=", org.id).where("name", "=", "gone-corp.test").execute();
      const suspended = await org
        .scim("patch", `/Users/${created.body.id}`)
        .send(patchBody({ op: "Replace", path: "active", value: "False" }))
        .expect(200);
      expect(suspended.body).toMatchObject({ schemas: [USER_SCHEMA], active: false });
      await org.scim("delete", `/Users/${created.body.id}`).expect(204);
    });
  });
});
