// PATCH /Users/:id over HTTP (RFC 7644 §3.5.2): add / replace / remove with and
// without a path, value-path filters, the RFC's own examples, and the dialects
// Entra ID and Okta send.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import {
  ENTERPRISE_SCHEMA,
  type TestOrg,
  type TestServer,
  USER_SCHEMA,
  patchBody,
  startTestServer,
  userBody,
} from "../support/server.ts";

type Doc = Record<string, any>;

describe.each(ENGINES)("PATCH /Users on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Patchers");
  });
  afterAll(async () => {
    await server.close();
  });

  async function createUser(userName: string, extra: Doc = {}): Promise<Doc> {
    const res = await org.scim("post", "/Users").send(userBody(userName, extra)).expect(201);
    return res.body;
  }

  /** PATCH, expect 200, check the response is what GET now returns, and return it. */
  async function patchOk(id: string, ...ops: Doc[]): Promise<Doc> {
    const res = await org.scim("patch", `/Users/${id}`).send(patchBody(...ops)).expect(200);
    expect(res.headers.etag).toBe(res.body.meta.version);
    const got = await org.scim("get", `/Users/${id}`).expect(200);
    expect(got.body).toEqual(res.body);
    return res.body;
  }

  async function findIds(filter: string): Promise<string[]> {
    const res = await org.scim("get", `/Users?filter=${encodeURIComponent(filter)}`).expect(200);
    return res.body.Resources.map((r: Doc) => r.id);
  }

  const twoEmails = (local: string) => ({
    emails: [
      { value: `${local}@example.com`, type: "work", primary: true },
      { value: `${local}@home.example.org`, type: "home" },
    ],
  });

  describe("add", () => {
    it("sets an attribute named by path and bumps the version", async () => {
      const user = await createUser("add.path");
      const out = await patchOk(user.id, { op: "add", path: "nickName", value: "Babs" });
      expect(out.nickName).toBe("Babs");
      expect(out.meta.version).not.toBe(user.meta.version);
      expect(out.meta.created).toBe(user.meta.created);
    });

    it("without a path merges the value's attributes and appends to multi-valued ones (RFC 7644 §3.5.2.1)", async () => {
      const user = await createUser("bjensen.add");
      const out = await patchOk(user.id, {
        op: "add",
        value: { emails: [{ value: "babs@jensen.org", type: "home" }], nickName: "Babs" },
      });
      expect(out.nickName).toBe("Babs");
      expect(out.emails.map((e: Doc) => e.value)).toEqual(["bjensen.add@example.com", "babs@jensen.org"]);
      expect(await findIds('emails.value eq "babs@jensen.org"')).toEqual([user.id]);
    });

    it("sets enterprise extension attributes by their full path, including Entra's bare manager id", async () => {
      const user = await createUser("ent.add");
      const out = await patchOk(
        user.id,
        { op: "Add", path: `${ENTERPRISE_SCHEMA}:department`, value: "Finance" },
        { op: "Add", path: `${ENTERPRISE_SCHEMA}:manager`, value: "26118915-6090-4610-87a4-74b9b27ebfc2" },
      );
      expect(out.schemas).toEqual([USER_SCHEMA, ENTERPRISE_SCHEMA]);
      expect(out[ENTERPRISE_SCHEMA]).toEqual({
        department: "Finance",
        manager: { value: "26118915-6090-4610-87a4-74b9b27ebfc2" },
      });
      expect(await findIds(`${ENTERPRISE_SCHEMA}:department eq "Finance"`)).toEqual([user.id]);
    });
  });

  describe("replace", () => {
    it("replaces an attribute named by path", async () => {
      const user = await createUser("replace.path", { displayName: "Old Name" });
      const out = await patchOk(user.id, { op: "replace", path: "displayName", value: "New Name" });
      expect(out.displayName).toBe("New Name");
      expect(await findIds('displayName eq "New Name"')).toEqual([user.id]);
    });

    it("without a path replaces each attribute of the value, multi-valued ones whole (RFC 7644 §3.5.2.3)", async () => {
      const user = await createUser("bjensen.replace", { ...twoEmails("bjr"), title: "Kept" });
      const out = await patchOk(user.id, {
        op: "replace",
        value: { emails: [{ value: "bjensen@example.com", type: "work", primary: true }], nickName: "Babs" },
      });
      expect(out.emails).toEqual([{ value: "bjensen@example.com", type: "work", primary: true }]);
      expect(out.nickName).toBe("Babs");
      expect(out.title).toBe("Kept");
      expect(await findIds('emails.value eq "bjr@home.example.org"')).toEqual([]);
    });

    it('changes only the matching element through emails[type eq "work"].value', async () => {
      const user = await createUser("value.path", twoEmails("vp"));
      const out = await patchOk(user.id, { op: "replace", path: 'emails[type eq "work"].value', value: "vp@new.example.com" });
      expect(out.emails).toEqual([
        { value: "vp@new.example.com", type: "work", primary: true },
        { value: "vp@home.example.org", type: "home" },
      ]);
      expect(await findIds('emails[type eq "work" and value eq "vp@new.example.com"]')).toEqual([user.id]);
      expect(await findIds('emails.value eq "vp@example.com"')).toEqual([]);
    });

    it('replaces a whole filtered element and then one of its sub-attributes (RFC 7644 §3.5.2.3 addresses examples)', async () => {
      const user = await createUser("addresses", {
        addresses: [
          { type: "work", streetAddress: "100 Universal City Plaza", locality: "Hollywood", postalCode: "91608", country: "US", primary: true },
          { type: "home", streetAddress: "456 Hollywood Blvd", locality: "Hollywood", country: "US" },
        ],
      });
      const work = {
        type: "work",
        streetAddress: "911 Universal City Plaza",
        locality: "Hollywood",
        region: "CA",
        postalCode: "91608",
        country: "US",
        formatted: "911 Universal City Plaza\nHollywood, CA 91608 US",
        primary: true,
      };
      const out = await patchOk(
        user.id,
        { op: "replace", path: 'addresses[type eq "work"]', value: work },
        { op: "replace", path: 'addresses[type eq "work"].streetAddress', value: "1010 Broadway Ave" },
      );
      expect(out.addresses).toEqual([{ ...work, streetAddress: "1010 Broadway Ave" }, user.addresses[1]]);
    });

    it('accepts Entra ID\'s capitalised "Replace" and the string boolean "False"', async () => {
      const user = await createUser("entra.disable");
      const out = await patchOk(
        user.id,
        { op: "Replace", path: "active", value: "False" },
        { op: "Replace", path: 'emails[type eq "work"].primary', value: "True" },
        { op: "Replace", path: "name.familyName", value: "Jensen" },
      );
      expect(out.active).toBe(false);
      expect(out.name.familyName).toBe("Jensen");
      expect(out.emails[0].primary).toBe(true);
      expect(await findIds("active eq false")).toContain(user.id);
    });

    it('accepts Okta\'s deactivation {"op":"replace","value":{"active":false}}', async () => {
      const user = await createUser("okta.disable");
      const out = await patchOk(user.id, { op: "replace", value: { active: false } });
      expect(out.active).toBe(false);
      expect(out.userName).toBe("okta.disable");
      expect(out.emails).toEqual(user.emails);
    });

    it("stores a new password without returning it", async () => {
      const user = await createUser("patch.password");
      const read = async () =>
        (await server.database.db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow())
          .password_hash;
      expect(await read()).toBeNull();
      const out = await patchOk(user.id, { op: "replace", path: "password", value: "n3w-Secret!" });
      expect(out).not.toHaveProperty("password");
      expect(await read()).toMatch(/\S/);
    });

    it("renaming onto another user's userName (any case) is 409 uniqueness and changes nothing", async () => {
      await createUser("patch.owner");
      const mover = await createUser("patch.mover");
      const res = await org.scim("patch", `/Users/${mover.id}`).send(patchBody({ op: "replace", path: "userName", value: "Patch.OWNER" })).expect(409);
      expect(res.body).toMatchObject({ status: "409", scimType: "uniqueness" });
      const got = await org.scim("get", `/Users/${mover.id}`).expect(200);
      expect(got.body).toEqual(mover);
    });
  });

  describe("remove", () => {
    it("removes an attribute named by path", async () => {
      const user = await createUser("remove.path", { title: "Tour Guide", nickName: "Rem" });
      const out = await patchOk(user.id, { op: "remove", path: "title" });
      expect(out).not.toHaveProperty("title");
      expect(out.nickName).toBe("Rem");
    });

    it('removes only the elements a filter selects (emails[type eq "work" and value ew "example.com"])', async () => {
      const user = await createUser("remove.filter", twoEmails("rf"));
      const out = await patchOk(user.id, { op: "remove", path: 'emails[type eq "work" and value ew "example.com"]' });
      expect(out.emails).toEqual([{ value: "rf@home.example.org", type: "home" }]);
      expect(await findIds('emails.value eq "rf@example.com"')).toEqual([]);
    });

    it("removes an enterprise extension attribute", async () => {
      const user = await createUser("remove.ent", {
        schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
        [ENTERPRISE_SCHEMA]: { department: "Sales", costCenter: "42" },
      });
      const out = await patchOk(user.id, { op: "remove", path: `${ENTERPRISE_SCHEMA}:department` });
      expect(out[ENTERPRISE_SCHEMA]).toEqual({ costCenter: "42" });
    });

    it("without a path is refused with 400 noTarget (RFC 7644 §3.5.2.2) and changes nothing", async () => {
      const user = await createUser("remove.nopath");
      const res = await org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "remove" })).expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "noTarget" });
      expect((await org.scim("get", `/Users/${user.id}`).expect(200)).body).toEqual(user);
    });

    it("of the required userName is refused with 400 and changes nothing", async () => {
      const user = await createUser("remove.username");
      const res = await org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "remove", path: "userName" })).expect(400);
      expect(res.body.status).toBe("400");
      expect(res.body.detail).toMatch(/userName/);
      expect((await org.scim("get", `/Users/${user.id}`).expect(200)).body).toEqual(user);
    });
  });

  it("applies several operations in order, all in one new version", async () => {
    const user = await createUser("multi.op");
    const version = Number(/\d+/.exec(user.meta.version)![0]);
    const out = await patchOk(
      user.id,
      { op: "add", path: "title", value: "First" },
      { op: "replace", path: "title", value: "Second" },
      { op: "add", path: "nickName", value: "Nick" },
      { op: "remove", path: "nickName" },
    );
    expect(out.title).toBe("Second");
    expect(out).not.toHaveProperty("nickName");
    expect(out.meta.version).toBe(`W/"${version + 1}"`);
  });

  it("answers 404 for another organization's user and leaves it unchanged", async () => {
    const neighbour = await server.newOrg("Patch Neighbour");
    const theirs = (await neighbour.scim("post", "/Users").send(userBody("their.patch", {}, neighbour.domain)).expect(201)).body;
    await org.scim("patch", `/Users/${theirs.id}`).send(patchBody({ op: "replace", path: "active", value: false })).expect(404);
    expect((await neighbour.scim("get", `/Users/${theirs.id}`).expect(200)).body).toEqual(theirs);
  });
});
