// attributes / excludedAttributes over HTTP (RFC 7644 §3.4.2.5, §3.9, §3.10):
// short or fully qualified names, sub-attributes, the enterprise extension.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import {
  ENTERPRISE_SCHEMA,
  GROUP_SCHEMA,
  SCIM_BASE,
  type TestOrg,
  type TestServer,
  USER_SCHEMA,
  startTestServer,
  userBody,
} from "../support/server.ts";

type Doc = Record<string, any>;

describe.each(ENGINES)("projection on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let user: Doc;
  let group: Doc;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Projectors");
    user = (
      await org
        .scim("post", "/Users")
        .send(userBody("proj", { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], [ENTERPRISE_SCHEMA]: { department: "Tours", costCenter: "4130" } }))
        .expect(201)
    ).body;
    group = (
      await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: "Projected", members: [{ value: user.id }] }).expect(201)
    ).body;
  });
  afterAll(async () => {
    await server.close();
  });

  const getUser = async (query: string) => (await org.scim("get", `/Users/${user.id}?${query}`).expect(200)).body;
  const getGroup = async (query: string) => (await org.scim("get", `/Groups/${group.id}?${query}`).expect(200)).body;

  describe("Users", () => {
    it("attributes naming core attributes returns only those, without the extension", async () => {
      expect(await getUser("attributes=userName")).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: "proj" });
      expect(await getUser("attributes=USERNAME,meta.version")).toEqual({
        schemas: [USER_SCHEMA],
        id: user.id,
        userName: "proj",
        meta: { version: user.meta.version },
      });
    });

    it("attributes naming a sub-attribute returns just that sub-attribute", async () => {
      expect(await getUser("attributes=groups.display")).toEqual({ schemas: [USER_SCHEMA], id: user.id, groups: [{ display: "Projected" }] });
      expect(await getUser("attributes=name.givenName")).toEqual({ schemas: [USER_SCHEMA], id: user.id, name: { givenName: "Test" } });
    });

    it("accepts core attributes named with their schema URN (RFC 7644 §3.10)", async () => {
      expect(await getUser(`attributes=${USER_SCHEMA}:userName,${USER_SCHEMA}:name.familyName`)).toEqual({
        schemas: [USER_SCHEMA],
        id: user.id,
        userName: "proj",
        name: { familyName: "User" },
      });
      const excluded = await getUser(`excludedAttributes=${USER_SCHEMA}:emails,${USER_SCHEMA}:groups`);
      expect(excluded).not.toHaveProperty("emails");
      expect(excluded).not.toHaveProperty("groups");
      expect(excluded.userName).toBe("proj");
    });

    it("selects or leaves out the extension, whole or by attribute", async () => {
      expect(await getUser(`attributes=${ENTERPRISE_SCHEMA}:department`)).toEqual({
        schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
        id: user.id,
        [ENTERPRISE_SCHEMA]: { department: "Tours" },
      });
      expect(await getUser(`attributes=${ENTERPRISE_SCHEMA}`)).toEqual({
        schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
        id: user.id,
        [ENTERPRISE_SCHEMA]: { department: "Tours", costCenter: "4130" },
      });
      const withoutDepartment = await getUser(`excludedAttributes=${ENTERPRISE_SCHEMA}:department`);
      expect(withoutDepartment[ENTERPRISE_SCHEMA]).toEqual({ costCenter: "4130" });
      expect(withoutDepartment.userName).toBe("proj");
      const withoutExtension = await getUser(`excludedAttributes=${ENTERPRISE_SCHEMA}`);
      expect(withoutExtension).not.toHaveProperty(ENTERPRISE_SCHEMA);
      expect(withoutExtension.schemas).toEqual([USER_SCHEMA]);
    });

    it("lets attributes win when both parameters are given", async () => {
      expect(await getUser("attributes=userName&excludedAttributes=userName")).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: "proj" });
    });

    it("applies to the body of POST, PUT and PATCH responses (RFC 7644 §3.9)", async () => {
      const created = await org.scim("post", "/Users?attributes=userName").send(userBody("proj.post")).expect(201);
      expect(created.body).toEqual({ schemas: [USER_SCHEMA], id: created.body.id, userName: "proj.post" });
      expect(created.headers.location).toBe(`${SCIM_BASE}/Users/${created.body.id}`);
      const put = await org.scim("put", `/Users/${created.body.id}?excludedAttributes=emails,name,meta`).send(userBody("proj.put")).expect(200);
      expect(put.body).toEqual({
        schemas: [USER_SCHEMA],
        id: created.body.id,
        userName: "proj.put",
        active: true,
        roles: [{ value: "org:user" }, { value: "admin:member" }],
      });
      const patched = await org
        .scim("patch", `/Users/${created.body.id}?attributes=title`)
        .send({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "title", value: "T" }] })
        .expect(200);
      expect(patched.body).toEqual({ schemas: [USER_SCHEMA], id: created.body.id, title: "T" });
    });

    it("projects every resource of a list the same way", async () => {
      const res = await org
        .scim("get", "/Users")
        .query({ filter: 'userName eq "proj"', attributes: `userName,${ENTERPRISE_SCHEMA}:costCenter` })
        .expect(200);
      expect(res.body.Resources).toEqual([
        { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], id: user.id, userName: "proj", [ENTERPRISE_SCHEMA]: { costCenter: "4130" } },
      ]);
    });
  });

  describe("Groups", () => {
    it("excluding members.display still returns the other member sub-attributes", async () => {
      const body = await getGroup("excludedAttributes=members.display");
      expect(body.members).toEqual([{ value: user.id, type: "User", $ref: `${SCIM_BASE}/Users/${user.id}` }]);
      expect(body.displayName).toBe("Projected");
    });

    it("attributes=members.value returns only member ids", async () => {
      expect(await getGroup("attributes=members.value")).toEqual({ schemas: [GROUP_SCHEMA], id: group.id, members: [{ value: user.id }] });
    });

    it("accepts members named with the Group schema URN", async () => {
      const named = await getGroup(`attributes=${GROUP_SCHEMA}:members`);
      expect(named.members).toEqual([expect.objectContaining({ value: user.id, display: "proj" })]);
      expect(await getGroup(`excludedAttributes=${GROUP_SCHEMA}:members`)).not.toHaveProperty("members");
    });
  });
});
