// Roles through SCIM (rules in server/domain/roles.ts and super-admin-guard.ts):
// the core `roles` attribute carries one org:* and one admin:* value; unknown
// values are refused with the list of allowed ones; super administrator is
// granted only by people (PUT /admin/v1/orgs/{org}/users/{id}/roles), never
// granted nor revoked by an identity provider, and the organization's last
// active super administrator can be neither suspended nor deleted over SCIM.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { type TestOrg, type TestServer, patchBody, startTestServer, userBody } from "../support/server.ts";

const ALLOWED =
  "org:admin, org:admin-readonly, org:user, admin:member, admin:manager, admin:administrator, admin:super-administrator";

describe.each(ENGINES)("roles over SCIM on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Roles Inc");
  });
  afterAll(async () => {
    await server.close();
  });

  const roleValues = (body: { roles?: { value: string }[] }) => (body.roles ?? []).map((r) => r.value);
  async function rolesOf(id: string) {
    return roleValues((await org.scim("get", `/Users/${id}`).expect(200)).body);
  }
  async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
    return (await org.scim("post", "/Users").send(userBody(userName, extra)).expect(201)).body.id;
  }
  async function userCount() {
    const row = await server.database.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("org_id", "=", org.id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  /** The people's way to grant super administrator: the operator API. */
  async function makeSuperAdmin(orgId: string, id: string) {
    const res = await server.admin("put", `/orgs/${orgId}/users/${id}/roles`).send({ adminRole: "super-administrator" }).expect(200);
    expect(res.body.roles).toMatchObject({ adminRole: "super-administrator" });
  }

  describe("setting and reading roles", () => {
    it("gives a new user org:user and admin:member unless roles are sent", async () => {
      const res = await org.scim("post", "/Users").send(userBody("r-default")).expect(201);
      expect(roleValues(res.body)).toEqual(["org:user", "admin:member"]);
    });

    it("stores roles sent on POST and reads them back", async () => {
      const res = await org
        .scim("post", "/Users")
        .send(userBody("r-admin", { roles: [{ value: "org:admin" }, { value: "admin:administrator" }] }))
        .expect(201);
      expect(roleValues(res.body)).toEqual(["org:admin", "admin:administrator"]);
      expect(await rolesOf(res.body.id)).toEqual(["org:admin", "admin:administrator"]);
    });

    it("changes one family with PATCH and keeps the other", async () => {
      const id = await createUser("r-patch", { roles: [{ value: "org:admin" }, { value: "admin:manager" }] });
      const res = await org
        .scim("patch", `/Users/${id}`)
        .send(patchBody({ op: "replace", path: "roles", value: [{ value: "org:admin-readonly" }, { value: "admin:manager" }] }))
        .expect(200);
      expect(roleValues(res.body)).toEqual(["org:admin-readonly", "admin:manager"]);
      expect(await rolesOf(id)).toEqual(["org:admin-readonly", "admin:manager"]);
    });

    it("replaces roles with PUT, and a PUT without roles keeps them (the provider may not manage roles)", async () => {
      const id = await createUser("r-put", { roles: [{ value: "org:admin" }] });
      await org.scim("put", `/Users/${id}`).send(userBody("r-put", { roles: [{ value: "admin:administrator" }] })).expect(200);
      expect(await rolesOf(id)).toEqual(["org:admin", "admin:administrator"]);
      await org.scim("put", `/Users/${id}`).send(userBody("r-put", { displayName: "No roles sent" })).expect(200);
      expect(await rolesOf(id)).toEqual(["org:admin", "admin:administrator"]);
    });

    it("accepts role values in any letter case", async () => {
      const res = await org.scim("post", "/Users").send(userBody("r-case", { roles: [{ value: "ORG:Admin" }] })).expect(201);
      expect(roleValues(res.body)).toEqual(["org:admin", "admin:member"]);
    });

    it("finds users by role with a filter", async () => {
      const admin = await createUser("r-filter-admin", { roles: [{ value: "org:admin-readonly" }, { value: "admin:manager" }] });
      const member = await createUser("r-filter-member");
      const ids = async (filter: string) =>
        ((await org.scim("get", `/Users?filter=${encodeURIComponent(`(${filter}) and userName sw "r-filter-"`)}`).expect(200)).body
          .Resources ?? []).map((r: { id: string }) => r.id);
      expect(await ids('roles.value eq "org:admin-readonly"')).toEqual([admin]);
      expect(await ids('roles eq "admin:manager"')).toEqual([admin]);
      expect(await ids('roles[value eq "org:user"]')).toEqual([member]);
      expect(await ids('roles.value eq "admin:member"')).toEqual([member]);
    });
  });

  describe("refusals", () => {
    it("refuses an unknown role value with 400 invalidValue listing the allowed values, creating nothing", async () => {
      const before = await userCount();
      const res = await org.scim("post", "/Users").send(userBody("r-unknown", { roles: [{ value: "owner" }] })).expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
      expect(res.body.detail).toBe(`roles: "owner" is not a role here; use one of ${ALLOWED}`);
      expect(await userCount()).toBe(before);
    });

    it("refuses an unknown role value on PATCH and leaves the user unchanged", async () => {
      const created = await org.scim("post", "/Users").send(userBody("r-unknown-patch")).expect(201);
      const res = await org
        .scim("patch", `/Users/${created.body.id}`)
        .send(patchBody({ op: "add", path: "roles", value: [{ value: "admin:root" }] }))
        .expect(400);
      expect(res.body).toMatchObject({ scimType: "invalidValue", detail: expect.stringContaining(ALLOWED) });
      const after = (await org.scim("get", `/Users/${created.body.id}`).expect(200)).body;
      expect(after.meta.version).toBe(created.body.meta.version);
      expect(roleValues(after)).toEqual(["org:user", "admin:member"]);
    });

    it("refuses two roles of one family", async () => {
      const res = await org
        .scim("post", "/Users")
        .send(userBody("r-two", { roles: [{ value: "org:admin" }, { value: "org:user" }] }))
        .expect(400);
      expect(res.body).toMatchObject({ scimType: "invalidValue", detail: "roles: give at most one org:* role" });
    });

    it("refuses to grant admin:super-administrator over SCIM, on POST, PUT and PATCH", async () => {
      const before = await userCount();
      const posted = await org
        .scim("post", "/Users")
        .send(userBody("r-super", { roles: [{ value: "admin:super-administrator" }] }))
        .expect(400);
      expect(posted.body).toMatchObject({
        status: "400",
        scimType: "invalidValue",
        detail: "roles: admin:super-administrator can only be granted in the admin API, not by an identity provider",
      });
      expect(await userCount()).toBe(before);

      const id = await createUser("r-not-super");
      await org.scim("put", `/Users/${id}`).send(userBody("r-not-super", { roles: [{ value: "admin:super-administrator" }] })).expect(400);
      await org
        .scim("patch", `/Users/${id}`)
        .send(patchBody({ op: "replace", path: "roles", value: [{ value: "admin:super-administrator" }] }))
        .expect(400);
      expect(await rolesOf(id)).toEqual(["org:user", "admin:member"]);
    });
  });

  describe("super administrators", () => {
    // An organization of their own: "last super administrator" is counted per organization.
    let supers: TestOrg;
    beforeAll(async () => {
      supers = await server.newOrg("Supers Inc", { domain: "supers.test" });
    });

    async function createHere(userName: string): Promise<string> {
      return (await supers.scim("post", "/Users").send(userBody(userName, {}, supers.domain)).expect(201)).body.id;
    }
    async function superRolesOf(id: string) {
      return roleValues((await supers.scim("get", `/Users/${id}`).expect(200)).body);
    }

    it("cannot be revoked over SCIM once granted by a person", async () => {
      const id = await createHere("s-keeper");
      await makeSuperAdmin(supers.id, id);
      expect(await superRolesOf(id)).toEqual(["org:user", "admin:super-administrator"]);

      const patched = await supers
        .scim("patch", `/Users/${id}`)
        .send(patchBody({ op: "replace", path: "roles", value: [{ value: "org:admin" }, { value: "admin:member" }] }))
        .expect(200);
      expect(roleValues(patched.body)).toEqual(["org:admin", "admin:super-administrator"]);
      await supers.scim("put", `/Users/${id}`).send(userBody("s-keeper", { roles: [{ value: "admin:administrator" }] }, supers.domain)).expect(200);
      await supers.scim("patch", `/Users/${id}`).send(patchBody({ op: "remove", path: "roles" })).expect(200);
      expect((await superRolesOf(id))[1]).toBe("admin:super-administrator");
    });

    it("refuses to suspend or delete the last active super administrator with 409, changing nothing", async () => {
      // s-keeper (previous test) is this organization's only super administrator.
      const list = await supers.scim("get", `/Users?filter=${encodeURIComponent('userName eq "s-keeper"')}`).expect(200);
      const id = list.body.Resources[0].id as string;
      const version = list.body.Resources[0].meta.version as string;

      for (const value of [false, "False"]) {
        const res = await supers.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "active", value })).expect(409);
        expect(res.body).toMatchObject({ status: "409" });
        expect(res.body.detail).toContain("s-keeper is the organization's last super administrator and cannot be suspended");
      }
      await supers.scim("put", `/Users/${id}`).send(userBody("s-keeper", { active: false }, supers.domain)).expect(409);
      const deleted = await supers.scim("delete", `/Users/${id}`).expect(409);
      expect(deleted.body.detail).toContain("cannot be deleted");

      const after = (await supers.scim("get", `/Users/${id}`).expect(200)).body;
      expect(after.active).toBe(true);
      expect(after.meta.version).toBe(version);

      // With a second active super administrator, the first may go; then the second is the last.
      const second = await createHere("s-second");
      await makeSuperAdmin(supers.id, second);
      await supers.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "active", value: false })).expect(200);
      await supers.scim("delete", `/Users/${second}`).expect(409);
      await supers.scim("patch", `/Users/${second}`).send(patchBody({ op: "replace", path: "active", value: "False" })).expect(409);
      // A suspended super administrator may be deleted: it is not the one keeping the organization reachable.
      await supers.scim("delete", `/Users/${id}`).expect(204);
    });
  });
});
