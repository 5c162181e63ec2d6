import type { GroupJson } from "./admin-api-json.ts";
import { type Request, Router } from "express";
import type { Kysely } from "kysely";
import { getGroupDetail, type GroupSummary, listGroupMembers, searchGroups } from "../domain/group-search.ts";
import type { Database } from "../storage/tables.ts";
import { limitOf, orgCaller, queryOf } from "./org-request.ts";

export interface GroupsAdminRouterDeps {
  db: Kysely<Database>;
}

/**
 * The groups of one organization for its operators, read-only (groups are
 * provisioned by the identity provider over SCIM), mounted at /admin/v1/orgs/:org:
 *   GET /groups?q=&cursor=&limit=, GET /groups/:id, GET /groups/:id/members?cursor=&limit=.
 * Products of a group are set with PUT /groups/:id/products (products-routes.ts).
 */
export function groupsAdminRouter({ db }: GroupsAdminRouterDeps): Router {
  const r = Router({ mergeParams: true });

  r.get("/groups", async (req, res) => {
    const { orgId } = orgCaller(req, res);
    const q = queryOf(req, ["q", "cursor", "limit"] as const);
    const page = await searchGroups(db, orgId, { ...q, limit: limitOf(q.limit) });
    res.json({ groups: page.items.map(groupJson), nextCursor: page.nextCursor });
  });
  r.get("/groups/:id", async (req, res) => {
    const { orgId } = orgCaller(req, res);
    const group = await getGroupDetail(db, orgId, idParam(req));
    res.json({ ...groupJson(group), products: group.products });
  });
  r.get("/groups/:id/members", async (req, res) => {
    const { orgId } = orgCaller(req, res);
    const q = queryOf(req, ["cursor", "limit"] as const);
    const page = await listGroupMembers(db, orgId, idParam(req), { cursor: q.cursor, limit: limitOf(q.limit) });
    res.json({ members: page.items, nextCursor: page.nextCursor });
  });
  return r;
}

const idParam = (req: Request) => String(req.params.id);

const groupJson = (g: GroupSummary): GroupJson => ({
  id: g.id,
  displayName: g.displayName,
  externalId: g.externalId,
  memberCount: g.memberCount,
  createdAt: g.createdAt.toISOString(),
  updatedAt: g.updatedAt.toISOString(),
});
