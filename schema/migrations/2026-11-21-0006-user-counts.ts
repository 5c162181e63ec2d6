import { type Kysely, sql } from "kysely";

// Frozen once shipped. The number of users of each organization, kept exact
// and transactional by statement-level triggers on users, so an unfiltered
// GET /Users answers totalResults (RFC 7644 §3.4.2, REQUIRED) without a
// count(*) over every user of the organization (about 90 ms at 1M users);
// and a change counter that tells index paging (startIndex) whether positions
// it saw before still hold (server/scim/pagination/index-positions.ts).
//
// Sharded: each database session adds into one of SHARDS rows per organization
// (chosen by its backend pid), and the count is their sum. One row per
// organization would be updated by every user insert and held locked until its
// transaction commits, serializing concurrent POST /Users of one organization;
// with shards, concurrent sessions mostly take different rows.
//
// Statement-level with transition tables: a multi-row INSERT (CSV import, the
// benchmark loader, Bulk) costs one counter update, not one per row. Deletes
// subtract in the same way; the cascade of an organization delete skips the
// organization, whose counter rows cascade away with it.
const SHARDS = 32;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table org_user_counts (
      org_id uuid not null references orgs (id) on delete cascade,
      shard smallint not null,
      users bigint not null,
      -- Rows inserted plus rows deleted, ever: unchanged exactly when no user was
      -- added or removed, i.e. when every user's position in id order is unchanged.
      changes bigint not null default 0,
      constraint org_user_counts_pk primary key (org_id, shard)
    ) with (fillfactor = 50)
  `.execute(db);
  await sql`
    create function org_user_counts_insert() returns trigger language plpgsql as $$
    begin
      insert into org_user_counts (org_id, shard, users, changes)
      select org_id, (pg_backend_pid() % ${sql.raw(String(SHARDS))})::smallint, count(*), count(*) from inserted_users group by org_id
      on conflict (org_id, shard) do update
        set users = org_user_counts.users + excluded.users, changes = org_user_counts.changes + excluded.changes;
      return null;
    end $$
  `.execute(db);
  await sql`
    create function org_user_counts_delete() returns trigger language plpgsql as $$
    begin
      -- The organization itself being deleted (cascade): its counters go with it.
      insert into org_user_counts (org_id, shard, users, changes)
      select d.org_id, (pg_backend_pid() % ${sql.raw(String(SHARDS))})::smallint, -count(*), count(*)
      from deleted_users d
      where exists (select 1 from orgs o where o.id = d.org_id)
      group by d.org_id
      on conflict (org_id, shard) do update
        set users = org_user_counts.users + excluded.users, changes = org_user_counts.changes + excluded.changes;
      return null;
    end $$
  `.execute(db);
  await sql`
    create trigger users_count_insert after insert on users
    referencing new table as inserted_users for each statement execute function org_user_counts_insert()
  `.execute(db);
  await sql`
    create trigger users_count_delete after delete on users
    referencing old table as deleted_users for each statement execute function org_user_counts_delete()
  `.execute(db);
  await sql`
    insert into org_user_counts (org_id, shard, users, changes)
    select org_id, 0, count(*), count(*) from users group by org_id
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger users_count_delete on users`.execute(db);
  await sql`drop trigger users_count_insert on users`.execute(db);
  await sql`drop function org_user_counts_delete()`.execute(db);
  await sql`drop function org_user_counts_insert()`.execute(db);
  await db.schema.dropTable("org_user_counts").execute();
}
