// Concurrent writes over HTTP. On PostgreSQL requests really run in parallel
// (a pool of connections); PGlite serialises them, so there these tests only
// check the results are the same.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, type TestOrg, type TestServer, patchBody, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;

describe.each(ENGINES)("concurrent writes on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Racers");
  });
  afterAll(async () => {
    await server.close();
  });

  const createUser = async (): Promise<Doc> => (await org.scim("post", "/Users").send(userBody(`racer-${++seq}`)).expect(201)).body;
  const createGroup = async (): Promise<Doc> =>
    (await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: `race-${++seq}` }).expect(201)).body;
  const read = async (kind: "Users" | "Groups", id: string): Promise<Doc> => (await org.scim("get", `/${kind}/${id}`).expect(200)).body;

  it("PATCHes to one user and to one group are serialised: none is lost and each gets its own version", async () => {
    const user = await createUser();
    const group = await createGroup();
    const newcomers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => createUser()));
    const [userPatches, groupPatches] = await Promise.all([
      Promise.all(
        newcomers.map((_, i) =>
          org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "add", path: "emails", value: [{ value: `c${i}@example.net`, type: "other" }] })),
        ),
      ),
      Promise.all(
        newcomers.map((n) =>
          org.scim("patch", `/Groups/${group.id}`).send(patchBody({ op: "add", path: "members", value: [{ value: n.id }] })),
        ),
      ),
    ]);
    expect(userPatches.map((r) => r.status)).toEqual(newcomers.map(() => 200));
    expect(groupPatches.map((r) => r.status)).toEqual(newcomers.map(() => 204));
    expect(new Set(userPatches.map((r) => r.headers.etag)).size).toBe(newcomers.length);
    const userAfter = await read("Users", user.id);
    expect(userAfter.emails).toHaveLength(1 + newcomers.length);
    expect(userAfter.meta.version).toBe(`W/"${1 + newcomers.length}"`);
    const groupAfter = await read("Groups", group.id);
    expect(groupAfter.members.map((m: Doc) => m.value).sort()).toEqual(newcomers.map((n) => n.id).sort());
    expect(groupAfter.meta.version).toBe(`W/"${1 + newcomers.length}"`);
  });

  it("deleting a user while it is being added to a group never leaves a membership to the deleted user", async () => {
    const group = await createGroup();
    const outcomes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const user = await createUser();
      const [deleted, added] = await Promise.all([
        org.scim("delete", `/Users/${user.id}`),
        org.scim("patch", `/Groups/${group.id}`).send(patchBody({ op: "add", path: "members", value: [{ value: user.id }] })),
      ]);
      outcomes.add(`${deleted.status}/${added.status}`);
    }
    // Either the add went first (and the delete then removed the membership) or the add found no such user.
    expect([...outcomes].filter((o) => o !== "204/204" && o !== "204/400")).toEqual([]);
    expect(await read("Groups", group.id)).not.toHaveProperty("members");
    const filter = encodeURIComponent(`displayName eq "${(await read("Groups", group.id)).displayName}"`);
    const listed = (await org.scim("get", `/Groups?filter=${filter}`).expect(200)).body;
    expect(listed.Resources[0]).not.toHaveProperty("members");
  });

  it("deleting a group while it is being added to another group never leaves a membership to the deleted group", async () => {
    const parent = await createGroup();
    for (let i = 0; i < 10; i++) {
      const child = await createGroup();
      await Promise.all([
        org.scim("delete", `/Groups/${child.id}`).expect(204),
        org.scim("patch", `/Groups/${parent.id}`).send(patchBody({ op: "add", path: "members", value: [{ value: child.id }] })),
      ]);
    }
    expect(await read("Groups", parent.id)).not.toHaveProperty("members");
  });

  it("re-adding a member while it is being deleted neither deadlocks nor leaves the membership behind", async () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const user = await createUser();
      const group = (
        await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: `readd-${i}`, members: [{ value: user.id }] }).expect(201)
      ).body;
      const [deleted, added] = await Promise.all([
        org.scim("delete", `/Users/${user.id}`),
        org.scim("patch", `/Groups/${group.id}`).send(patchBody({ op: "add", path: "members", value: [{ value: user.id }] })),
      ]);
      outcomes.add(`${deleted.status}/${added.status}`);
      expect(await read("Groups", group.id)).not.toHaveProperty("members");
    }
    expect([...outcomes].filter((o) => o !== "204/204" && o !== "204/400")).toEqual([]);
  });

  it("deleting many users that share groups, all at once, succeeds and bumps each group once per user", async () => {
    const users = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => createUser()));
    const members = users.map((u) => ({ value: u.id }));
    const groups = await Promise.all(
      ["shared-a", "shared-b", "shared-c"].map(
        async (displayName) => (await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName, members }).expect(201)).body as Doc,
      ),
    );
    const deleted = await Promise.all(users.map((u) => org.scim("delete", `/Users/${u.id}`)));
    expect(deleted.map((r) => r.status)).toEqual(users.map(() => 204));
    for (const group of groups) {
      const after = await read("Groups", group.id);
      expect(after).not.toHaveProperty("members");
      expect(after.meta.version).toBe(`W/"${1 + users.length}"`);
    }
  });

  it("two creates of the same userName at once: one 201, the other 409 uniqueness", async () => {
    const results = await Promise.all(["twin", "TWIN"].map((userName) => org.scim("post", "/Users").send(userBody(userName))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body).toMatchObject({ status: "409", scimType: "uniqueness" });
  });
});
