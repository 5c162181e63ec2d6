import { type Kysely, sql } from "kysely";

// Frozen once shipped. Rate-limit counters shared by every server process:
// one row per limited key (a SCIM token, an organization, a sign-in client
// address) and fixed window, bumped by one INSERT … ON CONFLICT per request.
//
// Windows differ by key (a minute for SCIM, a quarter hour for failed operator
// sign-ins), so each row says when it ends and pruning needs no window length.
//
// UNLOGGED: a counter is worth nothing after a crash (the window it counted is
// over by the time the server is back), so its updates skip the WAL, which is
// most of their cost. A fill factor of 50 leaves room on each page so the
// constant updates of a hot row stay heap-only (HOT) instead of touching the index.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create unlogged table rate_limit_counters (
      key text not null,
      window_start timestamptz not null,
      hits integer not null,
      expires_at timestamptz not null,
      constraint rate_limit_counters_pk primary key (key, window_start)
    ) with (fillfactor = 50)
  `.execute(db);
  await sql`create index rate_limit_counters_expiry on rate_limit_counters (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("rate_limit_counters").execute();
}
