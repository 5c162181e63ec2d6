import { type Kysely, sql } from "kysely";

// Frozen once shipped. Enterprise sign-in with SAML 2.0: one identity provider
// per organization, the AuthnRequests we issued and the assertions we accepted
// (both shared by every server process through the database), and sessions.
export async function up(db: Kysely<any>): Promise<void> {
  // One identity provider per organization. Certificates are a JSON array of
  // PEM strings: several at once, so an IdP can roll its key without an outage.
  await db.schema
    .createTable("saml_configs")
    .addColumn("org_id", "uuid", (c) => c.primaryKey().references("orgs.id").onDelete("cascade"))
    .addColumn("idp_entity_id", "text", (c) => c.notNull())
    .addColumn("idp_sso_url", "text", (c) => c.notNull())
    .addColumn("idp_certificates", "jsonb", (c) => c.notNull())
    .addColumn("allow_idp_initiated", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("jit_provisioning", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("clock_skew_seconds", "integer", (c) =>
      c.notNull().defaultTo(120).check(sql`clock_skew_seconds between 0 and 600`),
    )
    .addColumn("source", "text", (c) => c.notNull().check(sql`source in ('metadata', 'manual')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // AuthnRequest ids we issued (node-saml's InResponseTo cache), per organization:
  // a request made for one organization never validates a response at another's ACS.
  await db.schema
    .createTable("saml_requests")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("issued_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("saml_requests_pk", ["org_id", "id"])
    .execute();

  // Assertion ids accepted once (replay protection), kept until the assertion
  // could no longer be accepted anyway (its NotOnOrAfter plus the clock skew).
  await db.schema
    .createTable("saml_assertions_seen")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("assertion_id", "text", (c) => c.notNull())
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("saml_assertions_seen_pk", ["org_id", "assertion_id"])
    .execute();

  // Browser sessions. The cookie names no organization, so the lookup is by the
  // hash of the secret across all organizations (like scim_tokens); deleting a
  // user deletes its sessions through the foreign key.
  await db.schema
    .createTable("sessions")
    .addColumn("id_hash", "text", (c) => c.primaryKey())
    .addColumn("org_id", "uuid", (c) => c.notNull())
    .addColumn("user_id", "uuid", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_seen_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addForeignKeyConstraint("sessions_user_fk", ["org_id", "user_id"], "users", ["org_id", "id"], (fk) => fk.onDelete("cascade"))
    .execute();
  await sql`create index sessions_user_idx on sessions (org_id, user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["sessions", "saml_assertions_seen", "saml_requests", "saml_configs"]) {
    await db.schema.dropTable(t).execute();
  }
}
