import { type Kysely, sql, type Transaction } from "kysely";
import type { Database, UserRow } from "./tables.ts";

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Users of the organization whose userName, or a primary or work email, is
 * `address` (case-insensitively: both columns have lower() indexes). Each row
 * says which of the two matched.
 */
export async function findUsersBySignInAddress(db: Db, orgId: string, address: string): Promise<(UserRow & { by_user_name: boolean })[]> {
  const lowered = address.toLowerCase();
  return db
    .selectFrom("users as u")
    .selectAll("u")
    .select(sql<boolean>`lower(u.user_name) = ${lowered}`.as("by_user_name"))
    .where("u.org_id", "=", orgId)
    .where((eb) =>
      eb.or([
        eb(sql`lower(u.user_name)`, "=", lowered),
        eb(
          "u.id",
          "in",
          eb
            .selectFrom("user_emails as e")
            .select("e.user_id")
            .where("e.org_id", "=", orgId)
            .where(sql`lower(e.value)`, "=", lowered)
            .where((w) => w.or([w("e.is_primary", "=", true), w(sql`lower(e.type)`, "=", "work")])),
        ),
      ]),
    )
    .orderBy("u.id")
    .limit(10)
    .execute();
}

/** The organizations holding any of these names verified (the partial unique index allows one per name). */
export async function findVerifiedDomainOwners(db: Db, names: string[]): Promise<{ org_id: string; name: string }[]> {
  if (!names.length) return [];
  return db
    .selectFrom("org_domains")
    .select(["org_id", "name"])
    .where("status", "=", "verified")
    .where("name", "in", names)
    .execute();
}
