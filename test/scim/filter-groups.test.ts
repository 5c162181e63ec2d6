// filterToSql on Group resources: displayName and externalId columns, and
// members through group_members (one row per membership, never a loaded list).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterToSql } from "../../server/scim/filter/index.ts";
import { ALL_GROUPS, ENGINES, GROUP_IDS, type GroupKey, IDS, type TestDb, openTestDb, seed } from "./filter-fixture.ts";

const CASES: Array<[string, GroupKey[]]> = [
  ['displayName eq "Admins"', ["Admins"]],
  ['displayName eq "ADMINS"', ["Admins"]],
  ['displayName co "%"', ["100% Club_"]],
  ['displayName ew "_"', ["100% Club_"]],
  ['displayName sw "tour"', ["Tour Guides"]],
  ['externalId eq "grp-admins"', ["Admins"]],
  ['externalId eq "GRP-ADMINS"', []],
  ["externalId pr", ["Admins"]],
  [`id eq "${GROUP_IDS.Admins}"`, ["Admins"]],
  ['meta.resourceType eq "Group"', ALL_GROUPS],
  [`members.value eq "${IDS.bjensen}"`, ["Admins", "Tour Guides"]],
  [`members[value eq "${IDS.bjensen}"]`, ["Admins", "Tour Guides"]],
  [`members eq "${IDS.JSmith}"`, ["Admins"]],
  [`members.value eq "${IDS.bjensen.toUpperCase()}"`, ["Admins", "Tour Guides"]],
  [`members.value eq "${GROUP_IDS.Admins}"`, ["Tour Guides"]],
  ['members.value eq "not-a-uuid"', []],
  ['members.value ne "not-a-uuid"', ALL_GROUPS],
  [`members.value ne "${IDS.bjensen}"`, ["Empty", "100% Club_"]],
  [`members[value eq "${IDS.bjensen}" or value eq "${IDS["jane.doe"]}"]`, ["Admins", "Tour Guides", "100% Club_"]],
  ['members[type eq "Group"]', ["Tour Guides"]],
  ['members[type eq "group"]', ["Tour Guides"]],
  [`members[type eq "User" and value eq "${IDS.JSmith}"]`, ["Admins"]],
  ["members pr", ["Admins", "Tour Guides", "100% Club_"]],
  ["not (members pr)", ["Empty"]],
  ["members eq null", ["Empty"]],
  [`displayName sw "T" and members.value eq "${GROUP_IDS.Admins}"`, ["Tour Guides"]],
  [`schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"`, ALL_GROUPS],
  // Entra ID checks one membership this way before adding or removing it.
  [`id eq "${GROUP_IDS.Admins}" and members[value eq "${IDS.bjensen}"]`, ["Admins"]],
  [`id eq "${GROUP_IDS.Admins}" and members[value eq "${IDS["jane.doe"]}"]`, []],
  [`urn:ietf:params:scim:schemas:core:2.0:Group:members[value eq "${IDS.JSmith}"]`, ["Admins"]],
];

describe.each(ENGINES)("filterToSql on Groups (%s)", (engine) => {
  let t: TestDb;
  let org: string;
  beforeAll(async () => {
    t = await openTestDb(engine);
    org = await seed(t.db);
  });
  afterAll(async () => t?.close());

  async function groupsMatching(filter: string): Promise<string[]> {
    const rows = await t.db
      .selectFrom("groups as g")
      .select("g.display_name")
      .where("g.org_id", "=", org)
      .where(filterToSql(filter, { kind: "Group", alias: "g" }))
      .execute();
    return rows.map((r) => r.display_name).sort();
  }

  it.each(CASES)("%s", async (filter, expected) => {
    expect(await groupsMatching(filter)).toEqual([...expected].sort());
  });

  it.each(CASES)("not (%s) selects exactly the other groups", async (filter, expected) => {
    expect(await groupsMatching(`not (${filter})`)).toEqual(ALL_GROUPS.filter((g) => !expected.includes(g)).sort());
  });
});
