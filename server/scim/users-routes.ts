import { type Request, type Response, Router } from "express";
import type { Transaction } from "kysely";
import * as users from "../domain/users.ts";
import { seatsOfUsers } from "../domain/seats.ts";
import type { Database } from "../storage/tables.ts";
import { type ScimContext, scimContext } from "./context.ts";
import { etagOf, expectedVersionsOf, notModified } from "./etag.ts";
import { parseListParams, parseProjection, type Projection } from "./list-params.ts";
import { pageResponse, toListQuery } from "./list-response.ts";
import { withCursorErrors } from "./pagination/cursor.ts";
import { IndexPositions } from "./pagination/index-positions.ts";
import { applyPatch, parsePatchRequest } from "./patch/index.ts";
import { includesAttribute, project } from "./projection.ts";
import { SCIMGATE_USER_SCHEMA, userSchemaDefinition } from "./schemas.ts";
import { sendScim } from "./send.ts";
import { patchableUser, renderUser, type UserRelations, userInputFromBody, userInputFromPatchedDocument } from "./user-mapping.ts";

const TARGET = { kind: "User", alias: "u" } as const;

/** /Users (RFC 7644 §3): each handler parses, makes one domain call, renders. */
export function usersRouter(): Router {
  const r = Router();
  const positions = new IndexPositions();
  r.get("/", (req, res) => list(req, res, req.query as Record<string, unknown>, positions));
  r.post("/.search", (req, res) => list(req, res, bodyObject(req), positions));
  r.post("/", create);
  r.get("/:id", read);
  r.put("/:id", replace);
  r.patch("/:id", patch);
  r.delete("/:id", remove);
  return r;
}

async function list(req: Request, res: Response, raw: Record<string, unknown>, positions: IndexPositions) {
  const ctx = scimContext(req);
  const params = parseListParams(raw);
  const query = toListQuery(params, TARGET);
  const options = { ...relationsWanted(params.projection), positions };
  const page = await withCursorErrors(query.after, () => users.listUsers(ctx.db, ctx.orgId, query, options));
  const definition = userSchemaDefinition();
  const resources = page.items.map((u) =>
    project(renderUser(u, { groups: u.groups ?? [], seats: u.seats }, ctx.baseUrl), definition, params.projection),
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
  const user = await userWrites.create(ctx, req.body);
  res.set("Location", `${ctx.baseUrl}/Users/${user.id}`);
  const projection = parseProjection(req.query as Record<string, unknown>);
  // Just created: in no group, and without entitlements holding no seat, so there is nothing to read back.
  const known = hasEntitlements(user) ? undefined : { groups: [], seats: relationsWanted(projection).seats ? { granted: [], pending: [] } : undefined };
  await respond(req, res, 201, user, projection, known);
}

async function replace(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  const user = await userWrites.replace(ctx, req.params.id, req.body, req.get("if-match"));
  await respond(req, res, 200, user, parseProjection(req.query as Record<string, unknown>));
}

async function patch(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  const user = await userWrites.patch(ctx, req.params.id, req.body, req.get("if-match"));
  await respond(req, res, 200, user, parseProjection(req.query as Record<string, unknown>));
}

async function remove(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  await userWrites.remove(ctx, req.params.id, req.get("if-match"));
  res.status(204).end();
}

/**
 * The writes of /Users: parse, one domain call. /Bulk runs these same functions
 * (bulk/dispatch.ts), so every rule holds alike. `ifMatch` is the If-Match
 * header, or a bulk operation's `version`.
 */
export const userWrites = {
  create: (ctx: ScimContext, body: unknown) => users.createUser(ctx.db, ctx.orgId, userInputFromBody(body), ctx.actor),
  /** create, inside the caller's transaction (a /Bulk chunk, bulk/chunk.ts). */
  createInTransaction: (trx: Transaction<Database>, ctx: ScimContext, body: unknown) =>
    users.createUserInTransaction(trx, ctx.orgId, userInputFromBody(body), ctx.actor),
  replace(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined) {
    const input = userInputFromBody(body);
    return users.updateUser(ctx.db, ctx.orgId, id, () => input, { expectedVersions: expectedVersionsOf(ifMatch) }, ctx.actor);
  },
  patch(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined) {
    const ops = parsePatchRequest(body);
    return users.updateUser(
      ctx.db,
      ctx.orgId,
      id,
      (current) => userInputFromPatchedDocument(current, applyPatch(patchableUser(current), ops, userSchemaDefinition())),
      { expectedVersions: expectedVersionsOf(ifMatch) },
      ctx.actor,
    );
  },
  remove: (ctx: ScimContext, id: string, ifMatch: string | undefined) =>
    users.deleteUser(ctx.db, ctx.orgId, id, { expectedVersions: expectedVersionsOf(ifMatch) }, ctx.actor),
};

async function respond(req: Request, res: Response, status: number, user: users.User, projection: Projection, known?: UserRelations) {
  const ctx = scimContext(req);
  const relations = known ?? (await loadRelations(ctx, [user.id], projection))(user.id);
  res.set("ETag", etagOf(user.version));
  sendScim(res, status, project(renderUser(user, relations, ctx.baseUrl), userSchemaDefinition(), projection));
}

/** Whether the user asked for products directly (what makes the domain create seat rows for a new user). */
function hasEntitlements(user: users.User): boolean {
  const list = user.profile.entitlements;
  return Array.isArray(list) && list.some((e) => typeof (e as { value?: unknown })?.value === "string" && (e as { value: string }).value !== "");
}

/** The relations a response will show: groups and seats are read only when they will be returned. */
function relationsWanted(projection: Projection) {
  return {
    groups: includesAttribute(projection, "groups"),
    seats: includesAttribute(projection, "entitlements") || includesAttribute(projection, SCIMGATE_USER_SCHEMA),
  };
}

/** Groups and seats of one user, each in one query, and only when they will be returned. */
async function loadRelations(ctx: ScimContext, ids: string[], projection: Projection) {
  const want = relationsWanted(projection);
  const [groups, seats] = await Promise.all([
    want.groups ? users.groupsOfUsers(ctx.db, ctx.orgId, ids) : undefined,
    want.seats ? seatsOfUsers(ctx.db, ctx.orgId, ids) : undefined,
  ]);
  return (id: string): UserRelations => ({ groups: groups?.get(id) ?? [], seats: seats?.get(id) });
}

export function bodyObject(req: Request): Record<string, unknown> {
  const b = req.body as unknown;
  return typeof b === "object" && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}
