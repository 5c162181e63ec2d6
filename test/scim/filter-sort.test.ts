// sortToSql (RFC 7644 §3.4.2.3): the ORDER BY expression per attribute, with
// absent values last ascending / first descending and multi-valued attributes
// sorted by their primary value, else their first one.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sortToSql } from "../../server/scim/filter/index.ts";
import { ScimError } from "../../server/scim/scim-error.ts";
import { ENGINES, ENTERPRISE, type TestDb, openTestDb, seed } from "./filter-fixture.ts";

const user = { kind: "User", alias: "u" } as const;

describe.each(ENGINES)("sortToSql (%s)", (engine) => {
  let t: TestDb;
  let org: string;
  beforeAll(async () => {
    t = await openTestDb(engine);
    org = await seed(t.db);
  });
  afterAll(async () => t?.close());

  async function order(sortBy: string, direction: "asc" | "desc" = "asc"): Promise<string[]> {
    const rows = await t.db
      .selectFrom("users as u")
      .select("u.user_name")
      .where("u.org_id", "=", org)
      .orderBy(sortToSql(sortBy, user), direction)
      .orderBy("u.id")
      .execute();
    return rows.map((r) => r.user_name);
  }

  /** The sort key each user gets, to check which value of a multi-valued attribute is used. */
  async function keys(sortBy: string): Promise<Record<string, unknown>> {
    const rows = await t.db
      .selectFrom("users as u")
      .select(["u.user_name", sql<unknown>`${sortToSql(sortBy, user)}`.as("k")])
      .where("u.org_id", "=", org)
      .execute();
    return Object.fromEntries(rows.map((r) => [r.user_name, r.k]));
  }

  it("sorts userName case-insensitively", async () => {
    const names = ["100%_sure", "100x-sure", "bjensen", "jane.doe", "JSmith", "mixed", "nobody", "omalley", "zoë"];
    expect(await order("userName")).toEqual(names);
    expect(await order("urn:ietf:params:scim:schemas:core:2.0:User:USERNAME", "desc")).toEqual([...names].reverse());
  });

  it("puts absent values last ascending and first descending", async () => {
    const asc = await order("name.familyName");
    expect(asc.slice(0, 4)).toEqual(["jane.doe", "bjensen", "omalley", "JSmith"]);
    const desc = await order("name.familyName", "desc");
    expect(desc.slice(-4)).toEqual(["JSmith", "omalley", "bjensen", "jane.doe"]);
    expect(new Set(desc.slice(0, 5))).toEqual(new Set(asc.slice(4)));
  });

  it("sorts a multi-valued attribute by its primary value, else its first", async () => {
    const k = await keys("emails");
    expect(k).toMatchObject({ omalley: "pat@omalley.ie", mixed: "mixed@other.com", JSmith: "jsmith@example.com", nobody: null });
    expect(await keys("emails.type")).toMatchObject({ bjensen: "work", mixed: "work", omalley: "work", nobody: null });
    expect((await order("emails.value")).slice(0, 5)).toEqual(["bjensen", "jane.doe", "JSmith", "mixed", "omalley"]);
    expect(await keys("phoneNumbers.value")).toMatchObject({ bjensen: "555-555-8377", "100%_sure": null });
    expect(await keys("roles")).toMatchObject({ mixed: "admin:administrator", bjensen: "org:user" });
    expect(await keys("groups.display")).toMatchObject({ bjensen: "admins", "jane.doe": "100% club_", nobody: null });
  });

  it("sorts dates, booleans and extension attributes by their type", async () => {
    expect((await order("meta.lastModified", "desc")).slice(0, 3)).toEqual(["JSmith", "omalley", "bjensen"]);
    expect((await order("meta.created")).slice(0, 2)).toEqual(["JSmith", "bjensen"]);
    expect((await order("active"))[0]).toBe("jane.doe");
    expect((await order(`${ENTERPRISE}:employeeNumber`)).slice(0, 2)).toEqual(["JSmith", "bjensen"]);
    expect((await order(`${ENTERPRISE}:manager.value`))[0]).toBe("bjensen");
    // externalId is caseExact: its key keeps the case (the order then follows the collation).
    expect(await keys("externalId")).toMatchObject({ mixed: "Ext-Mixed", bjensen: "bj-1", nobody: null });
  });

  it("sorts groups", async () => {
    const rows = await t.db
      .selectFrom("groups as g")
      .select("g.display_name")
      .where("g.org_id", "=", org)
      .orderBy(sortToSql("displayName", { kind: "Group", alias: "g" }))
      .execute();
    expect(rows.map((r) => r.display_name)).toEqual(["100% Club_", "Admins", "Empty", "Tour Guides"]);
  });
});

describe("sortToSql refuses what cannot be sorted with invalidValue", () => {
  it.each([
    ["foo", /unknown attribute "foo"/],
    ["name", /"name" is complex; sort by a sub-attribute such as name\.formatted/],
    ["addresses", /"addresses" is complex/],
    ["password", /write-only/],
    ["schemas", /"schemas" is not sortable/],
    ["emails.display", /"emails\.display" is not stored/],
    ["urn:example:x:userName", /unknown schema/],
    ["", /is not an attribute path/],
  ])("%s", (sortBy, detail) => {
    let error: unknown;
    try {
      sortToSql(sortBy, user);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    const e = error as ScimError;
    expect([e.status, e.scimType]).toEqual([400, "invalidValue"]);
    expect(e.detail).toMatch(/^sortBy: /);
    expect(e.detail).toMatch(detail);
  });
});
