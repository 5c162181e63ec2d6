// Typed comparisons inside the resource jsonb: numbers, dateTimes, booleans,
// caseExact strings and multi-valued simple and complex attributes of a custom
// schema extension (the core schemas have none of these types outside meta).
// Deliberately malformed stored values must read as absent, never fail the query.
import SCIMMY from "scimmy";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterToSql, sortToSql } from "../../server/scim/filter/index.ts";
import { ScimError } from "../../server/scim/scim-error.ts";
import { ALL_USERS, ENGINES, IDS, type TestDb, type UserKey, openTestDb, seed } from "./filter-fixture.ts";

const ACME = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
const { Attribute, SchemaDefinition } = SCIMMY.Types;

// scimmy's registry is per module graph; vitest isolates test files, so this
// extension is only visible here.
SCIMMY.Schemas.User.definition.extend(
  new SchemaDefinition("Acme", ACME, "test extension", [
    new Attribute("decimal", "score"),
    new Attribute("integer", "level"),
    new Attribute("dateTime", "hiredAt"),
    new Attribute("boolean", "remote"),
    new Attribute("string", "code", { caseExact: true }),
    new Attribute("string", "tags", { multiValued: true }),
    new Attribute("complex", "badges", { multiValued: true }, [
      new Attribute("string", "name"),
      new Attribute("dateTime", "earned"),
      new Attribute("integer", "rank"),
    ]),
  ]),
  false,
);

const DATA: Partial<Record<UserKey, Record<string, unknown>>> = {
  bjensen: {
    score: 9.5,
    level: 3,
    hiredAt: "2011-05-13T04:42:34.000Z",
    remote: true,
    code: "AbC",
    tags: ["Blue", "green"],
    badges: [{ name: "gold", earned: "2020-01-01T00:00:00.000Z", rank: 1 }],
  },
  JSmith: {
    score: 10,
    level: 10,
    hiredAt: "2009-01-01T00:00:00.000Z",
    remote: false,
    tags: [],
    badges: [
      { name: "silver", rank: 2 },
      { name: "gold", rank: 5 },
    ],
  },
  // Wrong types and shapes on purpose. A canonical-looking impossible date
  // compares by its text (no cast, so no error); any other string is absent.
  "jane.doe": { score: "high", level: [1], hiredAt: "2021-02-30T00:00:00.000Z", remote: "yes", tags: "solo", badges: { name: "gold" } },
  "100x-sure": { hiredAt: "yesterday", score: null },
  omalley: {},
};

const CASES: Array<[string, UserKey[]]> = [
  ["score gt 9", ["bjensen", "JSmith"]],
  [`${ACME}:score ge 10`, ["JSmith"]],
  ["score eq 10.0", ["JSmith"]],
  ["score lt 9.6", ["bjensen"]],
  ["score gt -1 and score lt 1e2", ["bjensen", "JSmith"]],
  ["level gt 1.5", ["bjensen", "JSmith"]],
  ["level le 3", ["bjensen"]],
  ["remote eq true", ["bjensen"]],
  ["remote eq false", ["JSmith"]],
  ["remote ne true", ALL_USERS.filter((k) => k !== "bjensen")],
  ['hiredAt gt "2010-01-01T00:00:00Z"', ["bjensen", "jane.doe"]],
  ['hiredAt eq "2011-05-13T04:42:34Z"', ["bjensen"]],
  ['hiredAt eq "2011-05-13T06:42:34+02:00"', ["bjensen"]],
  ['hiredAt lt "2100-01-01"', ["bjensen", "JSmith", "jane.doe"]],
  ['hiredAt le "2021-02-28T23:59:59.999Z"', ["bjensen", "JSmith"]],
  ['code eq "abc"', []],
  ['code eq "AbC"', ["bjensen"]],
  ['tags eq "blue"', ["bjensen"]],
  ['tags co "ree"', ["bjensen"]],
  ["tags pr", ["bjensen"]],
  ['badges[name eq "gold" and rank gt 3]', ["JSmith"]],
  ['badges[name eq "silver" and rank gt 3]', []],
  ['badges.name eq "silver" and badges.rank gt 3', ["JSmith"]],
  ['badges.earned lt "2021-01-01"', ["bjensen"]],
  ["badges pr", ["bjensen", "JSmith"]],
  [`schemas eq "${ACME}"`, ["bjensen", "JSmith", "jane.doe", "100x-sure"]],
];

describe.each(ENGINES)("filters on a custom extension in jsonb (%s)", (engine) => {
  let t: TestDb;
  let org: string;
  beforeAll(async () => {
    t = await openTestDb(engine);
    org = await seed(t.db);
    for (const [key, data] of Object.entries(DATA)) {
      await sql`update users set resource = resource || jsonb_build_object(${ACME}::text, ${JSON.stringify(data)}::jsonb) where id = ${IDS[key as UserKey]}`.execute(t.db);
    }
  });
  afterAll(async () => t?.close());

  const matching = async (filter: string) => {
    const rows = await t.db
      .selectFrom("users as u")
      .select("u.user_name")
      .where("u.org_id", "=", org)
      .where(filterToSql(filter, { kind: "User", alias: "u" }))
      .execute();
    return rows.map((r) => r.user_name).sort();
  };
  const names = (keys: UserKey[]) => [...keys].sort();

  it.each(CASES)("%s", async (filter, expected) => {
    expect(await matching(filter)).toEqual(names(expected));
    expect(await matching(`not (${filter})`)).toEqual(names(ALL_USERS.filter((k) => !expected.includes(k))));
  });

  it("sorts numbers numerically and dates chronologically, malformed values last", async () => {
    const order = async (sortBy: string) =>
      (
        await t.db
          .selectFrom("users as u")
          .select("u.user_name")
          .where("u.org_id", "=", org)
          .orderBy(sortToSql(sortBy, { kind: "User", alias: "u" }))
          .orderBy("u.id")
          .execute()
      ).map((r) => r.user_name);
    expect((await order("score")).slice(0, 3)).toEqual(["bjensen", "JSmith", "jane.doe"]);
    expect((await order("hiredAt")).slice(0, 3)).toEqual(["JSmith", "bjensen", "jane.doe"]);
    expect((await order("remote")).slice(0, 2)).toEqual(["JSmith", "bjensen"]);
    expect((await order("tags"))[0]).toBe("bjensen");
    expect((await order("badges.rank"))[0]).toBe("bjensen");
  });
});

describe("type checks on extension attributes", () => {
  it.each([
    ["acme:score gt 9", /unknown schema "acme"/],
    ['score eq "9.5"', /"score" is decimal: compare it with a number/],
    ['score co "9"', /"co" only applies to string attributes/],
    ["level eq true", /number/],
    ['tags[value eq "x"]', /needs a complex attribute/],
    ['hiredAt ge "2021-13-01"', /xsd:dateTime/],
  ])("%s", (filter, detail) => {
    expect(() => filterToSql(filter, { kind: "User", alias: "u" })).toThrow(ScimError);
    try {
      filterToSql(filter, { kind: "User", alias: "u" });
    } catch (e) {
      expect((e as ScimError).scimType).toBe("invalidFilter");
      expect((e as ScimError).detail).toMatch(detail);
    }
  });
});
