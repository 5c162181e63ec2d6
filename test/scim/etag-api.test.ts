// ETags over HTTP (RFC 7644 §3.14, RFC 7232): meta.version is the ETag; If-Match
// guards PUT, PATCH and DELETE; If-None-Match lets a GET answer 304.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, type TestOrg, type TestServer, patchBody, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;
type Kind = "Users" | "Groups";

describe.each(ENGINES)("ETags on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let member: Doc;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Versioned");
    member = (await org.scim("post", "/Users").send(userBody("etag-member")).expect(201)).body;
  });
  afterAll(async () => {
    await server.close();
  });

  let seq = 0;
  /** A fresh resource of each kind, with what PUT and PATCH send to change it. */
  const kinds: Record<Kind, { create(): Promise<Doc>; put(r: Doc): Doc; patch(): Doc }> = {
    Users: {
      create: async () => (await org.scim("post", "/Users").send(userBody(`etag-user-${++seq}`)).expect(201)).body,
      put: (r) => userBody(r.userName, { displayName: "Put" }),
      patch: () => patchBody({ op: "replace", path: "displayName", value: "Patched" }),
    },
    Groups: {
      create: async () =>
        (await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: `etag-group-${++seq}` }).expect(201)).body,
      put: (r) => ({ schemas: [GROUP_SCHEMA], displayName: r.displayName, members: [{ value: member.id }] }),
      patch: () => patchBody({ op: "add", path: "members", value: [{ value: member.id }] }),
    },
  };

  const read = async (kind: Kind, id: string): Promise<Doc> => (await org.scim("get", `/${kind}/${id}`).expect(200)).body;

  describe.each(["Users", "Groups"] as const)("%s", (kind) => {
    it("GET sends the ETag header equal to meta.version, and each write issues a new one", async () => {
      const created = await kinds[kind].create();
      const got = await org.scim("get", `/${kind}/${created.id}`).expect(200);
      expect(got.headers.etag).toBe(created.meta.version);
      expect(got.headers.etag).toMatch(/^W\/"\d+"$/);
      const put = await org.scim("put", `/${kind}/${created.id}`).send(kinds[kind].put(created)).expect(200);
      expect(put.headers.etag).not.toBe(created.meta.version);
      const patched = await org.scim("patch", `/${kind}/${created.id}`).send(kinds[kind].patch());
      expect([200, 204]).toContain(patched.status);
      expect(patched.headers.etag).not.toBe(put.headers.etag);
      expect((await read(kind, created.id)).meta.version).toBe(patched.headers.etag);
    });

    it("PUT with If-Match of the current version succeeds with a new version", async () => {
      const created = await kinds[kind].create();
      const res = await org.scim("put", `/${kind}/${created.id}`).set("If-Match", created.meta.version).send(kinds[kind].put(created)).expect(200);
      expect(res.body.meta.version).not.toBe(created.meta.version);
      expect(res.headers.etag).toBe(res.body.meta.version);
    });

    it("PUT with a stale If-Match answers 412 and changes nothing", async () => {
      const created = await kinds[kind].create();
      await org.scim("put", `/${kind}/${created.id}`).send(kinds[kind].put(created)).expect(200);
      const current = await read(kind, created.id);
      const res = await org.scim("put", `/${kind}/${created.id}`).set("If-Match", created.meta.version).send(kinds[kind].put(created)).expect(412);
      expect(res.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "412" });
      expect(res.body.detail).toMatch(/modified|version/);
      expect(await read(kind, created.id)).toEqual(current);
    });

    it("PATCH honours If-Match: current succeeds, stale answers 412 and changes nothing", async () => {
      const created = await kinds[kind].create();
      const ok = await org.scim("patch", `/${kind}/${created.id}`).set("If-Match", created.meta.version).send(kinds[kind].patch());
      expect([200, 204]).toContain(ok.status);
      const current = await read(kind, created.id);
      expect(current.meta.version).not.toBe(created.meta.version);
      expect(ok.headers.etag).toBe(current.meta.version);
      await org
        .scim("patch", `/${kind}/${created.id}`)
        .set("If-Match", created.meta.version)
        .send(patchBody({ op: "replace", path: "displayName", value: "Stale Write" }))
        .expect(412);
      expect(await read(kind, created.id)).toEqual(current);
    });

    it("DELETE honours If-Match: stale answers 412 and keeps the resource, current deletes it", async () => {
      const created = await kinds[kind].create();
      const put = await org.scim("put", `/${kind}/${created.id}`).send(kinds[kind].put(created)).expect(200);
      await org.scim("delete", `/${kind}/${created.id}`).set("If-Match", created.meta.version).expect(412);
      await org.scim("get", `/${kind}/${created.id}`).expect(200);
      await org.scim("delete", `/${kind}/${created.id}`).set("If-Match", put.body.meta.version).expect(204);
      await org.scim("get", `/${kind}/${created.id}`).expect(404);
    });

    it("If-Match with a list of tags succeeds when any of them is current (RFC 7232 §3.1)", async () => {
      const created = await kinds[kind].create();
      const res = await org
        .scim("put", `/${kind}/${created.id}`)
        .set("If-Match", `W/"999", ${created.meta.version}, "garbage"`)
        .send(kinds[kind].put(created))
        .expect(200);
      await org.scim("put", `/${kind}/${created.id}`).set("If-Match", `W/"999", ${created.meta.version}`).send(kinds[kind].put(created)).expect(412);
      expect(await read(kind, created.id)).toEqual(res.body);
    });

    it('If-Match "*" matches any current version', async () => {
      const created = await kinds[kind].create();
      await org.scim("put", `/${kind}/${created.id}`).set("If-Match", "*").send(kinds[kind].put(created)).expect(200);
    });

    it("If-Match with a tag this server never issued answers 412", async () => {
      const created = await kinds[kind].create();
      for (const tag of ['"not-a-version"', "garbage"]) {
        await org.scim("put", `/${kind}/${created.id}`).set("If-Match", tag).send(kinds[kind].put(created)).expect(412);
      }
      expect(await read(kind, created.id)).toEqual(created);
    });

    it("GET with If-None-Match of the current version answers 304 without a body; a stale one gets 200", async () => {
      const created = await kinds[kind].create();
      const fresh = await org.scim("get", `/${kind}/${created.id}`).set("If-None-Match", created.meta.version).expect(304);
      expect(fresh.text ?? "").toBe("");
      expect(fresh.headers.etag).toBe(created.meta.version);
      await org.scim("put", `/${kind}/${created.id}`).send(kinds[kind].put(created)).expect(200);
      const stale = await org.scim("get", `/${kind}/${created.id}`).set("If-None-Match", created.meta.version).expect(200);
      expect(stale.headers.etag).not.toBe(created.meta.version);
      expect(stale.body.id).toBe(created.id);
    });
  });

  it("a group membership change through a user's deletion invalidates the group's ETag", async () => {
    const leaving = (await org.scim("post", "/Users").send(userBody("etag-leaving")).expect(201)).body;
    const group = (
      await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: "etag-cascade", members: [{ value: leaving.id }] }).expect(201)
    ).body;
    await org.scim("delete", `/Users/${leaving.id}`).expect(204);
    await org.scim("get", `/Groups/${group.id}`).set("If-None-Match", group.meta.version).expect(200);
    await org.scim("patch", `/Groups/${group.id}`).set("If-Match", group.meta.version).send(kinds.Groups.patch()).expect(412);
  });
});
