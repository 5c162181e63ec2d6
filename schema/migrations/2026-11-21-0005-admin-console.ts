import { type Kysely, sql } from "kysely";

// Frozen once shipped. The admin console: operator browser sessions and the
// log of recent SCIM requests shown on the provisioning page.
export async function up(db: Kysely<any>): Promise<void> {
  // Operator sessions (sign-in with ADMIN_TOKEN in the browser). Like `sessions`,
  // only the SHA-256 of the cookie secret is kept. `token_binding` is an HMAC of
  // the ADMIN_TOKEN keyed by the cookie secret: rotating ADMIN_TOKEN ends every
  // operator session, and a database leak does not allow guessing the token offline.
  await db.schema
    .createTable("operator_sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("token_binding", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .execute();

  // Recent SCIM requests per token. No foreign keys: rows are written in
  // batches after the fact, and a token revoked (or an organization removed)
  // in between must not make the whole batch fail; pruning removes them.
  // Ids are UUIDv7, so ordering by id is ordering by time.
  await db.schema
    .createTable("scim_requests")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("org_id", "uuid", (c) => c.notNull())
    .addColumn("token_id", "uuid", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull())
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("scim_type", "text")
    .addColumn("detail", "text")
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    .execute();
  await sql`create index scim_requests_token_idx on scim_requests (token_id, id)`.execute(db);
  await sql`create index scim_requests_org_idx on scim_requests (org_id, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("scim_requests").execute();
  await db.schema.dropTable("operator_sessions").execute();
}
