// RFC 9865 cursor pagination over HTTP: cursor="" starts, nextCursor continues and
// is absent on the last page, filter and sortBy (NULLs included) are honoured,
// inserts between pages neither repeat nor skip rows, and any cursor that is not
// one of ours for this list is 400 invalidCursor.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { type TestOrg, type TestServer, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;
const SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const USER_COUNT = 23;

const encode = (body: unknown) => Buffer.from(JSON.stringify(body), "utf8").toString("base64url");

describe.each(ENGINES)("cursor pagination on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Cursors");
    for (let i = 0; i < USER_COUNT; i++) {
      // Names out of creation order; every third user has no displayName (NULL sort values).
      const name = `cu-${String((i * 7) % USER_COUNT).padStart(2, "0")}`;
      const extra = i % 3 === 0 ? {} : { displayName: `Person ${String(i % 5)}` };
      await org.scim("post", "/Users").send(userBody(name, extra)).expect(201);
    }
    for (const name of ["g-b", "g-a", "g-c"]) {
      await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName: name }).expect(201);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Follows nextCursor from cursor="" to the end, returning every page. */
  async function walk(path: string, query: Record<string, unknown>): Promise<Doc[]> {
    const pages: Doc[] = [];
    let cursor: string | undefined = "";
    while (cursor !== undefined) {
      const res: { body: Doc } = await org.scim("get", path).query({ ...query, cursor }).expect(200);
      pages.push(res.body);
      cursor = res.body.nextCursor;
      if (pages.length > 100) throw new Error("nextCursor never ended");
    }
    return pages;
  }

  const ids = (pages: Doc[]) => pages.flatMap((p) => (p.Resources as Doc[]).map((r) => r.id as string));

  it("walks every user once in the index order, with nextCursor on every page but the last", async () => {
    const all = await org.scim("get", "/Users").query({ count: 1000 }).expect(200);
    const pages = await walk("/Users", { count: 5 });
    expect(pages).toHaveLength(Math.ceil(USER_COUNT / 5));
    expect(ids(pages)).toEqual(all.body.Resources.map((u: Doc) => u.id));
    for (const p of pages.slice(0, -1)) expect(p.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const last = pages.at(-1)!;
    expect(last).not.toHaveProperty("nextCursor");
    // RFC 9865: a cursor page has no startIndex; totalResults still counts every match.
    expect(pages[0]).not.toHaveProperty("startIndex");
    expect(pages[0]).toMatchObject({ totalResults: USER_COUNT, itemsPerPage: 5 });
  });

  it.each([
    ["userName ascending", { sortBy: "userName", sortOrder: "ascending" }],
    ["displayName ascending (NULLs last)", { sortBy: "displayName", sortOrder: "ascending" }],
    ["displayName descending (NULLs first)", { sortBy: "displayName", sortOrder: "descending" }],
    ["meta.lastModified descending, filtered", { sortBy: "meta.lastModified", sortOrder: "descending", filter: 'userName sw "cu-1"' }],
  ])("follows sortBy %s exactly as index paging orders it", async (_name, query) => {
    const all = await org.scim("get", "/Users").query({ ...query, count: 1000 }).expect(200);
    const pages = await walk("/Users", { ...query, count: 2 });
    expect(ids(pages)).toEqual(all.body.Resources.map((u: Doc) => u.id));
    expect(new Set(ids(pages)).size).toBe(all.body.totalResults);
  });

  it("neither repeats nor skips a row when users are created between pages", async () => {
    const query = { sortBy: "userName", count: 4, filter: 'userName sw "cu-"' };
    const before = await org.scim("get", "/Users").query({ ...query, count: 1000 }).expect(200);
    const first = await org.scim("get", "/Users").query({ ...query, cursor: "" }).expect(200);
    // Sorts before every row already returned: an OFFSET would now repeat the last row of page one.
    await org.scim("post", "/Users").send(userBody("cu-00-early")).expect(201);
    const seen = [...first.body.Resources.map((u: Doc) => u.id)];
    let cursor: string | undefined = first.body.nextCursor;
    while (cursor !== undefined) {
      const res: { body: Doc } = await org.scim("get", "/Users").query({ ...query, cursor }).expect(200);
      seen.push(...res.body.Resources.map((u: Doc) => u.id));
      cursor = res.body.nextCursor;
    }
    expect(seen).toEqual(before.body.Resources.map((u: Doc) => u.id));
  });

  it("pages POST /.search with cursor in the body", async () => {
    const search = { schemas: [SEARCH_REQUEST], filter: 'userName sw "cu-0"', sortBy: "userName", count: 3 };
    const first = await org.scim("post", "/Users/.search").send({ ...search, cursor: "" }).expect(200);
    expect(first.body.Resources.map((u: Doc) => u.userName)).toEqual(["cu-00", "cu-00-early", "cu-01"]);
    const second = await org.scim("post", "/Users/.search").send({ ...search, cursor: first.body.nextCursor }).expect(200);
    expect(second.body.Resources.map((u: Doc) => u.userName)).toEqual(["cu-02", "cu-03", "cu-04"]);
  });

  it("pages /Groups by cursor", async () => {
    const pages = await walk("/Groups", { sortBy: "displayName", count: 2 });
    expect(pages.flatMap((p) => p.Resources.map((g: Doc) => g.displayName))).toEqual(["g-a", "g-b", "g-c"]);
    expect(pages).toHaveLength(2);
  });

  it("count=0 returns no resources and a nextCursor that resumes at the same place", async () => {
    const empty = await org.scim("get", "/Users").query({ cursor: "", count: 0 }).expect(200);
    expect(empty.body.Resources).toEqual([]);
    expect(empty.body.totalResults).toBeGreaterThan(0);
    const resumed = await org.scim("get", "/Users").query({ cursor: empty.body.nextCursor, count: 2 }).expect(200);
    const first = await org.scim("get", "/Users").query({ cursor: "", count: 2 }).expect(200);
    expect(resumed.body.Resources).toEqual(first.body.Resources);
  });

  describe("refuses what it cannot resume", () => {
    async function refused(path: string, query: Record<string, unknown>, scimType: string) {
      const res = await org.scim("get", path).query(query).expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType, detail: expect.any(String) });
      return res.body.detail as string;
    }

    it("a cursor that is not base64url JSON of ours is 400 invalidCursor", async () => {
      await refused("/Users", { cursor: "not a cursor!" }, "invalidCursor");
      await refused("/Users", { cursor: "bm90LWpzb24" }, "invalidCursor");
      await refused("/Users", { cursor: encode({ v: 1, r: "User", s: "id", k: [null, "not-a-uuid"] }) }, "invalidCursor");
    });

    it("a cursor issued by /Groups is 400 invalidCursor on /Users", async () => {
      const groups = await org.scim("get", "/Groups").query({ cursor: "", count: 1 }).expect(200);
      expect(await refused("/Users", { cursor: groups.body.nextCursor, count: 1 }, "invalidCursor")).toMatch(/Groups/);
    });

    it("a cursor resumed under another sortBy or sortOrder is 400 invalidCursor", async () => {
      const first = await org.scim("get", "/Users").query({ cursor: "", count: 1, sortBy: "userName" }).expect(200);
      await refused("/Users", { cursor: first.body.nextCursor, count: 1, sortBy: "displayName" }, "invalidCursor");
      await refused("/Users", { cursor: first.body.nextCursor, count: 1, sortBy: "userName", sortOrder: "descending" }, "invalidCursor");
    });

    it("a cursor whose sort value was edited into something that is not a date is 400 invalidCursor", async () => {
      const first = await org.scim("get", "/Users").query({ cursor: "", count: 1, sortBy: "meta.lastModified" }).expect(200);
      const body = JSON.parse(Buffer.from(first.body.nextCursor, "base64url").toString("utf8"));
      body.k[0] = "yesterday-ish";
      await refused("/Users", { cursor: encode(body), count: 1, sortBy: "meta.lastModified" }, "invalidCursor");
    });

    it("startIndex together with cursor is 400 invalidValue", async () => {
      expect(await refused("/Users", { cursor: "", startIndex: 1 }, "invalidValue")).toMatch(/startIndex and cursor/);
    });
  });
});
