import { type Kysely, sql } from "kysely";

// Frozen: never edit a migration that has shipped; add a new one.
// Every tenant table carries org_id and leads its keys and indexes with it, so
// the schema can be distributed by organization (e.g. Citus) without a redesign.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("orgs")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Token lookup is by hash across all organizations (the bearer token names no
  // org), so token_hash has a global unique index: a small reference table.
  await db.schema
    .createTable("scim_tokens")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("id", "uuid", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_used_at", "timestamptz")
    .addPrimaryKeyConstraint("scim_tokens_pk", ["org_id", "id"])
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("id", "uuid", (c) => c.notNull())
    .addColumn("user_name", "text", (c) => c.notNull())
    .addColumn("external_id", "text")
    .addColumn("display_name", "text")
    .addColumn("active", "boolean", (c) => c.notNull().defaultTo(true))
    // The SCIM attributes as coerced on the way in, minus id, meta, schemas and password.
    .addColumn("resource", "jsonb", (c) => c.notNull())
    .addColumn("password_hash", "text")
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("users_pk", ["org_id", "id"])
    .execute();
  // userName is caseExact=false (RFC 7643 §4.1.1): unique per organization, case-insensitively.
  await sql`create unique index users_user_name_uq on users (org_id, lower(user_name))`.execute(db);
  await sql`create index users_external_id_idx on users (org_id, external_id)`.execute(db);
  await sql`create index users_display_name_idx on users (org_id, lower(display_name))`.execute(db);
  await sql`create index users_updated_at_idx on users (org_id, updated_at, id)`.execute(db);
  await sql`create index users_created_at_idx on users (org_id, created_at, id)`.execute(db);

  // One row per email so `emails.value eq "…"` (what every IdP sends to match a user) is an index lookup.
  await db.schema
    .createTable("user_emails")
    .addColumn("org_id", "uuid", (c) => c.notNull())
    .addColumn("user_id", "uuid", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("type", "text")
    .addColumn("is_primary", "boolean", (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint("user_emails_pk", ["org_id", "user_id", "position"])
    .addForeignKeyConstraint("user_emails_user_fk", ["org_id", "user_id"], "users", ["org_id", "id"], (fk) =>
      fk.onDelete("cascade"),
    )
    .execute();
  await sql`create index user_emails_value_idx on user_emails (org_id, lower(value))`.execute(db);

  await db.schema
    .createTable("groups")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("id", "uuid", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("external_id", "text")
    // SCIM attributes other than members (members live in group_members).
    .addColumn("resource", "jsonb", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "timestamptz", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("groups_pk", ["org_id", "id"])
    .execute();
  await sql`create index groups_display_name_idx on groups (org_id, lower(display_name))`.execute(db);
  await sql`create index groups_external_id_idx on groups (org_id, external_id)`.execute(db);
  await sql`create index groups_updated_at_idx on groups (org_id, updated_at, id)`.execute(db);

  // One row per membership: a 100,000-member group is paged and patched by SQL deltas.
  // member_id is a user or a group of the same organization (no FK: two target tables);
  // deleting a user or group removes its memberships in the same transaction.
  await db.schema
    .createTable("group_members")
    .addColumn("org_id", "uuid", (c) => c.notNull())
    .addColumn("group_id", "uuid", (c) => c.notNull())
    .addColumn("member_id", "uuid", (c) => c.notNull())
    .addColumn("member_type", "text", (c) => c.notNull().check(sql`member_type in ('User', 'Group')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("group_members_pk", ["org_id", "group_id", "member_id"])
    .addForeignKeyConstraint("group_members_group_fk", ["org_id", "group_id"], "groups", ["org_id", "id"], (fk) =>
      fk.onDelete("cascade"),
    )
    .execute();
  await sql`create index group_members_member_idx on group_members (org_id, member_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["group_members", "groups", "user_emails", "users", "scim_tokens", "orgs"]) {
    await db.schema.dropTable(t).execute();
  }
}
