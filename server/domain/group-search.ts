/**
 * Groups of an organization as its administrators browse them: a searchable
 * list, one group with its member count and products, and its members one
 * keyset page at a time (a group may have 100,000 members: never loaded whole).
 */
import type { Kysely } from "kysely";
import { isUuid } from "../lib/ids.ts";
import { findGroupSummary, type GroupSummaryRow, memberPage, searchGroupRows } from "../storage/group-search-repo.ts";
import type { Database, MemberType } from "../storage/tables.ts";
import { NotFoundError } from "./errors.ts";
import { getGroup } from "./groups.ts";
import { getGroupProducts } from "./seats.ts";
import { assertOrg, type CursorPage, cursorOf, pageSize, searchText } from "./user-search.ts";

export interface GroupSummary {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupDetail extends GroupSummary {
  products: string[];
}

export interface GroupMemberView {
  id: string;
  type: MemberType;
  /** Users only. */
  userName: string | null;
  displayName: string | null;
  /** Users only: false while suspended. */
  active: boolean | null;
}

export async function searchGroups(
  db: Kysely<Database>,
  orgId: string,
  query: { q?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<CursorPage<GroupSummary>> {
  await assertOrg(db, orgId);
  const limit = pageSize(query.limit);
  const rows = await searchGroupRows(db, orgId, { text: searchText(query.q), afterId: cursorOf(query.cursor), limit: limit + 1 });
  const page = rows.slice(0, limit).map(toSummary);
  return { items: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

export async function getGroupDetail(db: Kysely<Database>, orgId: string, id: string): Promise<GroupDetail> {
  await assertOrg(db, orgId);
  const row = isUuid(id) ? await findGroupSummary(db, orgId, id) : undefined;
  if (!row) throw new NotFoundError("Group", id);
  return { ...toSummary(row), products: await getGroupProducts(db, orgId, row.id) };
}

export async function listGroupMembers(
  db: Kysely<Database>,
  orgId: string,
  groupId: string,
  query: { cursor?: string | undefined; limit?: number | undefined },
): Promise<CursorPage<GroupMemberView>> {
  await assertOrg(db, orgId);
  const limit = pageSize(query.limit);
  const afterId = cursorOf(query.cursor);
  await getGroup(db, orgId, groupId); // 404 before paging, without counting its members
  const rows = await memberPage(db, orgId, groupId, { afterId, limit: limit + 1 });
  const page = rows.slice(0, limit).map((r) => ({
    id: r.member_id,
    type: r.member_type,
    userName: r.user_name,
    displayName: r.display_name,
    active: r.member_type === "User" ? r.active : null,
  }));
  return { items: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

const toSummary = (r: GroupSummaryRow): GroupSummary => ({
  id: r.id,
  displayName: r.display_name,
  externalId: r.external_id,
  memberCount: Number(r.member_count),
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});
