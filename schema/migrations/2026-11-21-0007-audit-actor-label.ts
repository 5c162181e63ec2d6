import type { Kysely } from "kysely";

// Frozen once shipped. Who made a change, by name as it was at the time (a SCIM
// token's label, an admin's userName): the audit trail must still say "Entra ID"
// after that token is revoked (its row deleted) or the admin is deleted.
// Nullable: the operator and the system have no name to keep, and events written
// before this migration keep only the actor's id.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("audit_events").addColumn("actor_label", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("audit_events").dropColumn("actor_label").execute();
}
