import { type Insertable, type Kysely, sql, type Transaction } from "kysely";
import type { Database, OrgDomainRow, OrgDomainsTable } from "./tables.ts";

type Db = Kysely<Database> | Transaction<Database>;

export const VERIFIED_DOMAIN_INDEX = "org_domains_verified_uq";
export const DOMAIN_PK = "org_domains_pk";

// Arbitrary constant (next to the migration lock's): the advisory lock taken by
// every transaction that makes a domain verified.
const DOMAIN_VERIFICATION_LOCK_ID = 725_417_002;

export async function insertDomain(trx: Transaction<Database>, row: Insertable<OrgDomainsTable>): Promise<OrgDomainRow> {
  return trx.insertInto("org_domains").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findDomain(db: Db, orgId: string, name: string): Promise<OrgDomainRow | undefined> {
  return db.selectFrom("org_domains").selectAll().where("org_id", "=", orgId).where("name", "=", name).executeTakeFirst();
}

export async function listDomains(db: Db, orgId: string): Promise<OrgDomainRow[]> {
  return db.selectFrom("org_domains").selectAll().where("org_id", "=", orgId).orderBy("name").execute();
}

/** Locks the row against removal and concurrent verification for the rest of the transaction. */
export async function lockDomain(trx: Transaction<Database>, orgId: string, name: string): Promise<OrgDomainRow | undefined> {
  return trx
    .selectFrom("org_domains")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("name", "=", name)
    .forUpdate()
    .executeTakeFirst();
}

export async function markVerified(trx: Transaction<Database>, orgId: string, name: string): Promise<OrgDomainRow> {
  return trx
    .updateTable("org_domains")
    .set({ status: "verified", verified_at: sql<Date>`now()` })
    .where("org_id", "=", orgId)
    .where("name", "=", name)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteDomain(trx: Transaction<Database>, orgId: string, name: string): Promise<void> {
  await trx.deleteFrom("org_domains").where("org_id", "=", orgId).where("name", "=", name).execute();
}

/**
 * Serialises every transaction that makes a domain verified, server-wide. The
 * partial unique index guards one exact name only; "acme.com" verified by one
 * organization and "sub.acme.com" by another at the same moment would both
 * pass a plain check-then-write under READ COMMITTED. Verifications are rare
 * human actions, so one lock costs nothing. Released at commit or rollback.
 */
export async function lockDomainVerifications(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${DOMAIN_VERIFICATION_LOCK_ID}::bigint)`.execute(trx);
}

/**
 * True when an organization other than `orgId` has verified `name`, one of
 * `parents` (the name's parent domains) or a subdomain of `name`.
 */
export async function isVerifiedElsewhere(db: Db, orgId: string, name: string, parents: string[]): Promise<boolean> {
  const row = await db
    .selectFrom("org_domains")
    .select("name")
    .where("status", "=", "verified")
    .where("org_id", "<>", orgId)
    .where((eb) =>
      eb.or([eb("name", "in", [name, ...parents]), eb(sql<string>`right(name, ${name.length + 1}::int)`, "=", `.${name}`)]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The organization's domains named in `names`, locked FOR KEY SHARE (when in a
 * transaction) so none can be removed until the caller commits, while other
 * writers holding the same lock are not blocked. Name order keeps lock order
 * the same as lockOrgVerifiedDomains', so the two cannot deadlock.
 */
export async function findDomainsLocked(
  db: Db,
  orgId: string,
  names: string[],
): Promise<Pick<OrgDomainRow, "name" | "status">[]> {
  if (!names.length) return [];
  return db
    .selectFrom("org_domains")
    .select(["name", "status"])
    .where("org_id", "=", orgId)
    .where("name", "in", names)
    .orderBy("name")
    .forKeyShare()
    .execute();
}

/** Locks every verified domain of the organization, plus `alsoName`, in name order (removal). */
export async function lockOrgDomainsForRemoval(
  trx: Transaction<Database>,
  orgId: string,
  alsoName: string,
): Promise<OrgDomainRow[]> {
  return trx
    .selectFrom("org_domains")
    .selectAll()
    .where("org_id", "=", orgId)
    .where((eb) => eb.or([eb("status", "=", "verified"), eb("name", "=", alsoName)]))
    .orderBy("name")
    .forUpdate()
    .execute();
}

// The part after the last "@", lower-cased; the same expression in both queries below.
const domainOf = (column: string) => sql<string>`lower(substring(${sql.ref(column)} from '@([^@]*)$'))`;
const isSignInEmail = sql<boolean>`(e.is_primary or lower(e.type) = 'work')`;

/**
 * The distinct domains (as stored, lower-cased) of the organization's sign-in
 * addresses: userNames containing "@", and primary or work emails.
 */
export async function signInDomainsInUse(db: Db, orgId: string): Promise<string[]> {
  const { rows } = await sql<{ domain: string }>`
    select ${domainOf("u.user_name")} as domain from users u
     where u.org_id = ${orgId} and strpos(u.user_name, '@') > 0
    union
    select ${domainOf("e.value")} from user_emails e
     where e.org_id = ${orgId} and ${isSignInEmail} and strpos(e.value, '@') > 0`.execute(db);
  return rows.map((r) => r.domain).filter((d): d is string => typeof d === "string" && d !== "");
}

/** How many users of the organization have a sign-in address in one of `domains` (as signInDomainsInUse returns them). */
export async function countUsersWithSignInDomains(db: Db, orgId: string, domains: string[]): Promise<number> {
  if (!domains.length) return 0;
  const list = sql.join(domains);
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from users u
     where u.org_id = ${orgId}
       and ((strpos(u.user_name, '@') > 0 and ${domainOf("u.user_name")} in (${list}))
         or exists (select 1 from user_emails e
                     where e.org_id = u.org_id and e.user_id = u.id and ${isSignInEmail}
                       and ${domainOf("e.value")} in (${list})))`.execute(db);
  return rows[0]?.n ?? 0;
}
