// The audit trail of SCIM writes (server/domain/audit.ts): every successful
// create, update, suspend, restore and delete of a User, and every Group
// change, records exactly one event in the write's own transaction, naming the
// SCIM token that acted, the target, the action and what changed; a refused
// write records nothing; no password (nor its hash) ever reaches the trail.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, type TestOrg, type TestServer, patchBody, startTestServer, userBody } from "../support/server.ts";

const PASSWORDS = ["Corr3ct-Horse-Battery-Staple!", "S3cond-Secret-Phrase?", "Th1rd-Secret-Via-Put#"];

interface Event {
  actor_kind: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  target_label: string | null;
  details: Record<string, any>;
}

describe.each(ENGINES)("audit of SCIM writes on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Audit Inc");
  });
  afterAll(async () => {
    await server.close();
  });

  async function events(): Promise<(Event & { id: string })[]> {
    const rows = await server.database.db
      .selectFrom("audit_events")
      .select(["id", "actor_kind", "actor_id", "action", "target_type", "target_id", "target_label", "details"])
      .where("org_id", "=", org.id)
      .orderBy("id")
      .execute();
    return rows.map((r) => ({ ...r, details: (typeof r.details === "string" ? JSON.parse(r.details) : r.details) as Record<string, any> }));
  }

  /** Runs one request and returns the single audit event it recorded (failing if it recorded none or several). */
  async function onlyEventOf(request: () => Promise<unknown>): Promise<Event> {
    const before = (await events()).length;
    await request();
    const after = await events();
    expect(after.length - before, "events recorded by one request").toBe(1);
    const { id: _id, ...event } = after[after.length - 1]!;
    return event;
  }

  const byToken = () => ({ actor_kind: "scim-token", actor_id: org.tokenId });

  describe("Users", () => {
    let id: string;

    it("records user.created with the token as actor and the new attributes", async () => {
      const event = await onlyEventOf(async () => {
        const res = await org.scim("post", "/Users").send(userBody("alice", { displayName: "Alice", password: PASSWORDS[0] })).expect(201);
        id = res.body.id;
      });
      expect(event).toMatchObject({ ...byToken(), action: "user.created", target_type: "User", target_id: id, target_label: "alice" });
      expect(event.details.changes).toMatchObject({
        userName: { to: "alice" },
        displayName: { to: "Alice" },
        active: { to: true },
        emails: { to: [{ value: "alice@example.com", type: "work", primary: true }] },
        roles: { to: { orgRole: "user", adminRole: "member" } },
      });
      expect(event.details.changes.userName).not.toHaveProperty("from");
    });

    it("records user.updated for a PATCH with what changed, from and to", async () => {
      const event = await onlyEventOf(() =>
        org.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "displayName", value: "Alice A." })).expect(200),
      );
      expect(event).toMatchObject({ ...byToken(), action: "user.updated", target_id: id, target_label: "alice" });
      expect(event.details.changes).toEqual({ displayName: { from: "Alice", to: "Alice A." } });
    });

    it("records user.updated for a PUT, including a userName change", async () => {
      const event = await onlyEventOf(() =>
        org.scim("put", `/Users/${id}`).send(userBody("alice.b", { displayName: "Alice A.", password: PASSWORDS[2] })).expect(200),
      );
      expect(event).toMatchObject({ ...byToken(), action: "user.updated", target_id: id, target_label: "alice.b" });
      expect(event.details.changes).toMatchObject({
        userName: { from: "alice", to: "alice.b" },
        emails: { from: [{ value: "alice@example.com", type: "work", primary: true }], to: [{ value: "alice.b@example.com", type: "work", primary: true }] },
      });
      expect(event.details.passwordChanged).toBe(true);
    });

    it("records a password change as an update that says so, without the password", async () => {
      const event = await onlyEventOf(() =>
        org.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "password", value: PASSWORDS[1] })).expect(200),
      );
      expect(event).toMatchObject({ ...byToken(), action: "user.updated", target_id: id });
      expect(event.details).toEqual({ changes: {}, passwordChanged: true });
    });

    it("records user.suspended and user.restored, Entra's string booleans included", async () => {
      const suspended = await onlyEventOf(() =>
        org.scim("patch", `/Users/${id}`).send(patchBody({ op: "Replace", path: "active", value: "False" })).expect(200),
      );
      expect(suspended).toMatchObject({ ...byToken(), action: "user.suspended", target_id: id });
      expect(suspended.details.changes).toEqual({ active: { from: true, to: false } });
      const restored = await onlyEventOf(() =>
        org.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "active", value: true })).expect(200),
      );
      expect(restored).toMatchObject({ ...byToken(), action: "user.restored", target_id: id });
      expect(restored.details.changes).toEqual({ active: { from: false, to: true } });
    });

    it("records nothing for a refused write", async () => {
      const before = await events();
      await org.scim("patch", `/Users/${id}`).send(patchBody({ op: "replace", path: "userName", value: "" })).expect(400);
      await org.scim("post", "/Users").send(userBody("alice.b")).expect(409);
      await org.scim("post", "/Users").send(userBody("outsider@unverified.test")).expect(400);
      await org.scim("put", `/Users/${id}`).set("If-Match", 'W/"999"').send(userBody("alice.b")).expect(412);
      expect(await events()).toEqual(before);
    });

    it("records user.deleted with the last known attributes", async () => {
      const event = await onlyEventOf(() => org.scim("delete", `/Users/${id}`).expect(204));
      expect(event).toMatchObject({ ...byToken(), action: "user.deleted", target_type: "User", target_id: id, target_label: "alice.b" });
      expect(event.details.changes).toMatchObject({ userName: { from: "alice.b" }, active: { from: true } });
      expect(event.details.changes.userName).not.toHaveProperty("to");
    });
  });

  describe("Groups", () => {
    let groupId: string;
    let members: string[];

    beforeAll(async () => {
      members = [];
      for (const name of ["g-one", "g-two", "g-three"]) {
        members.push((await org.scim("post", "/Users").send(userBody(name)).expect(201)).body.id);
      }
    });

    it("records group.created with the members added", async () => {
      const event = await onlyEventOf(async () => {
        const res = await org
          .scim("post", "/Groups")
          .send({ schemas: [GROUP_SCHEMA], displayName: "Auditors", members: [{ value: members[0] }] })
          .expect(201);
        groupId = res.body.id;
      });
      expect(event).toMatchObject({ ...byToken(), action: "group.created", target_type: "Group", target_id: groupId, target_label: "Auditors" });
      expect(event.details.changes).toMatchObject({ displayName: { to: "Auditors" } });
      expect(event.details.members).toEqual([{ kind: "add", count: 1, ids: [members[0]] }]);
    });

    it("records group.updated for a membership PATCH, with counts and ids", async () => {
      const event = await onlyEventOf(() =>
        org
          .scim("patch", `/Groups/${groupId}`)
          .send(
            patchBody(
              { op: "add", path: "members", value: [{ value: members[1] }, { value: members[2] }] },
              { op: "remove", path: `members[value eq "${members[0]}"]` },
            ),
          )
          .expect(204),
      );
      expect(event).toMatchObject({ ...byToken(), action: "group.updated", target_id: groupId });
      expect(event.details.changes).toEqual({});
      expect(event.details.members).toEqual([
        { kind: "add", count: 2, ids: [members[1], members[2]] },
        { kind: "remove", count: 1, ids: [members[0]] },
      ]);
    });

    it("records group.updated for a rename and for a PUT", async () => {
      const renamed = await onlyEventOf(() =>
        org.scim("patch", `/Groups/${groupId}`).send(patchBody({ op: "replace", path: "displayName", value: "Audit Team" })).expect(204),
      );
      expect(renamed).toMatchObject({ ...byToken(), action: "group.updated", target_label: "Audit Team" });
      expect(renamed.details.changes).toEqual({ displayName: { from: "Auditors", to: "Audit Team" } });
      const replaced = await onlyEventOf(() =>
        org
          .scim("put", `/Groups/${groupId}`)
          .send({ schemas: [GROUP_SCHEMA], displayName: "Audit Team", members: [{ value: members[2] }] })
          .expect(200),
      );
      expect(replaced).toMatchObject({ ...byToken(), action: "group.updated", target_id: groupId });
      expect(replaced.details.members).toEqual([{ kind: "replace", count: 1, ids: [members[2]] }]);
    });

    it("records group.deleted", async () => {
      const event = await onlyEventOf(() => org.scim("delete", `/Groups/${groupId}`).expect(204));
      expect(event).toMatchObject({ ...byToken(), action: "group.deleted", target_type: "Group", target_id: groupId, target_label: "Audit Team" });
      expect(event.details.changes).toMatchObject({ displayName: { from: "Audit Team" } });
    });

    it("names every SCIM event's actor by this organization's token id only", async () => {
      const scimEvents = (await events()).filter((e) => e.actor_kind === "scim-token");
      expect(scimEvents.length).toBeGreaterThan(10);
      expect(new Set(scimEvents.map((e) => e.actor_id))).toEqual(new Set([org.tokenId]));
    });
  });

  it("never writes a password or its hash into the audit trail", async () => {
    // One more user with a password that is never deleted, so its hash can be compared too.
    const created = await org.scim("post", "/Users").send(userBody("hashed", { password: PASSWORDS[0] })).expect(201);
    const hash = (
      await server.database.db.selectFrom("users").select("password_hash").where("id", "=", created.body.id).executeTakeFirstOrThrow()
    ).password_hash!;
    expect(hash).toBeTruthy();
    const all = JSON.stringify(await events());
    for (const secret of [...PASSWORDS, hash]) expect(all).not.toContain(secret);
    expect(all.toLowerCase()).not.toContain('"password"');
  });
});
