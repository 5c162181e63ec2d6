import { type Kysely, sql } from "kysely";

// Frozen once shipped. Organization model: verified domains, products and
// seats, administrative roles, audit trail.
export async function up(db: Kysely<any>): Promise<void> {
  // A domain may be claimed (pending) by several organizations, each with its
  // own TXT token; only one can ever hold it verified (partial unique index).
  await db.schema
    .createTable("org_domains")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("verification_token", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'verified')`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("verified_at", "timestamptz")
    .addPrimaryKeyConstraint("org_domains_pk", ["org_id", "name"])
    .execute();
  await sql`create unique index org_domains_verified_uq on org_domains (name) where status = 'verified'`.execute(db);

  await db.schema
    .createTable("products")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("seats", "integer", (c) => c.notNull().check(sql`seats >= 0`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("products_pk", ["org_id", "key"])
    .execute();

  // What a user asked for directly (SCIM entitlements, CSV import, admin API).
  await db.schema
    .createTable("user_products")
    .addColumn("org_id", "uuid", (c) => c.notNull())
    .addColumn("user_id", "uuid", (c) => c.notNull())
    .addColumn("product_key", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("user_products_pk", ["org_id", "user_id", "product_key"])
    .addForeignKeyConstraint("user_products_user_fk", ["org_id", "user_id"], "users", ["org_id", "id"], (fk) => fk.onDelete("cascade"))
    .addForeignKeyConstraint("user_products_product_fk", ["org_id", "product_key"], "products", ["org_id", "key"], (fk) => fk.onDelete("cascade"))
    .execute();

  // Products assigned to a group: every (active, direct) member wants them.
  await db.schema
    .createTable("group_products")
    .addColumn("org_id", "uuid", (c) => c.notNull())
    .addColumn("group_id", "uuid", (c) => c.notNull())
    .addColumn("product_key", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("group_products_pk", ["org_id", "group_id", "product_key"])
    .addForeignKeyConstraint("group_products_group_fk", ["org_id", "group_id"], "groups", ["org_id", "id"], (fk) => fk.onDelete("cascade"))
    .addForeignKeyConstraint("group_products_product_fk", ["org_id", "product_key"], "products", ["org_id", "key"], (fk) => fk.onDelete("cascade"))
    .execute();
  await sql`create index group_products_product_idx on group_products (org_id, product_key)`.execute(db);

  // One row per (product, user) that wants a seat: granted holds one, pending waits
  // its turn in requested_at order (first come, first served).
  await db.schema
    .createTable("seat_assignments")
    .addColumn("org_id", "uuid", (c) => c.notNull())
    .addColumn("product_key", "text", (c) => c.notNull())
    .addColumn("user_id", "uuid", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('granted', 'pending')`))
    .addColumn("requested_at", "timestamptz", (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn("granted_at", "timestamptz")
    .addPrimaryKeyConstraint("seat_assignments_pk", ["org_id", "product_key", "user_id"])
    .addForeignKeyConstraint("seat_assignments_user_fk", ["org_id", "user_id"], "users", ["org_id", "id"], (fk) => fk.onDelete("cascade"))
    .addForeignKeyConstraint("seat_assignments_product_fk", ["org_id", "product_key"], "products", ["org_id", "key"], (fk) => fk.onDelete("cascade"))
    .execute();
  await sql`create index seat_assignments_queue_idx on seat_assignments (org_id, product_key, status, requested_at, user_id)`.execute(db);
  await sql`create index seat_assignments_user_idx on seat_assignments (org_id, user_id)`.execute(db);

  // Roles: organization centre (admin, admin-readonly, user) and admin centre
  // (member, manager, administrator, super-administrator); a manager's scope
  // (groups and/or permissions) is a small JSON document.
  await db.schema
    .alterTable("users")
    .addColumn("org_role", "text", (c) => c.notNull().defaultTo("user").check(sql`org_role in ('admin', 'admin-readonly', 'user')`))
    .execute();
  await db.schema
    .alterTable("users")
    .addColumn("admin_role", "text", (c) =>
      c.notNull().defaultTo("member").check(sql`admin_role in ('member', 'manager', 'administrator', 'super-administrator')`),
    )
    .execute();
  await db.schema
    .alterTable("users")
    .addColumn("manager_scope", "jsonb", (c) => c.notNull().defaultTo(sql`'{"groups":[],"permissions":[]}'::jsonb`))
    .execute();
  await sql`create index users_admin_role_idx on users (org_id, admin_role)`.execute(db);

  // Audit trail: written in the same transaction as the change it records.
  await db.schema
    .createTable("audit_events")
    .addColumn("org_id", "uuid", (c) => c.notNull().references("orgs.id").onDelete("cascade"))
    .addColumn("id", "uuid", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("actor_kind", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text")
    .addColumn("target_label", "text")
    .addColumn("details", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addPrimaryKeyConstraint("audit_events_pk", ["org_id", "id"])
    .execute();
  await sql`create index audit_events_at_idx on audit_events (org_id, at, id)`.execute(db);
  await sql`create index audit_events_target_idx on audit_events (org_id, target_id, id)`.execute(db);
  await sql`create index audit_events_actor_idx on audit_events (org_id, actor_id, id)`.execute(db);
  await sql`create index audit_events_action_idx on audit_events (org_id, action, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["audit_events", "seat_assignments", "group_products", "user_products", "products", "org_domains"]) {
    await db.schema.dropTable(t).execute();
  }
  for (const c of ["manager_scope", "admin_role", "org_role"]) await db.schema.alterTable("users").dropColumn(c).execute();
}
