// Listing over HTTP (RFC 7644 §3.4.2, §3.4.3): ListResponse shape, paging,
// sorting, projection and filters, by GET and by POST /.search.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, type TestOrg, type TestServer, USER_SCHEMA, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;
const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const USER_COUNT = 25;
// Created in this order; names are not in creation order, so sorting is visible.
const NAMES = Array.from({ length: USER_COUNT }, (_, i) => `user-${String((i * 7) % USER_COUNT).padStart(2, "0")}`);

describe.each(ENGINES)("lists on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let users: Doc[];

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Listers");
    for (const name of ["acme.com", "example.org"]) {
      await server.admin("post", `/orgs/${org.id}/domains`).send({ name, verified: true }).expect(201);
    }
    users = [];
    for (const [i, name] of NAMES.entries()) {
      const res = await org
        .scim("post", "/Users")
        .send(
          userBody(name, {
            displayName: `Person ${name}`,
            title: i % 2 ? "Odd" : "Even",
            active: i % 5 !== 0,
            emails: [
              { value: `${name}@${i % 3 ? "acme.com" : "example.org"}`, type: "work", primary: true },
              { value: `${name}@acme-home.net`, type: "home" },
            ],
          }),
        )
        .expect(201);
      users.push(res.body);
    }
    // A user of another organization never shows up in this one's lists.
    const other = await server.newOrg("Hidden");
    await other.scim("post", "/Users").send(userBody("user-00", {}, other.domain)).expect(201);
  });
  afterAll(async () => {
    await server.close();
  });

  async function list(query: Record<string, string | number>, resource = "Users"): Promise<Doc> {
    const res = await org.scim("get", `/${resource}`).query(query).expect(200);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    return res.body;
  }
  const userNames = (body: Doc): string[] => body.Resources.map((r: Doc) => r.userName);
  const namesOf = (pred: (i: number) => boolean) => NAMES.filter((_, i) => pred(i)).sort();

  describe("paging", () => {
    it("answers a ListResponse with totalResults, itemsPerPage and startIndex", async () => {
      const body = await list({});
      expect(body.schemas).toEqual([LIST_RESPONSE]);
      expect(body).toMatchObject({ totalResults: USER_COUNT, itemsPerPage: USER_COUNT, startIndex: 1 });
      expect(body.Resources).toHaveLength(USER_COUNT);
      expect(body.Resources[0].schemas).toEqual([USER_SCHEMA]);
    });

    it("returns every user exactly once across pages of 7", async () => {
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= USER_COUNT; startIndex += 7) {
        const body = await list({ startIndex, count: 7 });
        expect(body).toMatchObject({ totalResults: USER_COUNT, startIndex, itemsPerPage: Math.min(7, USER_COUNT - startIndex + 1) });
        seen.push(...body.Resources.map((r: Doc) => r.id));
      }
      expect(seen).toHaveLength(USER_COUNT);
      expect(new Set(seen)).toEqual(new Set(users.map((u) => u.id)));
    });

    it("pages a sorted, filtered list without gaps or repeats, also for unaligned startIndex", async () => {
      const expected = [...NAMES].sort().reverse();
      const pages = [
        await list({ sortBy: "userName", sortOrder: "descending", startIndex: 1, count: 2 }),
        await list({ sortBy: "userName", sortOrder: "descending", startIndex: 3, count: 20 }),
        await list({ sortBy: "userName", sortOrder: "descending", startIndex: 23, count: 20 }),
      ];
      expect(pages.flatMap(userNames)).toEqual(expected);
    });

    it("reads startIndex below 1 as 1", async () => {
      const first = await list({ startIndex: 1, count: 3 });
      for (const startIndex of [0, -5]) {
        const body = await list({ startIndex, count: 3 });
        expect(body.startIndex).toBe(1);
        expect(body.Resources).toEqual(first.Resources);
      }
    });

    it("with count=0 answers the total and no Resources", async () => {
      const body = await list({ count: 0 });
      expect(body).toMatchObject({ totalResults: USER_COUNT, itemsPerPage: 0, Resources: [] });
      expect((await list({ count: 0, filter: 'title eq "Odd"' })).totalResults).toBe(12);
    });

    it("caps count at the maximum of 1000 advertised in /ServiceProviderConfig", async () => {
      const big = await server.newOrg("Big");
      const config = (await big.scim("get", "/ServiceProviderConfig").expect(200)).body;
      expect(config.filter.maxResults).toBe(1000);
      // 1,005 users straight into the database: creating them over HTTP would only slow the test down.
      const now = Date.now();
      await server.database.db
        .insertInto("users")
        .values(
          Array.from({ length: 1005 }, (_, i) => ({
            org_id: big.id,
            id: randomUUID(),
            user_name: `bulk-${i}`,
            external_id: null,
            display_name: null,
            resource: "{}",
            password_hash: null,
            created_at: new Date(now + i),
            updated_at: new Date(now + i),
          })),
        )
        .execute();
      const res = await big.scim("get", "/Users").query({ count: 5000, attributes: "userName" }).expect(200);
      expect(res.body).toMatchObject({ totalResults: 1005, startIndex: 1, itemsPerPage: 1000 });
      expect(res.body.Resources).toHaveLength(1000);
      const rest = await big.scim("get", "/Users").query({ startIndex: 1001, count: 5000, attributes: "userName" }).expect(200);
      expect(rest.body.itemsPerPage).toBe(5);
    });

    it("answers a startIndex past the end with the total and an empty page", async () => {
      const body = await list({ startIndex: 100, count: 10 });
      expect(body).toMatchObject({ totalResults: USER_COUNT, startIndex: 100, itemsPerPage: 0, Resources: [] });
    });
  });

  describe("sorting", () => {
    it("sorts by userName ascending (the default order) and descending", async () => {
      expect(userNames(await list({ sortBy: "userName" }))).toEqual([...NAMES].sort());
      expect(userNames(await list({ sortBy: "userName", sortOrder: "ascending" }))).toEqual([...NAMES].sort());
      expect(userNames(await list({ sortBy: "userName", sortOrder: "descending" }))).toEqual([...NAMES].sort().reverse());
    });

    it("sorts by meta.created ascending and descending", async () => {
      const created = (body: Doc): string[] => body.Resources.map((r: Doc) => r.meta.created);
      const ascending = await list({ sortBy: "meta.created" });
      expect(created(ascending)).toEqual(users.map((u) => u.meta.created).sort());
      expect(ascending.Resources).toHaveLength(USER_COUNT);
      const descending = await list({ sortBy: "meta.created", sortOrder: "descending" });
      expect(created(descending)).toEqual(users.map((u) => u.meta.created).sort().reverse());
    });

    it("sorts by a multi-valued attribute's primary value (emails)", async () => {
      const body = await list({ sortBy: "emails", filter: 'title eq "Odd"' });
      const primary = body.Resources.map((r: Doc) => r.emails.find((e: Doc) => e.primary).value);
      expect(primary).toEqual([...primary].sort());
    });
  });

  describe("projection", () => {
    it("returns only the attributes asked for, plus schemas and id", async () => {
      const body = await list({ attributes: "userName,emails.value", count: 1 });
      expect(body.Resources[0]).toEqual({
        schemas: [USER_SCHEMA],
        id: users[0]!.id,
        userName: NAMES[0],
        emails: [{ value: `${NAMES[0]}@example.org` }, { value: `${NAMES[0]}@acme-home.net` }],
      });
    });

    it("leaves out excludedAttributes but never schemas or id", async () => {
      const body = await list({ excludedAttributes: "emails,name,schemas,id,meta", count: 1 });
      const r = body.Resources[0];
      expect(r).toMatchObject({ schemas: [USER_SCHEMA], id: users[0]!.id, userName: NAMES[0] });
      for (const gone of ["emails", "name", "meta"]) expect(r).not.toHaveProperty(gone);
    });
  });

  describe("filters", () => {
    const cases: Array<[string, string, (i: number) => boolean]> = [
      ["and", 'title eq "Odd" and active eq true', (i) => i % 2 === 1 && i % 5 !== 0],
      ["or", 'userName eq "user-00" or userName eq "user-07"', (i) => ["user-00", "user-07"].includes(NAMES[i]!)],
      ["not", 'not (title eq "Odd")', (i) => i % 2 === 0],
      [
        "parentheses",
        'active eq false and (title eq "Odd" or userName sw "user-0")',
        (i) => i % 5 === 0 && (i % 2 === 1 || NAMES[i]!.startsWith("user-0")),
      ],
      ["nested not over parentheses", 'not (active eq true and title eq "Even")', (i) => !(i % 5 !== 0 && i % 2 === 0)],
      ["a complex value filter", 'emails[type eq "work" and value co "@acme"]', (i) => i % 3 !== 0],
      [
        "a complex value filter in an or",
        'emails[type eq "work" and value co "@example"] or displayName eq "Person user-01"',
        (i) => i % 3 === 0 || NAMES[i] === "user-01",
      ],
      ["an attribute path across emails", 'emails.value co "@acme"', () => true],
      ["case-insensitive userName", 'USERNAME eq "USER-03"', (i) => NAMES[i] === "user-03"],
      ["presence", "title pr", () => true],
    ];
    it.each(cases)("filters with %s", async (_, filter, expected) => {
      const body = await list({ filter, sortBy: "userName" });
      expect(userNames(body)).toEqual(namesOf(expected));
      expect(body.totalResults).toBe(namesOf(expected).length);
    });
  });

  describe("POST /.search", () => {
    it("takes filter, sort, paging and projection from the body for /Users", async () => {
      const res = await org
        .scim("post", "/Users/.search")
        .send({
          schemas: [SEARCH_REQUEST],
          filter: 'emails[type eq "work" and value co "@acme"]',
          sortBy: "userName",
          sortOrder: "descending",
          startIndex: 2,
          count: 3,
          attributes: ["userName"],
        })
        .expect(200);
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
      const matching = namesOf((i) => i % 3 !== 0).reverse();
      expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: matching.length, startIndex: 2, itemsPerPage: 3 });
      expect(res.body.Resources).toEqual(
        matching.slice(1, 4).map((userName) => ({ schemas: [USER_SCHEMA], id: users[NAMES.indexOf(userName)]!.id, userName })),
      );
    });

    it("takes excludedAttributes and count from the body for /Groups", async () => {
      for (const displayName of ["Search B", "Search A", "Other"]) {
        await org.scim("post", "/Groups").send({ schemas: [GROUP_SCHEMA], displayName, members: [{ value: users[0]!.id }] }).expect(201);
      }
      const res = await org
        .scim("post", "/Groups/.search")
        .send({ schemas: [SEARCH_REQUEST], filter: 'displayName sw "search"', sortBy: "displayName", excludedAttributes: ["members"], count: 10 })
        .expect(200);
      expect(res.body.totalResults).toBe(2);
      expect(res.body.Resources.map((g: Doc) => g.displayName)).toEqual(["Search A", "Search B"]);
      for (const g of res.body.Resources) expect(g).not.toHaveProperty("members");
      const withMembers = await org.scim("post", "/Groups/.search").send({ schemas: [SEARCH_REQUEST], filter: 'displayName eq "Other"' }).expect(200);
      expect(withMembers.body.Resources[0].members).toEqual([expect.objectContaining({ value: users[0]!.id })]);
    });

    it("answers a bad filter in the body with 400 invalidFilter", async () => {
      const res = await org.scim("post", "/Users/.search").send({ schemas: [SEARCH_REQUEST], filter: "userName eq" }).expect(400);
      expect(res.body).toMatchObject({ status: "400", scimType: "invalidFilter" });
    });
  });
});
