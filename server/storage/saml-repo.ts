import { type Insertable, type Kysely, sql, type Transaction } from "kysely";
import type { Database, SamlConfigRow, SamlConfigsTable } from "./tables.ts";

type Db = Kysely<Database> | Transaction<Database>;

export async function findConfig(db: Db, orgId: string, opts: { forUpdate?: boolean } = {}): Promise<SamlConfigRow | undefined> {
  let q = db.selectFrom("saml_configs").selectAll().where("org_id", "=", orgId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function upsertConfig(trx: Transaction<Database>, row: Insertable<SamlConfigsTable>): Promise<SamlConfigRow> {
  const { org_id: _org, created_at: _created, ...update } = row;
  return trx
    .insertInto("saml_configs")
    .values(row)
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ ...update, updated_at: sql`now()` }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteConfig(trx: Transaction<Database>, orgId: string): Promise<void> {
  await trx.deleteFrom("saml_configs").where("org_id", "=", orgId).execute();
  await trx.deleteFrom("saml_requests").where("org_id", "=", orgId).execute();
}

/** Stores an issued AuthnRequest id; expired ids of the organization are swept on the way. */
export async function insertRequest(db: Db, orgId: string, id: string, issuedAt: string, expiresAt: Date): Promise<void> {
  await db.deleteFrom("saml_requests").where("org_id", "=", orgId).where("expires_at", "<=", sql<Date>`now()`).execute();
  await db.insertInto("saml_requests").values({ org_id: orgId, id, issued_at: issuedAt, expires_at: expiresAt }).execute();
}

export async function findRequest(db: Db, orgId: string, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("saml_requests")
    .select("issued_at")
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  return row?.issued_at;
}

/** Deletes the id if it is there and unexpired; true for exactly one caller however many race. */
export async function consumeRequest(db: Db, orgId: string, id: string): Promise<boolean> {
  const row = await db
    .deleteFrom("saml_requests")
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Records an assertion id as used. True when this call recorded it: a new id,
 * or one whose earlier record has expired (it could not be accepted by then
 * anyway). One INSERT … ON CONFLICT, so two concurrent posts of one assertion
 * cannot both get true.
 */
export async function insertSeenAssertion(db: Db, orgId: string, assertionId: string, expiresAt: Date): Promise<boolean> {
  const row = await db
    .insertInto("saml_assertions_seen")
    .values({ org_id: orgId, assertion_id: assertionId, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .columns(["org_id", "assertion_id"])
        .doUpdateSet({ expires_at: expiresAt })
        .where("saml_assertions_seen.expires_at", "<=", sql<Date>`now()`),
    )
    .returning("assertion_id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteExpiredAssertions(db: Db, orgId: string): Promise<void> {
  await db.deleteFrom("saml_assertions_seen").where("org_id", "=", orgId).where("expires_at", "<=", sql<Date>`now()`).execute();
}

export async function seenAssertionExists(db: Db, orgId: string, assertionId: string): Promise<boolean> {
  const row = await db
    .selectFrom("saml_assertions_seen")
    .select("assertion_id")
    .where("org_id", "=", orgId)
    .where("assertion_id", "=", assertionId)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  return row !== undefined;
}
