// Tenant isolation: the bearer token alone names the organization, and nothing of
// another organization can be read, changed, listed, filtered for or linked to.
// Another organization's ids must be indistinguishable from ids that never existed.
import { randomUUID } from "node:crypto";
import type supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, patchBody, startTestServer, type TestOrg, type TestServer, userBody } from "../support/server.ts";

// Not an email: an email userName lives in a verified domain, and a domain belongs to one organization.
const SHARED_USER_NAME = "alice";

const groupBody = (displayName: string, memberIds: string[] = []) => ({
  schemas: [GROUP_SCHEMA],
  displayName,
  members: memberIds.map((value) => ({ value })),
});

/** Status and body with the requested id replaced, so a foreign id and a random one can be compared. */
async function outcome(req: supertest.Test, id: string) {
  const res = await req;
  return { status: res.status, contentType: res.headers["content-type"], body: JSON.parse(res.text.replaceAll(id, "<id>")) };
}

describe.each(ENGINES)("tenant isolation on %s", (engine) => {
  let server: TestServer;
  let a: TestOrg;
  let b: TestOrg;
  let bUser: { id: string; version: string };
  let bGroup: { id: string };
  let aUser: { id: string };
  let aGroup: { id: string };

  beforeAll(async () => {
    server = await startTestServer(engine);
    a = await server.newOrg("Org A");
    b = await server.newOrg("Org B");
    const bu = await b.scim("post", "/Users").send(userBody(SHARED_USER_NAME, { externalId: "b-ext" }, b.domain)).expect(201);
    bUser = { id: bu.body.id, version: bu.body.meta.version };
    bGroup = (await b.scim("post", "/Groups").send(groupBody("Engineering", [bUser.id])).expect(201)).body;
    aUser = (await a.scim("post", "/Users").send(userBody(SHARED_USER_NAME)).expect(201)).body;
    aGroup = (await a.scim("post", "/Groups").send(groupBody("Engineering", [aUser.id])).expect(201)).body;
  });
  afterAll(async () => {
    await server.close();
  });

  /** B's user and group, read by B, are exactly as created: nothing A did reached them. */
  async function expectBUntouched() {
    const user = await b.scim("get", `/Users/${bUser.id}`).expect(200);
    expect(user.body).toMatchObject({ userName: SHARED_USER_NAME, active: true, meta: { version: bUser.version } });
    const group = await b.scim("get", `/Groups/${bGroup.id}`).expect(200);
    expect(group.body.displayName).toBe("Engineering");
    expect(group.body.members).toEqual([expect.objectContaining({ value: bUser.id })]);
  }

  const writes = {
    User: {
      put: () => userBody("taken-over@example.com"),
      patch: () => patchBody({ op: "replace", path: "active", value: false }),
    },
    Group: {
      put: () => groupBody("Taken over"),
      patch: () => patchBody({ op: "replace", path: "displayName", value: "Taken over" }),
    },
  };

  describe.each([
    ["User", "/Users"],
    ["Group", "/Groups"],
  ] as const)("another organization's %s", (kind, endpoint) => {
    const foreignId = () => (kind === "User" ? bUser.id : bGroup.id);

    it.each(["get", "put", "patch", "delete"] as const)("answers %s with the same 404 as an id that never existed", async (method) => {
      const body = method === "put" ? writes[kind].put() : method === "patch" ? writes[kind].patch() : undefined;
      const random = randomUUID();
      const foreign = await outcome(a.scim(method, `${endpoint}/${foreignId()}`).send(body), foreignId());
      const missing = await outcome(a.scim(method, `${endpoint}/${random}`).send(body), random);
      expect(foreign.status).toBe(404);
      expect(foreign).toEqual(missing);
      await expectBUntouched();
    });

    it("answers an If-Match write with 404, not 412, so the version leaks nothing either", async () => {
      const res = await a.scim("delete", `${endpoint}/${foreignId()}`).set("If-Match", 'W/"999"');
      expect(res.status).toBe(404);
      await expectBUntouched();
    });

    it("never appears in a list, a filter on its id, or a POST .search", async () => {
      const list = await a.scim("get", endpoint).expect(200);
      const ids = (list.body.Resources as { id: string }[]).map((r) => r.id);
      expect(ids).toContain(kind === "User" ? aUser.id : aGroup.id);
      expect(ids).not.toContain(foreignId());
      // totalResults counts A's rows only: B's would make it exceed the page.
      expect(list.body.totalResults).toBe(ids.length);

      const byId = await a.scim("get", endpoint).query({ filter: `id eq "${foreignId()}"` }).expect(200);
      expect(byId.body).toMatchObject({ totalResults: 0, Resources: [] });

      const search = await a.scim("post", `${endpoint}/.search`).send({ filter: `id eq "${foreignId()}"` }).expect(200);
      expect(search.body.totalResults).toBe(0);
    });
  });

  it("finds only its own user when filtering on a userName both organizations use", async () => {
    const res = await a.scim("get", "/Users").query({ filter: `userName eq "${SHARED_USER_NAME}"` }).expect(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0].id).toBe(aUser.id);
  });

  it("does not match another organization's attributes in filters", async () => {
    const ext = await a.scim("get", "/Users").query({ filter: 'externalId eq "b-ext"' }).expect(200);
    expect(ext.body.totalResults).toBe(0);
    const members = await a.scim("get", "/Groups").query({ filter: `members.value eq "${bUser.id}"` }).expect(200);
    expect(members.body.totalResults).toBe(0);
    const withMembers = await a.scim("get", "/Groups").query({ attributes: "members" }).expect(200);
    expect(JSON.stringify(withMembers.body)).not.toContain(bUser.id);
  });

  it("keeps the same userName as two independent users", async () => {
    expect(aUser.id).not.toBe(bUser.id);
    await a.scim("patch", `/Users/${aUser.id}`).send(patchBody({ op: "replace", path: "displayName", value: "A's Alice" })).expect(200);
    const bView = await b.scim("get", "/Users").query({ filter: `userName eq "${SHARED_USER_NAME}"` }).expect(200);
    expect(bView.body.Resources).toEqual([expect.objectContaining({ id: bUser.id })]);
    expect(bView.body.Resources[0].displayName).toBeUndefined();
    await expectBUntouched();
  });

  it("still refuses a duplicate userName within one organization", async () => {
    const res = await a.scim("post", "/Users").send(userBody(SHARED_USER_NAME.toUpperCase())).expect(409);
    expect(res.body.scimType).toBe("uniqueness");
  });

  describe("group membership across organizations", () => {
    const memberError = (id: string) => ({
      status: "400",
      scimType: "invalidValue",
      detail: expect.stringContaining(id),
    });

    it("refuses creating a group whose member is another organization's user, as for an unknown id", async () => {
      const res = await a.scim("post", "/Groups").send(groupBody("Smuggled", [bUser.id])).expect(400);
      expect(res.body).toMatchObject(memberError(bUser.id));
      const random = randomUUID();
      const foreign = await outcome(a.scim("post", "/Groups").send(groupBody("Smuggled", [bUser.id])), bUser.id);
      const missing = await outcome(a.scim("post", "/Groups").send(groupBody("Smuggled", [random])), random);
      expect(foreign).toEqual(missing);
    });

    it("refuses adding another organization's user or group by PATCH", async () => {
      const addUser = patchBody({ op: "add", path: "members", value: [{ value: bUser.id }] });
      const res = await a.scim("patch", `/Groups/${aGroup.id}`).send(addUser).expect(400);
      expect(res.body).toMatchObject(memberError(bUser.id));
      const addGroup = patchBody({ op: "add", path: "members", value: [{ value: bGroup.id, type: "Group" }] });
      await a.scim("patch", `/Groups/${aGroup.id}`).send(addGroup).expect(400);
    });

    it("refuses replacing members with another organization's user by PUT", async () => {
      await a.scim("put", `/Groups/${aGroup.id}`).send(groupBody("Engineering", [aUser.id, bUser.id])).expect(400);
    });

    it("leaves the group's members unchanged after the refused writes", async () => {
      const res = await a.scim("get", `/Groups/${aGroup.id}`).expect(200);
      expect(res.body.members).toEqual([expect.objectContaining({ value: aUser.id, type: "User" })]);
      await expectBUntouched();
    });
  });

  it("deleting a user in one organization leaves the same userName in the other", async () => {
    const extra = await a.scim("post", "/Users").send(userBody("bob")).expect(201);
    const bBob = await b.scim("post", "/Users").send(userBody("bob", {}, b.domain)).expect(201);
    await a.scim("delete", `/Users/${extra.body.id}`).expect(204);
    await a.scim("get", `/Users/${extra.body.id}`).expect(404);
    await b.scim("get", `/Users/${bBob.body.id}`).expect(200);
  });
});
