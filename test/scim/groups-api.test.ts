// /Groups over HTTP against a real database (RFC 7643 §4.2, RFC 7644 §3.3–3.6):
// members as rows, rendered with current display names; membership PATCH in the
// shapes Entra ID and Okta send; the user's read-only `groups` attribute.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, SCIM_BASE, type TestOrg, type TestServer, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;

describe.each(ENGINES)("/Groups on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let alice: Doc;
  let bob: Doc;
  let carol: Doc;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Groupers");
    alice = await createUser("alice", { displayName: "Alice Liddell" });
    bob = await createUser("bob", { displayName: "Bob Builder" });
    carol = await createUser("carol"); // no displayName: members show her userName
  });
  afterAll(async () => {
    await server.close();
  });

  async function createUser(userName: string, extra: Doc = {}, as: TestOrg = org): Promise<Doc> {
    return (await as.scim("post", "/Users").send(userBody(userName, extra, as.domain)).expect(201)).body;
  }
  async function createGroup(displayName: string, members: Doc[] = [], extra: Doc = {}): Promise<Doc> {
    const res = await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName, members, ...extra }).expect(201);
    return res.body;
  }
  async function getGroup(id: string): Promise<Doc> {
    return (await org.scim("get", `/Groups/${id}`).expect(200)).body;
  }
  const memberIds = (group: Doc): string[] => (group.members ?? []).map((m: Doc) => m.value).sort();
  const ids = (...users: Doc[]) => users.map((u) => u.id as string).sort();
  const patch = (id: string, ...Operations: Doc[]) =>
    org.scim("patch", `/Groups/${id}`).send({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations });

  describe("POST and GET", () => {
    it("creates a group whose members carry value, type, display and $ref", async () => {
      const res = await org
        .scim("post", "/Groups")
        .send({
          schemas: [GROUP_SCHEMA],
          displayName: "Tour Guides",
          externalId: "ext-tg",
          members: [{ value: alice.id }, { value: carol.id, type: "User" }],
        })
        .expect(201);
      const group = res.body;
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
      expect(res.headers.location).toBe(`${SCIM_BASE}/Groups/${group.id}`);
      expect(res.headers.location).toBe(group.meta.location);
      expect(res.headers.etag).toBe(group.meta.version);
      expect(group).toMatchObject({ schemas: [GROUP_SCHEMA], displayName: "Tour Guides", externalId: "ext-tg" });
      expect(group.meta).toMatchObject({ resourceType: "Group", created: expect.any(String), lastModified: expect.any(String) });
      expect(group.members).toEqual(
        expect.arrayContaining([
          { value: alice.id, type: "User", display: "Alice Liddell", $ref: `${SCIM_BASE}/Users/${alice.id}` },
          { value: carol.id, type: "User", display: "carol", $ref: `${SCIM_BASE}/Users/${carol.id}` },
        ]),
      );
      expect(group.members).toHaveLength(2);
      expect(await getGroup(group.id)).toEqual(group);
    });

    it("renders members with their current display names", async () => {
      const dave = await createUser("dave", { displayName: "Dave Before" });
      const group = await createGroup("Renamed Members", [{ value: dave.id }]);
      await org.scim("put", `/Users/${dave.id}`).send(userBody("dave", { displayName: "Dave After" })).expect(200);
      expect((await getGroup(group.id)).members).toEqual([expect.objectContaining({ value: dave.id, display: "Dave After" })]);
    });

    it("accepts a group as a member, typed Group with a /Groups $ref", async () => {
      const inner = await createGroup("Inner");
      const outer = await createGroup("Outer", [{ value: inner.id }]);
      expect(outer.members).toEqual([{ value: inner.id, type: "Group", display: "Inner", $ref: `${SCIM_BASE}/Groups/${inner.id}` }]);
    });

    it("omits members with excludedAttributes=members, and with attributes that do not name them", async () => {
      const group = await createGroup("Projected", [{ value: alice.id }]);
      const excluded = await org.scim("get", `/Groups/${group.id}?excludedAttributes=members`).expect(200);
      expect(excluded.body).not.toHaveProperty("members");
      expect(excluded.body).toMatchObject({ id: group.id, schemas: [GROUP_SCHEMA], displayName: "Projected" });
      const named = await org.scim("get", `/Groups/${group.id}?attributes=displayName`).expect(200);
      expect(named.body).toEqual({ schemas: [GROUP_SCHEMA], id: group.id, displayName: "Projected" });
      const listed = await org.scim("get", `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Projected"')}`).expect(200);
      expect(listed.body.Resources).toHaveLength(1);
      expect(listed.body.Resources[0]).not.toHaveProperty("members");
    });

    it("refuses a member id that does not exist, or belongs to another organization, with 400 invalidValue and creates nothing", async () => {
      const stranger = await createUser("stranger", {}, await server.newOrg("Strangers"));
      for (const bad of [randomUUID(), stranger.id, "not-a-uuid"]) {
        const res = await org
          .scim("post", "/Groups")
          .send({ schemas: [GROUP_SCHEMA], displayName: "Never Created", members: [{ value: alice.id }, { value: bad }] })
          .expect(400);
        expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
        expect(res.body.detail).toContain(bad);
      }
      const found = await org.scim("get", `/Groups?filter=${encodeURIComponent('displayName eq "Never Created"')}`).expect(200);
      expect(found.body.totalResults).toBe(0);
    });

    it("answers another organization's group with 404", async () => {
      const neighbour = await server.newOrg("Group Neighbour");
      const theirs = (await neighbour.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: "Theirs" }).expect(201)).body;
      await org.scim("get", `/Groups/${theirs.id}`).expect(404);
      await org.scim("delete", `/Groups/${theirs.id}`).expect(404);
      await neighbour.scim("get", `/Groups/${theirs.id}`).expect(200);
    });
  });

  describe("PATCH", () => {
    it("adds members with path members and answers 204 with the new ETag", async () => {
      const group = await createGroup("Patch Add", [{ value: alice.id }]);
      const res = await patch(group.id, { op: "add", path: "members", value: [{ value: bob.id, display: "ignored" }, { value: alice.id }] }).expect(204);
      expect(res.text).toBe("");
      const after = await getGroup(group.id);
      expect(res.headers.etag).toBe(after.meta.version);
      expect(after.meta.version).not.toBe(group.meta.version);
      expect(memberIds(after)).toEqual(ids(alice, bob));
    });

    it('removes members the Entra ID way: {"op":"Remove","path":"members","value":[{"value":id}]}', async () => {
      const group = await createGroup("Entra Remove", [{ value: alice.id }, { value: bob.id }, { value: carol.id }]);
      await patch(group.id, { op: "Remove", path: "members", value: [{ value: alice.id }, { value: carol.id }] }).expect(204);
      expect(memberIds(await getGroup(group.id))).toEqual(ids(bob));
    });

    it('removes a member by members[value eq "id"] (RFC 7644 §3.5.2.2)', async () => {
      const group = await createGroup("Filter Remove", [{ value: alice.id }, { value: bob.id }]);
      await patch(group.id, { op: "remove", path: `members[value eq "${alice.id}"]` }).expect(204);
      expect(memberIds(await getGroup(group.id))).toEqual(ids(bob));
    });

    it("removes every member with path members and no value", async () => {
      const group = await createGroup("Remove All", [{ value: alice.id }, { value: bob.id }]);
      await patch(group.id, { op: "remove", path: "members" }).expect(204);
      expect(await getGroup(group.id)).not.toHaveProperty("members");
    });

    it("replaces all members, by replace and by remove-then-add (RFC 7644 §3.5.2.3)", async () => {
      const group = await createGroup("Replace Members", [{ value: alice.id }]);
      await patch(group.id, { op: "replace", path: "members", value: [{ value: bob.id }, { value: carol.id }] }).expect(204);
      expect(memberIds(await getGroup(group.id))).toEqual(ids(bob, carol));
      await patch(group.id, { op: "remove", path: "members" }, { op: "add", path: "members", value: [{ value: alice.id }] }).expect(204);
      expect(memberIds(await getGroup(group.id))).toEqual(ids(alice));
    });

    it("renames the group with Entra's Replace displayName and Okta's no-path replace", async () => {
      const group = await createGroup("Old Name", [{ value: alice.id }]);
      await patch(group.id, { op: "Replace", path: "displayName", value: "Entra Name" }).expect(204);
      expect((await getGroup(group.id)).displayName).toBe("Entra Name");
      await patch(group.id, { op: "replace", value: { id: group.id, displayName: "Okta Name" } }).expect(204);
      const after = await getGroup(group.id);
      expect(after.displayName).toBe("Okta Name");
      expect(memberIds(after)).toEqual(ids(alice));
    });

    it("answers 200 with the projected group when attributes is given", async () => {
      const group = await createGroup("Patch With Body");
      const res = await patch(group.id, { op: "add", path: "members", value: [{ value: bob.id }] })
        .query({ attributes: "members,displayName" })
        .expect(200);
      expect(res.body).toEqual({
        schemas: [GROUP_SCHEMA],
        id: group.id,
        displayName: "Patch With Body",
        members: [expect.objectContaining({ value: bob.id, display: "Bob Builder" })],
      });
      expect(res.headers.etag).toBe((await getGroup(group.id)).meta.version);
    });

    it("adding one valid and one unknown member adds neither: 400 invalidValue, version unchanged", async () => {
      const group = await createGroup("Atomic Add", [{ value: alice.id }]);
      const res = await patch(group.id, { op: "add", path: "members", value: [{ value: bob.id }, { value: randomUUID() }] }).expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidValue" });
      expect(await getGroup(group.id)).toEqual(group);
    });
  });

  describe("PUT", () => {
    it("replaces displayName, externalId and the member list", async () => {
      const group = await createGroup("Put Me", [{ value: alice.id }, { value: bob.id }], { externalId: "put-ext" });
      const res = await org
        .scim("put", `/Groups/${group.id}`)
        .send({ schemas: [GROUP_SCHEMA], displayName: "Put Done", members: [{ value: carol.id }] })
        .expect(200);
      expect(res.body).toMatchObject({ id: group.id, displayName: "Put Done" });
      expect(res.body).not.toHaveProperty("externalId");
      expect(memberIds(res.body)).toEqual(ids(carol));
      expect(res.headers.etag).toBe(res.body.meta.version);
      expect(await getGroup(group.id)).toEqual(res.body);
    });

    it("with an unknown member changes nothing", async () => {
      const group = await createGroup("Put Atomic", [{ value: alice.id }]);
      await org
        .scim("put", `/Groups/${group.id}`)
        .send({ schemas: [GROUP_SCHEMA], displayName: "Put Changed", members: [{ value: randomUUID() }] })
        .expect(400);
      expect(await getGroup(group.id)).toEqual(group);
    });
  });

  describe("membership lookups and DELETE", () => {
    it('finds a user\'s groups with members.value eq "<userId>" and lists them in the user\'s groups attribute', async () => {
      const erin = await createUser("erin");
      const one = await createGroup("Erin One", [{ value: erin.id }, { value: alice.id }]);
      const two = await createGroup("Erin Two", [{ value: erin.id }]);
      await createGroup("Not Erin", [{ value: alice.id }]);
      const found = await org.scim("get", `/Groups?filter=${encodeURIComponent(`members.value eq "${erin.id}"`)}`).expect(200);
      expect(found.body.Resources.map((g: Doc) => g.id).sort()).toEqual([one.id, two.id].sort());
      const user = (await org.scim("get", `/Users/${erin.id}`).expect(200)).body;
      expect(user.groups).toEqual([
        { value: one.id, display: "Erin One", type: "direct", $ref: `${SCIM_BASE}/Groups/${one.id}` },
        { value: two.id, display: "Erin Two", type: "direct", $ref: `${SCIM_BASE}/Groups/${two.id}` },
      ]);
      const byGroup = await org.scim("get", `/Users?filter=${encodeURIComponent(`groups.value eq "${two.id}"`)}`).expect(200);
      expect(byGroup.body.Resources.map((u: Doc) => u.id)).toEqual([erin.id]);
    });

    it("DELETE answers 204; the group is gone, from lookups and from its members' groups", async () => {
      const frank = await createUser("frank");
      const group = await createGroup("Doomed", [{ value: frank.id }]);
      const parent = await createGroup("Parent Of Doomed", [{ value: group.id }]);
      await org.scim("delete", `/Groups/${group.id}`).expect(204);
      await org.scim("get", `/Groups/${group.id}`).expect(404);
      expect((await org.scim("get", `/Users/${frank.id}`).expect(200)).body).not.toHaveProperty("groups");
      const parentAfter = await getGroup(parent.id);
      expect(parentAfter).not.toHaveProperty("members");
      expect(parentAfter.meta.version).not.toBe(parent.meta.version);
      await org.scim("delete", `/Groups/${group.id}`).expect(404);
    });
  });
});
