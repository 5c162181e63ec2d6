// The point of translating filters to SQL is that the database can use the
// indexes of the core migration for what identity providers send most often
// (RFC 7644 §3.4.2.2 lookups by userName, externalId, id, emails.value,
// members.value). Sequential scans are disabled so the plan shows whether the
// condition is indexable at all, independent of table size.
import { CompiledQuery } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filterToSql } from "../../server/scim/filter/index.ts";
import { ENGINES, GROUP_IDS, IDS, type TestDb, openTestDb, seed } from "./filter-fixture.ts";

describe.each(ENGINES)("filter plans use the indexes (%s)", (engine) => {
  let t: TestDb;
  let org: string;
  beforeAll(async () => {
    t = await openTestDb(engine);
    org = await seed(t.db);
  });
  afterAll(async () => t?.close());

  async function plan(kind: "User" | "Group", filter: string): Promise<string> {
    const where = filterToSql(filter, { kind, alias: "r" });
    const q =
      kind === "User"
        ? t.db.selectFrom("users as r").select("r.id").where("r.org_id", "=", org).where(where).compile()
        : t.db.selectFrom("groups as r").select("r.id").where("r.org_id", "=", org).where(where).compile();
    return t.db.connection().execute(async (c) => {
      await c.executeQuery(CompiledQuery.raw("set enable_seqscan = off"));
      try {
        const res = await c.executeQuery<{ "QUERY PLAN": string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
        return res.rows.map((r) => r["QUERY PLAN"]).join("\n");
      } finally {
        await c.executeQuery(CompiledQuery.raw("reset enable_seqscan"));
      }
    });
  }

  it.each([
    ["User", 'userName eq "BJensen"', "users_user_name_uq"],
    ["User", 'displayName eq "Babs Jensen"', "users_display_name_idx"],
    ["User", 'externalId eq "bj-1"', "users_external_id_idx"],
    ["User", `id eq "${IDS.bjensen}"`, "users_pk"],
    ["User", 'emails.value eq "bjensen@example.com"', "user_emails_value_idx"],
    ["User", 'emails[value eq "bjensen@example.com" and type eq "work"]', "user_emails_value_idx"],
    ["User", 'meta.lastModified gt "2011-05-13T04:42:34Z"', "users_updated_at_idx"],
    ["Group", 'displayName eq "admins"', "groups_display_name_idx"],
    ["Group", 'externalId eq "grp-admins"', "groups_external_id_idx"],
    ["Group", `members.value eq "${IDS.bjensen}"`, "group_members_member_idx"],
    ["Group", `id eq "${GROUP_IDS.Admins}"`, "groups_pk"],
  ] as const)("%s %s uses %s", async (kind, filter, index) => {
    expect(await plan(kind, filter)).toContain(index);
  });
});
