import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { AdminRole, Database, OrgRole, UserRow } from "./tables.ts";

type UsersAlias = Database & { u: Database["users"] };

/** Every criterion is optional; the ones given are joined with AND. */
export interface UserSearchCriteria {
  /** Case-insensitive substring of userName, displayName or any email address. */
  text?: string | undefined;
  active?: boolean | undefined;
  /** Holds a granted seat of this product. */
  product?: string | undefined;
  /** A direct member of this group. */
  groupId?: string | undefined;
  orgRole?: OrgRole | undefined;
  adminRole?: AdminRole | undefined;
  /** Keyset: only ids after this one. */
  afterId?: string | undefined;
  limit: number;
}

/**
 * One page of users in id order (a walk of the (org_id, id) primary key), every
 * filter in SQL: EXISTS subqueries on the indexed child tables for product,
 * group and email. The text filter is a substring ILIKE, which no b-tree index
 * serves: it scans the organization's users until a page is full. That is fine
 * for an admin console's search box; an organization of millions would want a
 * pg_trgm GIN index on the three columns (a migration, not a change here).
 */
export async function searchUserRows(db: Kysely<Database>, orgId: string, c: UserSearchCriteria): Promise<UserRow[]> {
  let q = db.selectFrom("users as u").selectAll("u").where("u.org_id", "=", orgId);
  if (c.text) {
    const pattern = containsPattern(c.text);
    q = q.where((eb) =>
      eb.or([
        eb("u.user_name", "ilike", pattern),
        eb("u.display_name", "ilike", pattern),
        eb.exists(emailsOf(eb).where("e.value", "ilike", pattern)),
      ]),
    );
  }
  if (c.active !== undefined) q = q.where("u.active", "=", c.active);
  if (c.orgRole) q = q.where("u.org_role", "=", c.orgRole);
  if (c.adminRole) q = q.where("u.admin_role", "=", c.adminRole);
  if (c.product) {
    const key = c.product;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("seat_assignments as s")
          .select(sql`1`.as("one"))
          .whereRef("s.org_id", "=", "u.org_id")
          .whereRef("s.user_id", "=", "u.id")
          .where("s.product_key", "=", key)
          .where("s.status", "=", "granted"),
      ),
    );
  }
  if (c.groupId) {
    const groupId = c.groupId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("group_members as gm")
          .select(sql`1`.as("one"))
          .whereRef("gm.org_id", "=", "u.org_id")
          .whereRef("gm.member_id", "=", "u.id")
          .where("gm.group_id", "=", groupId),
      ),
    );
  }
  if (c.afterId) q = q.where("u.id", ">", c.afterId);
  return q.orderBy("u.id").limit(c.limit).execute();
}

function emailsOf(eb: ExpressionBuilder<UsersAlias, "u">) {
  return eb
    .selectFrom("user_emails as e")
    .select(sql`1`.as("one"))
    .whereRef("e.org_id", "=", "u.org_id")
    .whereRef("e.user_id", "=", "u.id");
}

/** The email rows of several users in one query, each user's in stored order. */
export async function emailsOfUsers(db: Kysely<Database>, orgId: string, userIds: string[]) {
  const byUser = new Map<string, { value: string; type: string | null; primary: boolean }[]>(userIds.map((id) => [id, []]));
  if (!userIds.length) return byUser;
  const rows = await db
    .selectFrom("user_emails")
    .select(["user_id", "value", "type", "is_primary"])
    .where("org_id", "=", orgId)
    .where("user_id", "in", userIds)
    .orderBy("user_id")
    .orderBy("position")
    .execute();
  for (const r of rows) byUser.get(r.user_id)?.push({ value: r.value, type: r.type, primary: r.is_primary });
  return byUser;
}

/** ILIKE pattern matching `text` anywhere; its own % _ and \ match literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
