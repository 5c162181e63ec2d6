import { type Kysely, sql } from "kysely";
import { containsPattern } from "./user-search-repo.ts";
import type { Database, MemberType } from "./tables.ts";

export interface GroupSummaryRow {
  id: string;
  display_name: string;
  external_id: string | null;
  member_count: number;
  created_at: Date;
  updated_at: Date;
}

const memberCount = sql<number>`(select count(*)::int from group_members gm where gm.org_id = g.org_id and gm.group_id = g.id)`;

/** One page of groups in id order; `text` is a case-insensitive substring of displayName or externalId. */
export async function searchGroupRows(
  db: Kysely<Database>,
  orgId: string,
  c: { text?: string | undefined; afterId?: string | undefined; limit: number },
): Promise<GroupSummaryRow[]> {
  let q = db
    .selectFrom("groups as g")
    .select(["g.id", "g.display_name", "g.external_id", "g.created_at", "g.updated_at", memberCount.as("member_count")])
    .where("g.org_id", "=", orgId);
  if (c.text) {
    const pattern = containsPattern(c.text);
    q = q.where((eb) => eb.or([eb("g.display_name", "ilike", pattern), eb("g.external_id", "ilike", pattern)]));
  }
  if (c.afterId) q = q.where("g.id", ">", c.afterId);
  return q.orderBy("g.id").limit(c.limit).execute();
}

export async function findGroupSummary(db: Kysely<Database>, orgId: string, id: string): Promise<GroupSummaryRow | undefined> {
  return db
    .selectFrom("groups as g")
    .select(["g.id", "g.display_name", "g.external_id", "g.created_at", "g.updated_at", memberCount.as("member_count")])
    .where("g.org_id", "=", orgId)
    .where("g.id", "=", id)
    .executeTakeFirst();
}

export interface MemberRow {
  member_id: string;
  member_type: MemberType;
  user_name: string | null;
  display_name: string | null;
  active: boolean | null;
}

/**
 * One page of a group's direct members in member-id order: a keyset walk of the
 * (org_id, group_id, member_id) primary key, so page 2,000 of a 100,000-member
 * group costs what page 1 does.
 */
export async function memberPage(
  db: Kysely<Database>,
  orgId: string,
  groupId: string,
  c: { afterId?: string | undefined; limit: number },
): Promise<MemberRow[]> {
  let q = db
    .selectFrom("group_members as gm")
    .leftJoin("users as u", (j) => j.onRef("u.org_id", "=", "gm.org_id").onRef("u.id", "=", "gm.member_id"))
    .leftJoin("groups as mg", (j) => j.onRef("mg.org_id", "=", "gm.org_id").onRef("mg.id", "=", "gm.member_id"))
    .select([
      "gm.member_id",
      "gm.member_type",
      "u.user_name",
      sql<string | null>`coalesce(u.display_name, mg.display_name)`.as("display_name"),
      "u.active",
    ])
    .where("gm.org_id", "=", orgId)
    .where("gm.group_id", "=", groupId);
  if (c.afterId) q = q.where("gm.member_id", ">", c.afterId);
  return q.orderBy("gm.member_id").limit(c.limit).execute();
}
