import { type Request, type Response, Router } from "express";
import * as users from "../domain/users.ts";
import { seatsOfUsers } from "../domain/seats.ts";
import { type ScimContext, scimContext } from "./context.ts";
import { etagOf, expectedVersions, notModified } from "./etag.ts";
import { parseListParams, parseProjection, type Projection } from "./list-params.ts";
import { pageResponse, toListQuery } from "./list-response.ts";
import { withCursorErrors } from "./pagination/cursor.ts";
import { applyPatch, parsePatchRequest } from "./patch/index.ts";
import { includesAttribute, project } from "./projection.ts";
import { SCIMGATE_USER_SCHEMA, userSchemaDefinition } from "./schemas.ts";
import { sendScim } from "./send.ts";
import { patchableUser, renderUser, type UserRelations, userInputFromBody, userInputFromPatchedDocument } from "./user-mapping.ts";

const TARGET = { kind: "User", alias: "u" } as const;

/** /Users (RFC 7644 §3): each handler parses, makes one domain call, renders. */
export function usersRouter(): Router {
  const r = Router();
  r.get("/", (req, res) => list(req, res, req.query as Record<string, unknown>));
  r.post("/.search", (req, res) => list(req, res, bodyObject(req)));
  r.post("/", create);
  r.get("/:id", read);
  r.put("/:id", replace);
  r.patch("/:id", patch);
  r.delete("/:id", remove);
  return r;
}

async function list(req: Request, res: Response, raw: Record<string, unknown>) {
  const ctx = scimContext(req);
  const params = parseListParams(raw);
  const query = toListQuery(params, TARGET);
  const page = await withCursorErrors(query.after, () => users.listUsers(ctx.db, ctx.orgId, query));
  const relations = await loadRelations(ctx, page.items.map((u) => u.id), params.projection);
  const definition = userSchemaDefinition();
  const resources = page.items.map((u) =>
    project(renderUser(u, relations(u.id), ctx.baseUrl), definition, params.projection),
  );
  sendScim(res, 200, pageResponse(params, TARGET, page, resources));
}

async function read(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  const user = await users.getUser(ctx.db, ctx.orgId, req.params.id);
  if (notModified(req, user.version)) {
    res.status(304).set("ETag", etagOf(user.version)).end();
    return;
  }
  await respond(req, res, 200, user, parseProjection(req.query as Record<string, unknown>));
}

async function create(req: Request, res: Response) {
  const ctx = scimContext(req);
  const user = await users.createUser(ctx.db, ctx.orgId, userInputFromBody(req.body), ctx.actor);
  res.set("Location", `${ctx.baseUrl}/Users/${user.id}`);
  await respond(req, res, 201, user, parseProjection(req.query as Record<string, unknown>));
}

async function replace(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  const input = userInputFromBody(req.body);
  const user = await users.updateUser(
    ctx.db,
    ctx.orgId,
    req.params.id,
    () => input,
    { expectedVersions: expectedVersions(req) },
    ctx.actor,
  );
  await respond(req, res, 200, user, parseProjection(req.query as Record<string, unknown>));
}

async function patch(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  const ops = parsePatchRequest(req.body);
  const user = await users.updateUser(
    ctx.db,
    ctx.orgId,
    req.params.id,
    (current) => userInputFromPatchedDocument(current, applyPatch(patchableUser(current), ops, userSchemaDefinition())),
    { expectedVersions: expectedVersions(req) },
    ctx.actor,
  );
  await respond(req, res, 200, user, parseProjection(req.query as Record<string, unknown>));
}

async function remove(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  await users.deleteUser(ctx.db, ctx.orgId, req.params.id, { expectedVersions: expectedVersions(req) }, ctx.actor);
  res.status(204).end();
}

async function respond(req: Request, res: Response, status: number, user: users.User, projection: Projection) {
  const ctx = scimContext(req);
  const relations = await loadRelations(ctx, [user.id], projection);
  res.set("ETag", etagOf(user.version));
  sendScim(res, status, project(renderUser(user, relations(user.id), ctx.baseUrl), userSchemaDefinition(), projection));
}

/** Groups and seats of a page of users, each in one query, and only when they will be returned. */
async function loadRelations(ctx: ScimContext, ids: string[], projection: Projection) {
  const wantsSeats = includesAttribute(projection, "entitlements") || includesAttribute(projection, SCIMGATE_USER_SCHEMA);
  const [groups, seats] = await Promise.all([
    includesAttribute(projection, "groups") ? users.groupsOfUsers(ctx.db, ctx.orgId, ids) : undefined,
    wantsSeats ? seatsOfUsers(ctx.db, ctx.orgId, ids) : undefined,
  ]);
  return (id: string): UserRelations => ({ groups: groups?.get(id) ?? [], seats: seats?.get(id) });
}

export function bodyObject(req: Request): Record<string, unknown> {
  const b = req.body as unknown;
  return typeof b === "object" && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}
