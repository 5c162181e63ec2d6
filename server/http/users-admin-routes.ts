import type { UserDetailJson, UserJson } from "./admin-api-json.ts";
import express, { type Request, type Response, Router } from "express";
import type { Kysely } from "kysely";
import { assertOrg, getUserDetail, searchUsers, summaryOf, type UserDetail, type UserSummary } from "../domain/user-search.ts";
import { deleteUser, setUserActive, setUserRoles } from "../domain/users.ts";
import type { Database } from "../storage/tables.ts";
import { auditEventJson } from "./audit-routes.ts";
import { HttpError } from "./error-map.ts";
import { bodyOf, limitOf, orgCaller, queryOf } from "./org-request.ts";

export interface UsersAdminRouterDeps {
  db: Kysely<Database>;
}

const LIST_PARAMS = ["q", "status", "product", "group", "role", "cursor", "limit"] as const;

/**
 * The users of one organization for its operators, mounted at
 * /admin/v1/orgs/:org (mergeParams: `:org` comes from the mount path):
 *   GET /users?q=&status=&product=&group=&role=&cursor=&limit=, GET /users/:id,
 *   POST /users/:id/suspend, POST /users/:id/restore, DELETE /users/:id,
 *   PUT /users/:id/roles {"orgRole", "adminRole", "managerScope": {"groups", "permissions"}}.
 *
 * There is deliberately no endpoint that changes a user's userName or emails:
 * they are enterprise-managed identities, owned by the organization's identity
 * provider, and change only through SCIM from it. An edit here would be undone
 * by the next provisioning cycle, or worse, would point a sign-in name at
 * someone the identity provider never vouched for.
 */
export function usersAdminRouter({ db }: UsersAdminRouterDeps): Router {
  const r = Router({ mergeParams: true });

  r.get("/users", async (req, res) => {
    const { orgId } = orgCaller(req, res);
    const q = queryOf(req, LIST_PARAMS);
    const page = await searchUsers(db, orgId, { ...q, limit: limitOf(q.limit) });
    res.json({ users: page.items.map(userJson), nextCursor: page.nextCursor });
  });
  r.get("/users/:id", async (req, res) => {
    const { orgId } = orgCaller(req, res);
    res.json(detailJson(await getUserDetail(db, orgId, idParam(req))));
  });
  r.post("/users/:id/suspend", async (req, res) => {
    const { orgId, actor } = await existingOrg(req, res);
    const user = await setUserActive(db, orgId, idParam(req), false, actor);
    res.json(userJson(await summaryOf(db, orgId, user)));
  });
  r.post("/users/:id/restore", async (req, res) => {
    const { orgId, actor } = await existingOrg(req, res);
    const user = await setUserActive(db, orgId, idParam(req), true, actor);
    res.json(userJson(await summaryOf(db, orgId, user)));
  });
  r.delete("/users/:id", async (req, res) => {
    const { orgId, actor } = await existingOrg(req, res);
    await deleteUser(db, orgId, idParam(req), {}, actor);
    res.status(204).end();
  });
  // Fields left out keep their current value; managerScope applies only to adminRole "manager".
  // The body parser sits on this route only: as router-level middleware it would also
  // parse (and cap) the bodies of every other route mounted under /orgs/:org after us.
  r.put("/users/:id/roles", express.json({ limit: "16kb" }), async (req, res) => {
    const { orgId, actor } = await existingOrg(req, res);
    const body = rolesBody(req);
    const user = await setUserRoles(db, orgId, idParam(req), body, actor);
    res.json(userJson(await summaryOf(db, orgId, user)));
  });
  return r;

  // The write paths answer "User not found" for any org; callers are told which of the two is missing.
  async function existingOrg(req: Request, res: Response) {
    const caller = orgCaller(req, res);
    await assertOrg(db, caller.orgId);
    return caller;
  }
}

const idParam = (req: Request) => String(req.params.id);

const ROLE_FIELDS = ["orgRole", "adminRole", "managerScope"];

/** A typo such as {"role": "admin"} must not answer 200 having changed nothing. */
function rolesBody(req: Request): Record<string, unknown> {
  const body = bodyOf(req, '{"orgRole":"admin","adminRole":"manager","managerScope":{"groups":[],"permissions":["users"]}}');
  const unknown = Object.keys(body).filter((k) => !ROLE_FIELDS.includes(k));
  if (unknown.length) {
    throw new HttpError(400, "invalid_value", `unknown field "${unknown[0]}"; roles take ${ROLE_FIELDS.join(", ")}`);
  }
  if (!Object.keys(body).length) throw new HttpError(400, "invalid_value", `give at least one of ${ROLE_FIELDS.join(", ")}`);
  return body;
}

export function userJson({ user, emails, products }: UserSummary): UserJson {
  return {
    id: user.id,
    userName: user.userName,
    displayName: user.displayName,
    active: user.active,
    emails,
    roles: { orgRole: user.roles.orgRole, adminRole: user.roles.adminRole, managerScope: user.roles.managerScope },
    products: { granted: [...products.granted].sort(), pending: [...products.pending].sort() },
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

function detailJson(d: UserDetail): UserDetailJson {
  return { ...userJson(d), groups: d.groups, recentAuditEvents: d.recentAudit.map(auditEventJson) };
}
