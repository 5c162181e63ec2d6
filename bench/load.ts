import pg from "pg";
import { uuidv7 } from "../server/lib/ids.ts";

/**
 * Loads the benchmark's data straight into the tables (multi-row INSERTs from
 * unnest'ed arrays, a few thousand rows a statement): N users with one work
 * email each, a large group (users 0..groupMembers-1) and a 10-member group
 * (users 0..9), all in one organization that was created, with its verified
 * domain and SCIM token, through the operator API. Rows look like what the
 * SCIM layer writes (server/domain/users.ts columnsOf, server/scim/user-mapping.ts):
 * `resource` holds the coerced profile minus id, meta, schemas and password.
 */
export interface LoadOptions {
  /** PostgreSQL to load into, or… */
  databaseUrl?: string;
  /** …an open client (the embedded PGlite of scenario 8: its query() has the same shape). */
  client?: SqlClient;
  orgId: string;
  domain: string;
  users: number;
  groupMembers: number;
  log?: (line: string) => void;
}

export interface LoadedData {
  /** User ids in load order (user i is userName(i)). */
  userIds: string[];
  bigGroupId: string;
  smallGroupId: string;
  smallGroupMembers: number;
  seconds: number;
  rowsPerSecond: number;
}

/** What the loader needs of a database client: pg.Client and PGlite both fit. */
export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

export const SMALL_GROUP_MEMBERS = 10;
const BATCH = 5_000;

export function userNameOf(i: number, domain: string): string {
  return `user${i}@${domain}`;
}

export async function loadData(options: LoadOptions): Promise<LoadedData> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const own = options.client ? undefined : new pg.Client({ connectionString: options.databaseUrl });
  await own?.connect();
  const client: SqlClient = options.client ?? own!;
  try {
    // A bulk load: losing the last commits on a crash is acceptable here.
    await client.query("set synchronous_commit = off");
    const userIds: string[] = new Array(options.users);
    let rows = 0;
    for (let from = 0; from < options.users; from += BATCH) {
      const to = Math.min(options.users, from + BATCH);
      const ids: string[] = [];
      const names: string[] = [];
      const displayNames: string[] = [];
      const resources: string[] = [];
      const now = new Date();
      for (let i = from; i < to; i++) {
        const id = uuidv7(now.getTime());
        const userName = userNameOf(i, options.domain);
        const displayName = `Bench User ${i}`;
        userIds[i] = id;
        ids.push(id);
        names.push(userName);
        displayNames.push(displayName);
        resources.push(
          JSON.stringify({
            userName,
            name: { givenName: "Bench", familyName: `User ${i}` },
            displayName,
            emails: [{ value: userName, type: "work", primary: true }],
            active: true,
          }),
        );
      }
      await client.query(
        `insert into users (org_id, id, user_name, display_name, resource, created_at, updated_at)
         select $1, id, user_name, display_name, resource::jsonb, $5, $5
         from unnest($2::uuid[], $3::text[], $4::text[], $6::text[]) as t(id, user_name, display_name, resource)`,
        [options.orgId, ids, names, displayNames, now, resources],
      );
      await client.query(
        `insert into user_emails (org_id, user_id, position, value, type, is_primary)
         select $1, user_id, 0, value, 'work', true from unnest($2::uuid[], $3::text[]) as t(user_id, value)`,
        [options.orgId, ids, names],
      );
      rows += 2 * (to - from);
      if ((to / BATCH) % 20 === 0 || to === options.users) log(`  users: ${to.toLocaleString("en")} / ${options.users.toLocaleString("en")}`);
    }

    const bigGroupId = await insertGroup(client, options.orgId, "bench-big");
    const smallGroupId = await insertGroup(client, options.orgId, "bench-small");
    for (let from = 0; from < options.groupMembers; from += BATCH) {
      const members = userIds.slice(from, Math.min(options.groupMembers, from + BATCH));
      await insertMembers(client, options.orgId, bigGroupId, members);
      rows += members.length;
    }
    const smallGroupMembers = Math.min(SMALL_GROUP_MEMBERS, options.users);
    await insertMembers(client, options.orgId, smallGroupId, userIds.slice(0, smallGroupMembers));
    rows += smallGroupMembers;
    // VACUUM, not only ANALYZE: it sets the visibility map, as autovacuum does on its own after a
    // bulk load (autovacuum_vacuum_insert_threshold). Without it every index-only scan (the
    // deferred join's OFFSET walk, a count) visits the heap for each of the rows it passes.
    log("  vacuum (analyze)");
    await client.query("vacuum (analyze) users, user_emails, groups, group_members");
    const seconds = (Date.now() - started) / 1000;
    return { userIds, bigGroupId, smallGroupId, smallGroupMembers, seconds, rowsPerSecond: Math.round(rows / seconds) };
  } finally {
    await own?.end();
  }
}

async function insertGroup(client: SqlClient, orgId: string, displayName: string): Promise<string> {
  const now = new Date();
  const id = uuidv7(now.getTime());
  await client.query(
    `insert into groups (org_id, id, display_name, resource, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)`,
    [orgId, id, displayName, JSON.stringify({ displayName }), now],
  );
  return id;
}

async function insertMembers(client: SqlClient, orgId: string, groupId: string, memberIds: string[]): Promise<void> {
  await client.query(
    `insert into group_members (org_id, group_id, member_id, member_type)
     select $1, $2, member_id, 'User' from unnest($3::uuid[]) as t(member_id)`,
    [orgId, groupId, memberIds],
  );
}
