// /Users over HTTP against a real database (RFC 7643 §4.1, RFC 7644 §3.3–3.6):
// create, read, replace, delete, password handling, the enterprise extension,
// userName uniqueness and tenant isolation.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import {
  ENTERPRISE_SCHEMA,
  SCIM_BASE,
  type TestOrg,
  type TestServer,
  USER_SCHEMA,
  startTestServer,
  userBody,
} from "../support/server.ts";

const ENTERPRISE = {
  employeeNumber: "701984",
  costCenter: "4130",
  organization: "Universal Studios",
  division: "Theme Park",
  department: "Tour Operations",
  manager: { value: "26118915-6090-4610-87a4-74b9b27ebfc2" },
};

describe.each(ENGINES)("/Users on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Users Inc");
  });
  afterAll(async () => {
    await server.close();
  });

  async function createUser(userName: string, extra: Record<string, unknown> = {}, as: TestOrg = org) {
    const res = await as.scim("post", "/Users").send(userBody(userName, extra, as.domain)).expect(201);
    return res.body as Record<string, any>;
  }

  async function storedPasswordHash(id: string): Promise<string | null> {
    const row = await server.database.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return row.password_hash;
  }

  describe("POST /Users", () => {
    it("answers 201 with Location equal to meta.location and ETag equal to meta.version", async () => {
      const res = await org.scim("post", "/Users").send(userBody("bjensen", { externalId: "ext-bj" })).expect(201);
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
      const body = res.body;
      expect(body.schemas).toEqual([USER_SCHEMA]);
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.userName).toBe("bjensen");
      expect(body.externalId).toBe("ext-bj");
      expect(body.meta).toEqual({
        resourceType: "User",
        created: expect.any(String),
        lastModified: expect.any(String),
        location: `${SCIM_BASE}/Users/${body.id}`,
        version: expect.stringMatching(/^W\/"\d+"$/),
      });
      expect(new Date(body.meta.created).toISOString()).toBe(body.meta.created);
      expect(body.meta.lastModified).toBe(body.meta.created);
      expect(res.headers.location).toBe(body.meta.location);
      expect(res.headers.etag).toBe(body.meta.version);
    });

    it("accepts Content-Type: application/json as well as application/scim+json", async () => {
      const res = await org
        .scim("post", "/Users")
        .set("Content-Type", "application/json")
        .send(JSON.stringify(userBody("plain-json")))
        .expect(201);
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
      expect(res.body.userName).toBe("plain-json");
    });

    it("stores a password but never returns it, not even when asked for by name", async () => {
      const created = await createUser("secretive", { password: "t1meMachine!" });
      expect(created).not.toHaveProperty("password");
      expect(await storedPasswordHash(created.id)).toMatch(/\S/);
      expect(await storedPasswordHash(created.id)).not.toContain("t1meMachine!");

      const got = await org.scim("get", `/Users/${created.id}`).expect(200);
      expect(got.body).not.toHaveProperty("password");
      const asked = await org.scim("get", `/Users/${created.id}?attributes=password,userName`).expect(200);
      expect(asked.body).not.toHaveProperty("password");
      expect(asked.body.userName).toBe("secretive");
      const listed = await org.scim("get", `/Users?filter=${encodeURIComponent('userName eq "secretive"')}`).expect(200);
      expect(listed.body.Resources).toHaveLength(1);
      expect(listed.body.Resources[0]).not.toHaveProperty("password");
      const listedAsked = await org.scim("get", "/Users?attributes=password").expect(200);
      for (const r of listedAsked.body.Resources) expect(r).not.toHaveProperty("password");
    });

    it("stores and returns the enterprise extension attributes", async () => {
      const created = await createUser("enterprise.user", {
        schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
        [ENTERPRISE_SCHEMA]: ENTERPRISE,
      });
      expect(created.schemas).toEqual([USER_SCHEMA, ENTERPRISE_SCHEMA]);
      expect(created[ENTERPRISE_SCHEMA]).toEqual(ENTERPRISE);
      const got = await org.scim("get", `/Users/${created.id}`).expect(200);
      expect(got.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE_SCHEMA]);
      expect(got.body[ENTERPRISE_SCHEMA]).toEqual(ENTERPRISE);
    });

    it("refuses a userName already taken in the organization, whatever its case, with 409 uniqueness", async () => {
      await createUser("Case.Taken");
      const res = await org.scim("post", "/Users").send(userBody("case.TAKEN")).expect(409);
      expect(res.body).toMatchObject({ status: "409", scimType: "uniqueness" });
      expect(res.body.detail).toMatch(/userName/);
      const list = await org.scim("get", `/Users?filter=${encodeURIComponent('userName eq "case.taken"')}`).expect(200);
      expect(list.body.totalResults).toBe(1);
    });

    it("allows the same userName in a different organization", async () => {
      await createUser("shared.name");
      const other = await server.newOrg("Other Inc");
      const res = await other.scim("post", "/Users").send(userBody("shared.name", {}, other.domain)).expect(201);
      expect(res.body.userName).toBe("shared.name");
    });

    it("stores externalId and finds the user by it", async () => {
      const created = await createUser("external.one", { externalId: "00u1abcd" });
      const res = await org.scim("get", `/Users?filter=${encodeURIComponent('externalId eq "00u1abcd"')}`).expect(200);
      expect(res.body.totalResults).toBe(1);
      expect(res.body.Resources[0]).toMatchObject({ id: created.id, externalId: "00u1abcd" });
    });
  });

  describe("GET /Users/:id", () => {
    it("returns the stored user with the same ETag as meta.version", async () => {
      const created = await createUser("reader", { displayName: "Rea Der", title: "Tour Guide" });
      const res = await org.scim("get", `/Users/${created.id}`).expect(200);
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
      expect(res.body).toEqual(created);
      expect(res.headers.etag).toBe(created.meta.version);
    });

    it("answers another organization's user exactly like a user that does not exist", async () => {
      const theirs = await createUser("theirs", {}, await server.newOrg("Neighbour"));
      const foreign = await org.scim("get", `/Users/${theirs.id}`).expect(404);
      const missingId = randomUUID();
      const missing = await org.scim("get", `/Users/${missingId}`).expect(404);
      expect(foreign.headers["content-type"]).toBe(missing.headers["content-type"]);
      expect({ ...foreign.body, detail: foreign.body.detail.replace(theirs.id, "<id>") }).toEqual({
        ...missing.body,
        detail: missing.body.detail.replace(missingId, "<id>"),
      });
      expect(missing.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "404" });
    });

    it("answers 404 for an id that is not a UUID", async () => {
      const res = await org.scim("get", "/Users/not-a-uuid").expect(404);
      expect(res.body).toMatchObject({ status: "404" });
    });
  });

  describe("PUT /Users/:id", () => {
    it("replaces the whole user: attributes not sent are gone", async () => {
      const created = await createUser("replaced", {
        displayName: "Before",
        title: "Manager",
        nickName: "Rep",
        schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
        [ENTERPRISE_SCHEMA]: { department: "Sales" },
      });
      const res = await org
        .scim("put", `/Users/${created.id}`)
        .send({ schemas: [USER_SCHEMA], userName: "replaced", displayName: "After", active: false })
        .expect(200);
      expect(res.body).toMatchObject({ id: created.id, userName: "replaced", displayName: "After", active: false });
      for (const gone of ["title", "nickName", "emails", "name", ENTERPRISE_SCHEMA]) expect(res.body).not.toHaveProperty(gone);
      expect(res.body.schemas).toEqual([USER_SCHEMA]);
      expect(res.body.meta.created).toBe(created.meta.created);
      expect(res.body.meta.version).not.toBe(created.meta.version);
      expect(res.headers.etag).toBe(res.body.meta.version);
      const got = await org.scim("get", `/Users/${created.id}`).expect(200);
      expect(got.body).toEqual(res.body);
    });

    it("keeps the stored password when the replacement does not send one, and changes it when it does", async () => {
      const created = await createUser("keeps.password", { password: "first-Secret1" });
      const before = await storedPasswordHash(created.id);
      await org.scim("put", `/Users/${created.id}`).send(userBody("keeps.password", { displayName: "X" })).expect(200);
      expect(await storedPasswordHash(created.id)).toBe(before);
      const res = await org
        .scim("put", `/Users/${created.id}`)
        .send(userBody("keeps.password", { password: "second-Secret2" }))
        .expect(200);
      expect(res.body).not.toHaveProperty("password");
      expect(await storedPasswordHash(created.id)).not.toBe(before);
    });

    it("refuses renaming onto another user's userName (any case) with 409 uniqueness and changes nothing", async () => {
      await createUser("put.owner");
      const mover = await createUser("put.mover");
      const res = await org.scim("put", `/Users/${mover.id}`).send(userBody("PUT.Owner")).expect(409);
      expect(res.body).toMatchObject({ status: "409", scimType: "uniqueness" });
      const got = await org.scim("get", `/Users/${mover.id}`).expect(200);
      expect(got.body).toEqual(mover);
    });

    it("allows changing only the case of the user's own userName", async () => {
      const created = await createUser("self.case");
      const res = await org.scim("put", `/Users/${created.id}`).send(userBody("Self.Case")).expect(200);
      expect(res.body.userName).toBe("Self.Case");
    });

    it("answers 404 for another organization's user and leaves it unchanged", async () => {
      const neighbour = await server.newOrg("Put Neighbour");
      const theirs = await createUser("their.put", {}, neighbour);
      await org.scim("put", `/Users/${theirs.id}`).send(userBody("hijacked")).expect(404);
      const got = await neighbour.scim("get", `/Users/${theirs.id}`).expect(200);
      expect(got.body).toEqual(theirs);
    });
  });

  describe("DELETE /Users/:id", () => {
    it("answers 204, then the user is gone", async () => {
      const created = await createUser("deleted.one");
      const res = await org.scim("delete", `/Users/${created.id}`).expect(204);
      expect(res.text).toBe("");
      await org.scim("get", `/Users/${created.id}`).expect(404);
      await org.scim("delete", `/Users/${created.id}`).expect(404);
      const list = await org.scim("get", `/Users?filter=${encodeURIComponent('userName eq "deleted.one"')}`).expect(200);
      expect(list.body.totalResults).toBe(0);
    });

    it("frees the userName for a new user", async () => {
      const created = await createUser("recycled");
      await org.scim("delete", `/Users/${created.id}`).expect(204);
      const again = await createUser("recycled");
      expect(again.id).not.toBe(created.id);
    });

    it("removes the user from every group, and those groups get a new version", async () => {
      const leaving = await createUser("leaving");
      const staying = await createUser("staying");
      const members = [{ value: leaving.id }, { value: staying.id }];
      const groups = await Promise.all(
        ["Leavers A", "Leavers B"].map(async (displayName) => {
          const res = await org
            .scim("post", "/Groups")
            .send({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName, members })
            .expect(201);
          return res.body as Record<string, any>;
        }),
      );
      await org.scim("delete", `/Users/${leaving.id}`).expect(204);
      for (const group of groups) {
        const res = await org.scim("get", `/Groups/${group.id}`).expect(200);
        expect(res.body.members.map((m: { value: string }) => m.value)).toEqual([staying.id]);
        expect(res.body.meta.version).not.toBe(group.meta.version);
        expect(res.headers.etag).toBe(res.body.meta.version);
      }
      const filter = encodeURIComponent(`members.value eq "${leaving.id}"`);
      const found = await org.scim("get", `/Groups?filter=${filter}`).expect(200);
      expect(found.body.totalResults).toBe(0);
    });

    it("answers 404 for another organization's user and leaves it in place", async () => {
      const neighbour = await server.newOrg("Delete Neighbour");
      const theirs = await createUser("their.delete", {}, neighbour);
      await org.scim("delete", `/Users/${theirs.id}`).expect(404);
      await neighbour.scim("get", `/Users/${theirs.id}`).expect(200);
    });
  });
});
