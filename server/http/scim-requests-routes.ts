import type { ScimRequestJson } from "./admin-api-json.ts";
import { Router } from "express";
import type { Kysely } from "kysely";
import { listScimRequests, type ScimRequestEntry } from "../domain/scim-request-log.ts";
import { assertOrg } from "../domain/user-search.ts";
import type { Database } from "../storage/tables.ts";
import { limitOf, orgCaller, queryOf } from "./org-request.ts";

/**
 * The recent SCIM requests of an organization's tokens (domain/scim-request-log.ts),
 * mounted at /admin/v1/orgs/:org/scim-requests (mergeParams):
 *   GET /?token=<tokenId>&status=errors|all&before=<id>&limit=<1..200>
 * newest first; `next` is the `before` of the following page, null on the last.
 * Entries reach the database a moment (about a quarter second) after the request.
 */
export function scimRequestsRouter({ db }: { db: Kysely<Database> }): Router {
  const r = Router({ mergeParams: true });
  r.get("/", async (req, res) => {
    const { orgId } = orgCaller(req, res);
    await assertOrg(db, orgId);
    const q = queryOf(req, ["token", "status", "before", "limit"] as const);
    const page = await listScimRequests(db, orgId, { ...q, limit: limitOf(q.limit) });
    res.json({ requests: page.requests.map(entryJson), next: page.next });
  });
  return r;
}

const entryJson = (e: ScimRequestEntry): ScimRequestJson => ({
  id: e.id,
  tokenId: e.tokenId,
  at: e.at.toISOString(),
  method: e.method,
  path: e.path,
  status: e.status,
  scimType: e.scimType,
  detail: e.detail,
  durationMs: e.durationMs,
});
