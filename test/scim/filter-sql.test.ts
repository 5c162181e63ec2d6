// filterToSql on User resources, run by the database (PGlite, and PostgreSQL 15
// when TEST_DATABASE_URL is set): each filter must select exactly these users.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterToSql } from "../../server/scim/filter/index.ts";
import { ALL_USERS, ENGINES, ENTERPRISE, IDS, type TestDb, type UserKey, openTestDb, seed } from "./filter-fixture.ts";

const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
const everyoneBut = (...keys: UserKey[]) => ALL_USERS.filter((k) => !keys.includes(k));

const CASES: Array<[string, UserKey[]]> = [
  // RFC 7644 §3.4.2.2 examples
  ['userName eq "bjensen"', ["bjensen"]],
  [`name.familyName co "O'Malley"`, ["omalley"]],
  ['userName sw "J"', ["JSmith", "jane.doe"]],
  [`${CORE}:userName sw "J"`, ["JSmith", "jane.doe"]],
  ["title pr", ["bjensen", "JSmith", "100%_sure", "mixed"]],
  ['meta.lastModified gt "2011-05-13T04:42:34Z"', ["JSmith", "omalley"]],
  ['meta.lastModified ge "2011-05-13T04:42:34Z"', ["bjensen", "JSmith", "omalley"]],
  ['meta.lastModified lt "2011-05-13T04:42:34Z"', everyoneBut("bjensen", "JSmith", "omalley")],
  ['meta.lastModified le "2011-05-13T06:42:34+02:00"', everyoneBut("JSmith", "omalley")],
  ['title pr and userType eq "Employee"', ["bjensen", "JSmith", "100%_sure", "mixed"]],
  ['title pr or userType eq "Intern"', ["bjensen", "JSmith", "100%_sure", "mixed", "jane.doe"]],
  [`schemas eq "${ENTERPRISE}"`, ["bjensen", "JSmith", "100%_sure"]],
  [`schemas eq "${CORE}"`, ALL_USERS],
  ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', ["bjensen", "JSmith", "mixed"]],
  ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")', ["100x-sure", "nobody", "zoë"]],
  ['userType eq "Employee" and (emails.type eq "work")', ["bjensen", "JSmith", "mixed"]],
  ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', ["bjensen", "JSmith"]],
  ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]', ["bjensen", "JSmith"]],
  // Outside brackets the two conditions may hold for different emails (mixed).
  ['emails.type eq "work" and emails.value co "@example.com"', ["bjensen", "JSmith", "mixed"]],
  // caseExact=false (RFC 7643 §4.1): names, operators and values fold case
  ['USERNAME EQ "BJENSEN"', ["bjensen"]],
  [`URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:userName Eq "bjensen"`, ["bjensen"]],
  ['displayName eq "babs jensen"', ["bjensen"]],
  ['emails eq "jsmith@example.com"', ["JSmith"]],
  // caseExact=true: externalId, id text, meta.resourceType
  ['externalId eq "ext-mixed"', []],
  ['externalId eq "Ext-Mixed"', ["mixed"]],
  ['externalId sw "EXT"', ["100%_sure"]],
  ['meta.resourceType eq "User"', ALL_USERS],
  ['meta.resourceType eq "user"', []],
  // LIKE metacharacters and escapes in values are literal
  ['userName co "%"', ["100%_sure"]],
  ['userName co "_"', ["100%_sure"]],
  ['userName sw "100%"', ["100%_sure"]],
  ['userName ew "%_sure"', ["100%_sure"]],
  [`${ENTERPRISE}:department ew "_%"`, ["100%_sure"]],
  ['displayName eq "He said \\"hi\\""', ["100%_sure"]],
  ['displayName co "\\""', ["100%_sure"]],
  ['title eq "back\\\\slash"', ["100%_sure"]],
  ['title eq "back\\slash"', ["100%_sure"]],
  ['userName eq "zo\\u00eb"', ["zoë"]],
  ['userName eq "x\'; drop table users; --"', []],
  // three-valued logic stops at each leaf: absent values make not/ne true
  ['not (title eq "Tour Guide")', everyoneBut("bjensen")],
  ['title ne "Tour Guide"', everyoneBut("bjensen")],
  ["not (title pr)", ["jane.doe", "omalley", "100x-sure", "nobody", "zoë"]],
  ["title eq null", ["jane.doe", "omalley", "100x-sure", "nobody", "zoë"]],
  ["title ne null", ["bjensen", "JSmith", "100%_sure", "mixed"]],
  ['emails.value ne "jane@example.org"', everyoneBut("jane.doe")],
  ["emails pr", ["bjensen", "JSmith", "jane.doe", "omalley", "mixed"]],
  ["emails eq null", ["100%_sure", "100x-sure", "nobody", "zoë"]],
  ["name pr", ["bjensen", "JSmith", "jane.doe", "omalley"]],
  ["name.givenName pr", ["bjensen", "JSmith", "omalley"]],
  // booleans, ids, dates
  ["active eq false", ["jane.doe"]],
  ["active ne false", everyoneBut("jane.doe")],
  ["active eq true and not (active eq false)", everyoneBut("jane.doe")],
  [`id eq "${IDS.bjensen}"`, ["bjensen"]],
  [`id eq "${IDS.bjensen.toUpperCase()}"`, ["bjensen"]],
  ['id eq "not-a-uuid"', []],
  ['id ne "not-a-uuid"', ALL_USERS],
  [`id sw "${IDS.bjensen.slice(0, 34)}"`, ALL_USERS],
  ["id pr", ALL_USERS],
  ['meta.created lt "2010-01-01"', ["JSmith"]],
  ['meta.created ge "2011-02-01T00:00:00.000Z"', ["jane.doe"]],
  // ordering on strings is lexicographic on lower() for caseExact=false
  ['userName gt "n"', ["omalley", "nobody", "zoë"]],
  ['userName le "bjensen"', ["bjensen", "100%_sure", "100x-sure"]],
  // complex values, value filters and extensions
  ['name[givenName eq "barbara" and familyName eq "Jensen"]', ["bjensen"]],
  ['emails[primary eq true and value ew "example.com"]', ["bjensen", "JSmith"]],
  ['emails[type eq "work"] and not (emails[type eq "home"])', ["JSmith", "jane.doe"]],
  ['emails[type ne "work"]', ["bjensen", "omalley", "mixed"]],
  ['emails[not (value co "example")]', ["bjensen", "omalley", "mixed"]],
  ["phoneNumbers pr", ["bjensen"]],
  ['phoneNumbers.value co "555"', ["bjensen"]],
  [`${CORE}:emails[TYPE eq "WORK" and value co "@example.com"]`, ["bjensen", "JSmith"]],
  [`${ENTERPRISE}:manager[value eq "${IDS.JSmith}"]`, ["bjensen"]],
  ['emails[type eq "work"].value co "other"', ["mixed"]],
  ['roles[value eq "admin:administrator" and primary eq true]', ["mixed"]],
  ['roles eq "org:user" and not (roles eq "admin:member")', ["mixed"]],
  [`${ENTERPRISE}:manager.value eq "${IDS.JSmith}"`, ["bjensen"]],
  [`${ENTERPRISE}:department eq "tour operations"`, ["bjensen", "JSmith"]],
  ['department eq "Tour Operations"', ["bjensen", "JSmith"]],
  [`${ENTERPRISE}:employeeNumber eq "42"`, ["JSmith"]],
  ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr", ["bjensen"]],
  ['schemas co "enterprise"', ["bjensen", "JSmith", "100%_sure"]],
  ['schemas sw "urn:"', ALL_USERS],
  ['schemas eq "urn:example:nothing"', []],
  // group memberships seen from the user (direct memberships)
  ['groups.display eq "tour guides"', ["bjensen"]],
  ["groups pr", ["bjensen", "JSmith", "jane.doe"]],
  ['groups[display sw "Admin" and type eq "direct"]', ["bjensen", "JSmith"]],
  // precedence: and binds tighter than or; not binds tightest
  ['userName eq "bjensen" or userName eq "JSmith" and title eq "Nope"', ["bjensen"]],
  ['(userName eq "bjensen" or userName eq "JSmith") and title eq "Nope"', []],
  ['not (userName eq "bjensen") and userType eq "Employee"', ["JSmith", "100%_sure", "mixed"]],
  ['userType eq "Intern" OR userType eq "Contractor" AND NOT (title pr)', ["jane.doe", "omalley"]],
];

describe.each(ENGINES)("filterToSql on Users (%s)", (engine) => {
  let t: TestDb;
  let org: string;
  beforeAll(async () => {
    t = await openTestDb(engine);
    org = await seed(t.db);
  });
  afterAll(async () => t?.close());

  async function usersMatching(filter: string): Promise<string[]> {
    const rows = await t.db
      .selectFrom("users as u")
      .select("u.id")
      .where("u.org_id", "=", org)
      .where(filterToSql(filter, { kind: "User", alias: "u" }))
      .execute();
    const byId = new Map<string, string>(Object.entries(IDS).map(([k, id]) => [id, k]));
    return rows.map((r) => byId.get(r.id) ?? r.id).sort();
  }

  it.each(CASES)("%s", async (filter, expected) => {
    expect(await usersMatching(filter)).toEqual([...expected].sort());
  });

  // A translation with no NULL leaking out splits the users in two exactly.
  it.each(CASES)("not (%s) selects exactly the other users", async (filter, expected) => {
    const negated = await usersMatching(`not (${filter})`);
    expect(negated).toEqual(ALL_USERS.filter((k) => !expected.includes(k)).sort());
  });

  it("binds values as parameters, never as SQL text", () => {
    const compiled = t.db
      .selectFrom("users as u")
      .select("u.id")
      .where(filterToSql(`userName eq "x'--" and emails[value co "50%"]`, { kind: "User", alias: "u" }))
      .compile();
    expect(compiled.sql).not.toContain("x'--");
    expect(compiled.sql).not.toContain("50");
    expect(compiled.parameters).toEqual(expect.arrayContaining(["x'--", "%50\\%%"]));
  });

  it("works when the query names the table without an alias", async () => {
    const rows = await t.db
      .selectFrom("users")
      .select("users.id")
      .where("users.org_id", "=", org)
      .where(filterToSql('emails[type eq "work" and value co "@example.com"] and name.familyName pr', { kind: "User", alias: "users" }))
      .execute();
    expect(rows.map((r) => r.id).sort()).toEqual([IDS.JSmith, IDS.bjensen].sort());
  });
});
