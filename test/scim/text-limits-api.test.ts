// Text PostgreSQL cannot store or index answers 400 invalidValue, never 500:
// U+0000 and unpaired surrogates are valid JSON escapes (\u0000, \ud800) but
// text/jsonb refuse them; a btree index entry cannot exceed about 2.7 kB.
import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, type TestOrg, type TestServer, USER_SCHEMA, patchBody, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;
const LIMIT = 512;
/** Incompressible text of 3-byte UTF-8 characters, so the index entry is as large as it can be. */
const randomCjk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x4e00 + randomInt(0x5000))).join("");

describe.each(ENGINES)("text the database cannot hold, on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Texts");
  });
  afterAll(async () => {
    await server.close();
  });

  async function expectInvalidValue(res: Promise<{ status: number; body: Doc }>, detail: RegExp) {
    const { status, body } = await res;
    expect(status).toBe(400);
    expect(body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "400", scimType: "invalidValue" });
    expect(body.detail).toMatch(detail);
  }
  const countUsers = async () => (await org.scim("get", "/Users?count=0").expect(200)).body.totalResults as number;

  describe("NUL and unpaired surrogates", () => {
    it.each([
      ["userName", userBody("nul\u0000name"), /userName.*U\+0000/],
      ["name.givenName", userBody("nul.given", { name: { givenName: "Ba\u0000bs" } }), /name\.givenName.*U\+0000/],
      ["an emails value", userBody("nul.email", { emails: [{ value: "a\u0000@example.com" }] }), /emails\[0\]\.value/],
      [
        "an enterprise attribute",
        userBody("nul.ext", { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], [ENTERPRISE_SCHEMA]: { department: "R\u0000D" } }),
        /department.*U\+0000/,
      ],
    ])("a NUL character in %s is refused and creates nothing", async (_, body, detail) => {
      const before = await countUsers();
      await expectInvalidValue(org.scim("post", "/Users").send(body), detail);
      expect(await countUsers()).toBe(before);
    });

    it("an unpaired surrogate is refused; a surrogate pair (an emoji) is stored and returned", async () => {
      const lone = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"lone","title":"x\\ud800y"}';
      await expectInvalidValue(org.scim("post", "/Users").send(lone), /title.*surrogate/);
      const paired = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"paired\\ud83d\\ude00","title":"\\ud83d\\ude00"}';
      const res = await org.scim("post", "/Users").send(paired).expect(201);
      expect(res.body).toMatchObject({ userName: "paired\u{1F600}", title: "\u{1F600}" });
    });

    it("a PATCH writing a NUL character is refused and changes nothing", async () => {
      const user = (await org.scim("post", "/Users").send(userBody("nul.patch")).expect(201)).body;
      await expectInvalidValue(
        org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "replace", path: "displayName", value: "a\u0000b" })),
        /displayName.*U\+0000/,
      );
      expect((await org.scim("get", `/Users/${user.id}`).expect(200)).body).toEqual(user);
    });

    it("a group displayName with a NUL character is refused", async () => {
      await expectInvalidValue(org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: "G\u0000" }), /displayName/);
    });

    it("a filter with a NUL character answers 400 invalidFilter", async () => {
      const res = await org.scim("get", "/Users").query({ filter: 'userName eq "a\u0000b"' }).expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidFilter" });
    });
  });

  describe("indexed attributes are at most 512 characters", () => {
    it("accepts 512 incompressible multi-byte characters in every indexed user attribute", async () => {
      const long = randomCjk(LIMIT);
      const res = await org
        .scim("post", "/Users")
        .send(userBody(long, { externalId: randomCjk(LIMIT), displayName: randomCjk(LIMIT), emails: [{ value: randomCjk(LIMIT), type: "home" }] }))
        .expect(201);
      expect(res.body.userName).toBe(long);
      const found = await org.scim("get", "/Users").query({ filter: `userName eq "${long}"` }).expect(200);
      expect(found.body.Resources.map((u: Doc) => u.id)).toEqual([res.body.id]);
    });

    it.each([
      ["userName", (v: string) => userBody(v)],
      ["externalId", (v: string) => userBody("long.ext", { externalId: v })],
      ["displayName", (v: string) => userBody("long.display", { displayName: v })],
      ["emails[0].value", (v: string) => userBody("long.email", { emails: [{ value: v }] })],
    ])("refuses a %s of 513 characters with 400 invalidValue", async (name, body) => {
      const before = await countUsers();
      const detail = new RegExp(`${name.replace(/[[\]]/g, "\\$&")} is 513 characters long; the limit is 512`);
      await expectInvalidValue(org.scim("post", "/Users").send(body(randomCjk(LIMIT + 1))), detail);
      expect(await countUsers()).toBe(before);
    });

    it("refuses a group displayName or externalId of 513 characters, and a PUT renaming onto one", async () => {
      await expectInvalidValue(org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: randomCjk(LIMIT + 1) }), /displayName is 513/);
      await expectInvalidValue(
        org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: "ok", externalId: randomCjk(LIMIT + 1) }),
        /externalId is 513/,
      );
      const group = (await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: randomCjk(LIMIT) }).expect(201)).body;
      await expectInvalidValue(
        org.scim("put", `/Groups/${group.id}`).send({ schemas: [GROUP_SCHEMA], displayName: randomCjk(LIMIT + 1) }),
        /displayName is 513/,
      );
      expect((await org.scim("get", `/Groups/${group.id}`).expect(200)).body).toEqual(group);
    });

    it("does not limit attributes that are not indexed", async () => {
      const title = randomCjk(20_000);
      const res = await org.scim("post", "/Users").send(userBody("long.title", { title })).expect(201);
      expect(res.body.title).toBe(title);
    });
  });
});
