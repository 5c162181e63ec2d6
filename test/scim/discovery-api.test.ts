// Discovery (RFC 7644 §4, RFC 7643 §5-7): the documents are well-formed, located under the
// public URL, refuse filters, and tell the truth: every feature marked supported works.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../server/lib/password.ts";
import { ENGINES } from "../support/engines.ts";
import {
  ENTERPRISE_SCHEMA,
  GROUP_SCHEMA,
  patchBody,
  SCIM_BASE,
  startTestServer,
  type TestOrg,
  type TestServer,
  USER_SCHEMA,
  userBody,
} from "../support/server.ts";

const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const SCIMGATE_SCHEMA = "urn:ietf:params:scim:schemas:extension:scimgate:2.0:User";

describe.each(ENGINES)("discovery on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let spc: Record<string, any>;
  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Discovery");
    spc = (await org.scim("get", "/ServiceProviderConfig").expect(200)).body;
  });
  afterAll(async () => {
    await server.close();
  });

  describe("/ServiceProviderConfig", () => {
    it("is a SCIM document located under the public URL", async () => {
      const res = await org.scim("get", "/ServiceProviderConfig").expect(200);
      expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
      expect(res.body.schemas).toEqual([SPC_SCHEMA]);
      expect(res.body.meta).toEqual({ resourceType: "ServiceProviderConfig", location: `${SCIM_BASE}/ServiceProviderConfig` });
    });

    it("advertises patch, filter with maxResults, sort, etag, changePassword and bulk with its limits", () => {
      expect(spc).toMatchObject({
        patch: { supported: true },
        filter: { supported: true, maxResults: expect.any(Number) },
        sort: { supported: true },
        etag: { supported: true },
        changePassword: { supported: true },
        bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 4 * 1024 * 1024 },
      });
      expect(spc.filter.maxResults).toBeGreaterThan(0);
    });

    it("advertises RFC 9865 pagination: cursor and index, index by default, page sizes matching filter.maxResults", () => {
      expect(spc.pagination).toEqual({
        cursor: true,
        index: true,
        defaultPaginationMethod: "index",
        defaultPageSize: expect.any(Number),
        maxPageSize: spc.filter.maxResults,
        cursorTimeout: expect.any(Number),
      });
      expect(spc.pagination.defaultPageSize).toBeLessThanOrEqual(spc.pagination.maxPageSize);
      expect(spc.pagination.cursorTimeout).toBeGreaterThan(0);
    });

    it("advertises bearer tokens as the one authentication scheme", () => {
      expect(spc.authenticationSchemes).toEqual([
        expect.objectContaining({ type: "oauthbearertoken", name: expect.any(String), description: expect.any(String) }),
      ]);
    });
  });

  describe("/ResourceTypes", () => {
    it("lists User, with the enterprise and scimgate extensions, and Group in a ListResponse", async () => {
      const res = await org.scim("get", "/ResourceTypes").expect(200);
      expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 2, startIndex: 1, itemsPerPage: 2 });
      const byId = Object.fromEntries((res.body.Resources as { id: string }[]).map((t) => [t.id, t]));
      expect(byId.User).toMatchObject({
        schemas: [RESOURCE_TYPE_SCHEMA],
        name: "User",
        endpoint: "/Users",
        schema: USER_SCHEMA,
        schemaExtensions: [
          { schema: ENTERPRISE_SCHEMA, required: false },
          { schema: SCIMGATE_SCHEMA, required: false },
        ],
        meta: { resourceType: "ResourceType", location: `${SCIM_BASE}/ResourceTypes/User` },
      });
      expect(byId.Group).toMatchObject({
        name: "Group",
        endpoint: "/Groups",
        schema: GROUP_SCHEMA,
        meta: { location: `${SCIM_BASE}/ResourceTypes/Group` },
      });
    });

    it("serves one resource type at its meta.location, not wrapped in a ListResponse", async () => {
      const res = await org.scim("get", "/ResourceTypes/User").expect(200);
      expect(res.body).toMatchObject({ id: "User", endpoint: "/Users", meta: { location: `${SCIM_BASE}/ResourceTypes/User` } });
      expect(res.body).not.toHaveProperty("Resources");
      await org.scim("get", "/ResourceTypes/Group").expect(200);
    });

    it("answers 404 SCIM Error for an unknown resource type", async () => {
      const res = await org.scim("get", "/ResourceTypes/Device").expect(404);
      expect(res.body).toMatchObject({ status: "404", detail: expect.stringContaining("Device") });
    });
  });

  describe("/Schemas", () => {
    it("lists the User, EnterpriseUser, scimgate User and Group schemas, each located under the public URL", async () => {
      const res = await org.scim("get", "/Schemas").expect(200);
      expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 4, itemsPerPage: 4 });
      const schemas = res.body.Resources as { id: string; schemas: string[]; attributes: unknown[]; meta: { location: string } }[];
      expect(schemas.map((s) => s.id).sort()).toEqual([GROUP_SCHEMA, USER_SCHEMA, ENTERPRISE_SCHEMA, SCIMGATE_SCHEMA].sort());
      for (const s of schemas) {
        expect(s.schemas).toEqual([SCHEMA_SCHEMA]);
        expect(s.attributes.length).toBeGreaterThan(0);
        expect(s.meta.location).toBe(`${SCIM_BASE}/Schemas/${s.id}`);
      }
    });

    it("serves the User schema by its URN, describing userName and a never-returned password", async () => {
      const res = await org.scim("get", `/Schemas/${USER_SCHEMA}`).expect(200);
      expect(res.body).toMatchObject({ id: USER_SCHEMA, name: "User", meta: { location: `${SCIM_BASE}/Schemas/${USER_SCHEMA}` } });
      const attrs = Object.fromEntries((res.body.attributes as { name: string }[]).map((a) => [a.name, a]));
      expect(attrs.userName).toMatchObject({ required: true, uniqueness: "server", caseExact: false });
      expect(attrs.password).toMatchObject({ mutability: "writeOnly", returned: "never" });
    });

    it("serves the EnterpriseUser and Group schemas by URN", async () => {
      await org.scim("get", `/Schemas/${ENTERPRISE_SCHEMA}`).expect(200);
      const group = await org.scim("get", `/Schemas/${GROUP_SCHEMA}`).expect(200);
      expect((group.body.attributes as { name: string }[]).map((a) => a.name)).toContain("members");
    });

    it("answers 404 SCIM Error for an unknown schema", async () => {
      const res = await org.scim("get", "/Schemas/urn:example:params:scim:schemas:Device").expect(404);
      expect(res.body.status).toBe("404");
    });

    it("serves every schema a resource type names", async () => {
      const types = (await org.scim("get", "/ResourceTypes").expect(200)).body.Resources as {
        schema: string;
        schemaExtensions?: { schema: string }[];
      }[];
      const ids = ((await org.scim("get", "/Schemas").expect(200)).body.Resources as { id: string }[]).map((s) => s.id);
      for (const t of types) {
        expect(ids).toContain(t.schema);
        for (const ext of t.schemaExtensions ?? []) expect(ids).toContain(ext.schema);
      }
    });
  });

  describe("filter on discovery endpoints (RFC 7644 §4: SHOULD answer 403)", () => {
    it.each([
      "/ServiceProviderConfig",
      "/ResourceTypes",
      "/ResourceTypes/User",
      "/Schemas",
      `/Schemas/${USER_SCHEMA}`,
    ])("refuses a filter on %s with 403", async (path) => {
      const res = await org.scim("get", path).query({ filter: 'name eq "User"' }).expect(403);
      expect(res.body).toMatchObject({ status: "403", detail: expect.stringContaining("not supported") });
    });
  });

  describe("the advertised features work", () => {
    const newUser = async (userName: string, extra: Record<string, unknown> = {}) =>
      (await org.scim("post", "/Users").send(userBody(userName, extra)).expect(201)).body as {
        id: string;
        meta: { version: string };
      };

    it("patch: a PATCH changes the resource", async () => {
      const user = await newUser("patch-me");
      const res = await org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "replace", path: "active", value: false })).expect(200);
      expect(res.body.active).toBe(false);
      const read = await org.scim("get", `/Users/${user.id}`).expect(200);
      expect(read.body.active).toBe(false);
    });

    it("filter: a filter returns only matching resources", async () => {
      const match = await newUser("filter-match", { title: "Filter target" });
      await newUser("filter-other");
      const res = await org.scim("get", "/Users").query({ filter: 'title eq "Filter target"' }).expect(200);
      expect(res.body.totalResults).toBe(1);
      expect(res.body.Resources[0].id).toBe(match.id);
    });

    it("filter.maxResults: a count above maxResults is accepted and capped, not refused", async () => {
      const res = await org.scim("get", "/Users").query({ count: spc.filter.maxResults + 1 }).expect(200);
      expect(res.body.itemsPerPage).toBeLessThanOrEqual(spc.filter.maxResults);
    });

    it("sort: sortBy and sortOrder order the results", async () => {
      for (const name of ["sort-b", "sort-c", "sort-a"]) await newUser(name);
      const query = { filter: 'userName sw "sort-"', sortBy: "userName" };
      const asc = await org.scim("get", "/Users").query({ ...query, sortOrder: "ascending" }).expect(200);
      expect(asc.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(["sort-a", "sort-b", "sort-c"]);
      const desc = await org.scim("get", "/Users").query({ ...query, sortOrder: "descending" }).expect(200);
      expect(desc.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(["sort-c", "sort-b", "sort-a"]);
    });

    it("pagination: cursor=\"\" starts, nextCursor continues and is absent on the last page; no cursor means index paging", async () => {
      for (const name of ["page-a", "page-b", "page-c"]) await newUser(name);
      const query = { filter: 'userName sw "page-"', sortBy: "userName", count: 2 };
      const first = await org.scim("get", "/Users").query({ ...query, cursor: "" }).expect(200);
      expect(first.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(["page-a", "page-b"]);
      const last = await org.scim("get", "/Users").query({ ...query, cursor: first.body.nextCursor }).expect(200);
      expect(last.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(["page-c"]);
      expect(last.body).not.toHaveProperty("nextCursor");
      const byIndex = await org.scim("get", "/Users").query(query).expect(200);
      expect(byIndex.body).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
      expect(byIndex.body).not.toHaveProperty("nextCursor");
      const byDefault = await org.scim("get", "/Users").query({ filter: query.filter }).expect(200);
      expect(byDefault.body.itemsPerPage).toBeLessThanOrEqual(spc.pagination.defaultPageSize);
    });

    it("etag: GET carries an ETag, If-None-Match answers 304, a stale If-Match answers 412", async () => {
      const user = await newUser("etag-me");
      const read = await org.scim("get", `/Users/${user.id}`).expect(200);
      const etag = read.headers.etag as string;
      expect(etag).toBe(read.body.meta.version);
      const cached = await org.scim("get", `/Users/${user.id}`).set("If-None-Match", etag).expect(304);
      expect(cached.text).toBe("");
      await org.scim("patch", `/Users/${user.id}`).set("If-Match", etag).send(patchBody({ op: "replace", path: "displayName", value: "v2" })).expect(200);
      await org.scim("get", `/Users/${user.id}`).set("If-None-Match", etag).expect(200);
      await org.scim("put", `/Users/${user.id}`).set("If-Match", etag).send(userBody("etag-me")).expect(412);
    });

    it("changePassword: a PATCH sets a password that is stored hashed and never returned", async () => {
      const user = await newUser("password-me");
      const res = await org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "replace", path: "password", value: "n3w-Secret!" })).expect(200);
      expect(res.body).not.toHaveProperty("password");
      expect(res.text).not.toContain("n3w-Secret!");
      const row = await server.database.db.selectFrom("users").select("password_hash").where("id", "=", user.id).executeTakeFirstOrThrow();
      expect(row.password_hash).not.toContain("n3w-Secret!");
      await expect(verifyPassword("n3w-Secret!", row.password_hash!)).resolves.toBe(true);
      await expect(verifyPassword("wrong", row.password_hash!)).resolves.toBe(false);
    });

    it("bulk supported: /Bulk answers a BulkResponse (the operations are tested in bulk-api.test.ts)", async () => {
      const res = await org.scim("post", "/Bulk").send({ schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [] }).expect(200);
      expect(res.body).toEqual({ schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkResponse"], Operations: [] });
    });

    it("oauthbearertoken: the Authorization: Bearer token is what authenticates", async () => {
      await org.scim("get", "/Users").expect(200);
      await org.scim("get", "/Users").set("Authorization", "").expect(401);
    });
  });
});
