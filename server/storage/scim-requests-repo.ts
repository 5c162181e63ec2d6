import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import type { Database, ScimRequestsTable } from "./tables.ts";

export type NewScimRequestRow = Insertable<ScimRequestsTable>;
export type ScimRequestRow = Selectable<ScimRequestsTable>;

/** One multi-row INSERT per call (the caller keeps batches under PostgreSQL's 65,535 parameters). */
export async function insertScimRequests(db: Kysely<Database>, rows: NewScimRequestRow[]): Promise<void> {
  if (!rows.length) return;
  await db.insertInto("scim_requests").values(rows).execute();
}

/**
 * Keeps the newest `keep` rows of each of these tokens. The cut-off id is found
 * once per token (an index walk of `keep` entries), then older rows go in one
 * range delete on (token_id, id).
 */
export async function pruneTokensToNewest(db: Kysely<Database>, tokenIds: string[], keep: number): Promise<number> {
  if (!tokenIds.length) return 0;
  const tokens = sql.join(tokenIds.map((t) => sql`(${t}::uuid)`));
  const res = await sql`
    with cutoff as (
      select t.token_id,
             (select r.id from scim_requests r where r.token_id = t.token_id order by r.id desc offset ${keep - 1} limit 1) as id
      from (values ${tokens}) as t(token_id)
    )
    delete from scim_requests s using cutoff c
    where c.id is not null and s.token_id = c.token_id and s.id < c.id`.execute(db);
  return Number(res.numAffectedRows ?? 0n);
}

/** Deletes every row with an id below `id` (ids are UUIDv7: older than the time it encodes). */
export async function deleteOlderThanId(db: Kysely<Database>, id: string): Promise<number> {
  const res = await db.deleteFrom("scim_requests").where("id", "<", id).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export interface ScimRequestQuery {
  orgId: string;
  tokenId?: string | undefined;
  errorsOnly: boolean;
  before?: string | undefined;
  limit: number;
}

/** Newest first, `limit` rows. */
export async function listScimRequests(db: Kysely<Database>, q: ScimRequestQuery): Promise<ScimRequestRow[]> {
  let query = db.selectFrom("scim_requests").selectAll().where("org_id", "=", q.orgId);
  if (q.tokenId) query = query.where("token_id", "=", q.tokenId);
  if (q.errorsOnly) query = query.where("status", ">=", 400);
  if (q.before) query = query.where("id", "<", q.before);
  return query.orderBy("id", "desc").limit(q.limit).execute();
}
