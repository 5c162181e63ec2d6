// SCIM errors over HTTP (RFC 7644 §3.12): every failure answers a SCIM Error
// body with the right status and scimType and a detail a person can act on,
// and a failed write changes nothing.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type supertest from "supertest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, type TestOrg, type TestServer, USER_SCHEMA, patchBody, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;
const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** Awaits the request and checks it is a SCIM error with this status and scimType; returns the detail. */
async function expectScimError(req: supertest.Test, status: number, scimType?: string): Promise<string> {
  const res = await req;
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(res.body.status).toBe(String(status));
  if (scimType === undefined) expect(res.body).not.toHaveProperty("scimType");
  else expect(res.body.scimType).toBe(scimType);
  expect(typeof res.body.detail).toBe("string");
  expect(res.body.detail.length).toBeGreaterThan(10);
  return res.body.detail as string;
}

describe.each(ENGINES)("SCIM errors on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let user: Doc;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Erroneous");
    user = (await org.scim("post", "/Users").send(userBody("err.user", { title: "Original" })).expect(201)).body;
  });
  afterAll(async () => {
    await server.close();
  });

  const unchanged = async (kind: "Users" | "Groups", before: Doc) =>
    expect((await org.scim("get", `/${kind}/${before.id}`).expect(200)).body).toEqual(before);

  describe("request bodies", () => {
    it.each([
      ["POST /Users", "post", (): string => "/Users"],
      ["PUT /Users/:id", "put", (): string => `/Users/${user.id}`],
      ["PATCH /Users/:id", "patch", (): string => `/Users/${user.id}`],
      ["POST /Groups", "post", (): string => "/Groups"],
    ] as const)("%s with malformed JSON answers 400 invalidSyntax", async (_, method, path) => {
      const detail = await expectScimError(org.scim(method, path()).send('{"userName": "x",'), 400, "invalidSyntax");
      expect(detail).toMatch(/JSON/);
      await unchanged("Users", user);
    });

    it("a body that is not JSON at all answers 400 invalidSyntax naming the content type to use", async () => {
      const detail = await expectScimError(org.scim("post", "/Users").set("Content-Type", "text/plain").send("userName=x"), 400, "invalidSyntax");
      expect(detail).toMatch(/application\/scim\+json/);
    });

    it("a JSON array where a resource is expected answers 400 invalidSyntax", async () => {
      await expectScimError(org.scim("post", "/Users").send([userBody("in.array")]), 400, "invalidSyntax");
    });

    it("a missing userName answers 400 invalidValue naming userName", async () => {
      const detail = await expectScimError(org.scim("post", "/Users").send({ schemas: [USER_SCHEMA], displayName: "No Name" }), 400, "invalidValue");
      expect(detail).toMatch(/userName/);
    });

    it.each([
      ["userName: 5", { userName: 5 }, /userName/],
      ["an empty userName", { userName: "  " }, /userName/],
      ["active: \"maybe\"", { userName: "maybe", active: "maybe" }, /active/],
      ["emails as a string", { userName: "str.emails", emails: "a@b.c" }, /emails/],
    ])("%s answers 400 invalidValue naming the attribute", async (_, body, names) => {
      const detail = await expectScimError(org.scim("post", "/Users").send({ schemas: [USER_SCHEMA], ...body }), 400, "invalidValue");
      expect(detail).toMatch(names);
    });

    it("PUT with a wrong type answers 400 invalidValue and changes nothing", async () => {
      await expectScimError(org.scim("put", `/Users/${user.id}`).send({ schemas: [USER_SCHEMA], userName: 5 }), 400, "invalidValue");
      await unchanged("Users", user);
    });

    it("a group without displayName answers 400 invalidValue", async () => {
      const detail = await expectScimError(org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA] }), 400, "invalidValue");
      expect(detail).toMatch(/displayName/);
    });
  });

  describe("filters and list parameters", () => {
    it.each([
      "userName eq",
      'userName zz "x"',
      'nope eq "x"',
      'password eq "secret"',
      '(userName eq "x"',
      'userName eq "x" and',
      'emails[type eq "work"',
    ])("filter %j answers 400 invalidFilter", async (filter) => {
      await expectScimError(org.scim("get", "/Users").query({ filter }), 400, "invalidFilter");
    });

    it("a bad filter on /Groups answers 400 invalidFilter naming the attribute", async () => {
      const detail = await expectScimError(org.scim("get", "/Groups").query({ filter: 'userName eq "x"' }), 400, "invalidFilter");
      expect(detail).toMatch(/userName/);
    });

    it.each([
      ["count=abc", { count: "abc" }, /count/],
      ["sortOrder=sideways", { sortOrder: "sideways" }, /sortOrder/],
      ["sortBy=nope", { sortBy: "nope" }, /nope/],
    ])("%s answers 400 invalidValue", async (_, query, names) => {
      const detail = await expectScimError(org.scim("get", "/Users").query(query), 400, "invalidValue");
      expect(detail).toMatch(names);
    });
  });

  describe("PATCH", () => {
    it.each([
      ["an unknown attribute", { op: "replace", path: "nope", value: "x" }],
      ["an unclosed value filter", { op: "replace", path: 'emails[type eq "work".value', value: "x" }],
      ["a sub-attribute of a simple attribute", { op: "replace", path: "userName.first", value: "x" }],
    ])("a path naming %s answers 400 invalidPath and changes nothing", async (_, op) => {
      const detail = await expectScimError(org.scim("patch", `/Users/${user.id}`).send(patchBody(op)), 400, "invalidPath");
      expect(detail).toMatch(/Operations\[0\]/);
      await unchanged("Users", user);
    });

    it("a body without the PatchOp schema or without Operations answers 400 invalidSyntax", async () => {
      await expectScimError(org.scim("patch", `/Users/${user.id}`).send({ Operations: [{ op: "add", path: "title", value: "x" }] }), 400, "invalidSyntax");
      await expectScimError(org.scim("patch", `/Users/${user.id}`).send(patchBody()), 400, "invalidSyntax");
      await expectScimError(org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "move", path: "title" })), 400, "invalidSyntax");
      await unchanged("Users", user);
    });

    it("whose second operation is invalid leaves the user untouched", async () => {
      const detail = await expectScimError(
        org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "replace", path: "title", value: "Changed" }, { op: "add", path: "nope", value: 1 })),
        400,
        "invalidPath",
      );
      expect(detail).toMatch(/Operations\[1\]/);
      await unchanged("Users", user);
    });

    it("whose second operation's filter matches nothing answers 400 noTarget and leaves the user untouched", async () => {
      const detail = await expectScimError(
        org
          .scim("patch", `/Users/${user.id}`)
          .send(
            patchBody(
              { op: "replace", path: "title", value: "Changed" },
              { op: "replace", path: 'emails[value ew "@nowhere.test"].type', value: "home" },
            ),
          ),
        400,
        "noTarget",
      );
      expect(detail).toMatch(/Operations\[1\].*matched no value/);
      await unchanged("Users", user);
    });

    it("whose second operation writes a value the schema refuses leaves the user untouched", async () => {
      await expectScimError(
        org
          .scim("patch", `/Users/${user.id}`)
          .send(patchBody({ op: "replace", path: "title", value: "Changed" }, { op: "replace", path: "active", value: "maybe" })),
        400,
        "invalidValue",
      );
      await unchanged("Users", user);
    });

    it("a group PATCH renaming it and adding one valid and one unknown member changes nothing", async () => {
      const member = (await org.scim("post", "/Users").send(userBody("err.member")).expect(201)).body;
      const other = (await org.scim("post", "/Users").send(userBody("err.other")).expect(201)).body;
      const group = (
        await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: "Err Group", members: [{ value: member.id }] }).expect(201)
      ).body;
      const missing = randomUUID();
      const detail = await expectScimError(
        org.scim("patch", `/Groups/${group.id}`).send(
          patchBody(
            { op: "replace", path: "displayName", value: "Renamed" },
            { op: "add", path: "members", value: [{ value: other.id }, { value: missing }] },
          ),
        ),
        400,
        "invalidValue",
      );
      expect(detail).toContain(missing);
      await unchanged("Groups", group);
    });
  });

  describe("endpoints", () => {
    it.each([
      ["get", "/Nope"],
      ["post", "/Nope"],
      ["get", "/Users/00000000-0000-4000-8000-000000000000/extra"],
      ["delete", "/Users"],
      ["put", "/Groups"],
    ] as const)("%s %s answers a SCIM 404", async (method, path) => {
      const req = org.scim(method, path);
      const detail = await expectScimError(method === "get" || method === "delete" ? req : req.send({}), 404);
      expect(detail).toContain(path.split("/")[1]!);
    });

    it.each([
      ["get", "/Me"],
      ["put", "/Me"],
      ["patch", "/Me"],
    ] as const)("%s %s answers 501 with a SCIM error", async (method, path) => {
      const req = org.scim(method, path);
      await expectScimError(method === "get" ? req : req.send({}), 501);
    });

    it("get /Bulk answers 405 with a SCIM error (POST only)", async () => {
      await expectScimError(org.scim("get", "/Bulk"), 405);
    });

    it("a body above the size limit answers 413 with a SCIM error", async () => {
      const big = userBody("too.big", { title: "x".repeat(1_100_000) });
      await expectScimError(org.scim("post", "/Users").send(big), 413);
    });
  });
});
