import { type Kysely, sql, type Transaction } from "kysely";
import type { Database, ManagerScope, NewUserRow, UserRow, UserUpdate } from "./tables.ts";

type Db = Kysely<Database> | Transaction<Database>;

/** Row → domain shape. Lives here so rows never leave storage/ and domain/. */
export function toUser(r: UserRow) {
  return {
    id: r.id,
    orgId: r.org_id,
    userName: r.user_name,
    externalId: r.external_id,
    displayName: r.display_name,
    active: r.active,
    profile: (typeof r.resource === "string" ? JSON.parse(r.resource) : r.resource) as Record<string, unknown>,
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    roles: {
      orgRole: r.org_role,
      adminRole: r.admin_role,
      managerScope: (typeof r.manager_scope === "string" ? JSON.parse(r.manager_scope) : r.manager_scope) as ManagerScope,
    },
  };
}

/**
 * Locks the organization's active super administrators (in id order), so two
 * concurrent demotions cannot each see the other and leave none.
 */
export async function lockActiveSuperAdmins(trx: Transaction<Database>, orgId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom("users")
    .select("id")
    .where("org_id", "=", orgId)
    .where("admin_role", "=", "super-administrator")
    .where("active", "=", true)
    .orderBy("id")
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

export async function findUser(db: Db, orgId: string, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = db.selectFrom("users").selectAll().where("org_id", "=", orgId).where("id", "=", id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function insertUser(trx: Transaction<Database>, row: NewUserRow): Promise<UserRow> {
  return trx.insertInto("users").values(row).returningAll().executeTakeFirstOrThrow();
}

/** A new user and its emails in one statement (one round trip instead of two). */
export async function insertUserWithEmails(
  trx: Transaction<Database>,
  row: NewUserRow,
  emails: { value: string; type: string | null; primary: boolean }[],
): Promise<UserRow> {
  if (!emails.length) return insertUser(trx, row);
  return trx
    .with("new_user", (db) => db.insertInto("users").values(row).returningAll())
    .with("new_emails", (db) =>
      db.insertInto("user_emails").values(
        emails.map((e, position) => ({
          org_id: row.org_id,
          user_id: row.id,
          position,
          value: e.value,
          type: e.type,
          is_primary: e.primary,
        })),
      ),
    )
    .selectFrom("new_user")
    .selectAll()
    .executeTakeFirstOrThrow() as Promise<UserRow>;
}

export async function updateUser(trx: Transaction<Database>, orgId: string, id: string, set: UserUpdate): Promise<UserRow> {
  return trx
    .updateTable("users")
    .set(set)
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteUser(trx: Transaction<Database>, orgId: string, id: string): Promise<void> {
  await trx.deleteFrom("users").where("org_id", "=", orgId).where("id", "=", id).execute();
}

export async function replaceEmails(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
  emails: { value: string; type: string | null; primary: boolean }[],
): Promise<void> {
  await trx.deleteFrom("user_emails").where("org_id", "=", orgId).where("user_id", "=", userId).execute();
  await insertEmails(trx, orgId, userId, emails);
}

/** The emails of a user that has none yet (a new user). */
export async function insertEmails(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
  emails: { value: string; type: string | null; primary: boolean }[],
): Promise<void> {
  if (!emails.length) return;
  await trx
    .insertInto("user_emails")
    .values(
      emails.map((e, position) => ({
        org_id: orgId,
        user_id: userId,
        position,
        value: e.value,
        type: e.type,
        is_primary: e.primary,
      })),
    )
    .execute();
}

/** The groups each member belongs to directly, for a page of users in one query. */
export async function groupsOfMembers(db: Db, orgId: string, memberIds: string[]) {
  const byMember = new Map<string, { id: string; displayName: string }[]>();
  if (!memberIds.length) return byMember;
  const rows = await db
    .selectFrom("group_members as gm")
    .innerJoin("groups as g", (j) => j.onRef("g.org_id", "=", "gm.org_id").onRef("g.id", "=", "gm.group_id"))
    .select(["gm.member_id", "g.id", "g.display_name"])
    .where("gm.org_id", "=", orgId)
    .where("gm.member_id", "in", memberIds)
    .orderBy("g.display_name")
    .execute();
  for (const r of rows) {
    const list = byMember.get(r.member_id) ?? [];
    list.push({ id: r.id, displayName: r.display_name });
    byMember.set(r.member_id, list);
  }
  return byMember;
}

/**
 * Locks (FOR UPDATE, in id order) the groups that list `memberId`. Deleting a
 * member takes these before the member's own row, the order adding members
 * takes them in (the group, then its members FOR KEY SHARE), so a delete and
 * an add of the same membership queue up instead of deadlocking.
 */
export async function lockGroupsOf(trx: Transaction<Database>, orgId: string, memberId: string): Promise<void> {
  await trx
    .selectFrom("groups")
    .select("id")
    .where("org_id", "=", orgId)
    .where("id", "in", (eb) =>
      eb.selectFrom("group_members").select("group_id").where("org_id", "=", orgId).where("member_id", "=", memberId),
    )
    .orderBy("id")
    .forUpdate()
    .execute();
}

/**
 * Removes a user or group from every group that lists it, bumping those groups'
 * versions: their member lists changed, so their ETags and lastModified must too.
 */
export async function removeFromAllGroups(trx: Transaction<Database>, orgId: string, memberId: string): Promise<void> {
  await trx
    .updateTable("groups")
    .set({ version: sql`version + 1`, updated_at: new Date() })
    .where("org_id", "=", orgId)
    .where("id", "in", (eb) =>
      eb.selectFrom("group_members").select("group_id").where("org_id", "=", orgId).where("member_id", "=", memberId),
    )
    .execute();
  await trx.deleteFrom("group_members").where("org_id", "=", orgId).where("member_id", "=", memberId).execute();
}
