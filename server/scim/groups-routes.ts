import { type Request, type Response, Router } from "express";
import * as groups from "../domain/groups.ts";
import { type ScimContext, scimContext } from "./context.ts";
import { etagOf, expectedVersionsOf, notModified } from "./etag.ts";
import { groupFromBody, groupFromDocument, patchableGroup, renderGroup } from "./group-mapping.ts";
import { parseListParams, parseProjection, type Projection } from "./list-params.ts";
import { pageResponse, toListQuery } from "./list-response.ts";
import { withCursorErrors } from "./pagination/cursor.ts";
import { applyPatch, parsePatchRequest, splitMemberOps } from "./patch/index.ts";
import { includesAttribute, project } from "./projection.ts";
import { groupSchemaDefinition } from "./schemas.ts";
import { sendScim } from "./send.ts";
import { bodyObject } from "./users-routes.ts";

const TARGET = { kind: "Group", alias: "g" } as const;

/**
 * /Groups (RFC 7644 §3). Members are rows: loaded only when they will be
 * returned, so `excludedAttributes=members` (what Entra ID and Okta send when
 * reading a group) runs no membership query. SCIM has no paging inside a
 * multi-valued attribute; to page a large group's users, list them by cursor:
 * GET /Users?filter=groups.value eq "{group id}"&cursor=&count=… (RFC 9865),
 * or use the operator API's GET /admin/v1/orgs/{org}/groups/{id}/members?cursor=.
 */
export function groupsRouter(): Router {
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
  const page = await withCursorErrors(query.after, () => groups.listGroups(ctx.db, ctx.orgId, query));
  const members = includesAttribute(params.projection, "members")
    ? await groups.membersOfGroups(ctx.db, ctx.orgId, page.items.map((g) => g.id))
    : undefined;
  const definition = groupSchemaDefinition();
  const resources = page.items.map((g) =>
    project(renderGroup(g, members ? (members.get(g.id) ?? []) : undefined, ctx.baseUrl), definition, params.projection),
  );
  sendScim(res, 200, pageResponse(params, TARGET, page, resources));
}

async function read(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  const group = await groups.getGroup(ctx.db, ctx.orgId, req.params.id);
  if (notModified(req, group.version)) {
    res.status(304).set("ETag", etagOf(group.version)).end();
    return;
  }
  await respond(req, res, 200, group, parseProjection(req.query as Record<string, unknown>));
}

async function create(req: Request, res: Response) {
  const ctx = scimContext(req);
  const group = await groupWrites.create(ctx, req.body);
  res.set("Location", `${ctx.baseUrl}/Groups/${group.id}`);
  await respond(req, res, 201, group, parseProjection(req.query as Record<string, unknown>));
}

async function replace(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  const group = await groupWrites.replace(ctx, req.params.id, req.body, req.get("if-match"));
  await respond(req, res, 200, group, parseProjection(req.query as Record<string, unknown>));
}

/**
 * Membership operations become SQL deltas; the other operations are applied to
 * the group's attributes. Answers 204 (RFC 7644 §3.5.2 allows it, and Okta and
 * Entra ID accept it) so a large group's member list is never rendered, unless
 * the client asks for attributes, then 200 with those.
 */
async function patch(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  const group = await groupWrites.patch(ctx, req.params.id, req.body, req.get("if-match"));
  const projection = parseProjection(req.query as Record<string, unknown>);
  if (!projection.attributes && !projection.excludedAttributes) {
    res.status(204).set("ETag", etagOf(group.version)).end();
    return;
  }
  await respond(req, res, 200, group, projection);
}

async function remove(req: Request<{ id: string }>, res: Response) {
  const ctx = scimContext(req);
  await groupWrites.remove(ctx, req.params.id, req.get("if-match"));
  res.status(204).end();
}

/**
 * The writes of /Groups: parse, one domain call. /Bulk runs these same
 * functions (bulk/dispatch.ts). `ifMatch` is the If-Match header, or a bulk
 * operation's `version`.
 */
export const groupWrites = {
  create(ctx: ScimContext, body: unknown) {
    const { input, members } = groupFromBody(body);
    return groups.createGroup(ctx.db, ctx.orgId, input, members, ctx.actor);
  },
  replace(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined) {
    const { input, members } = groupFromBody(body);
    const options = { expectedVersions: expectedVersionsOf(ifMatch) };
    return groups.updateGroup(ctx.db, ctx.orgId, id, () => input, [{ kind: "replace", members }], options, ctx.actor);
  },
  patch(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined) {
    const { memberDeltas, otherOps } = splitMemberOps(parsePatchRequest(body));
    return groups.updateGroup(
      ctx.db,
      ctx.orgId,
      id,
      (current) =>
        otherOps.length
          ? groupFromDocument(applyPatch(patchableGroup(current), otherOps, groupSchemaDefinition())).input
          : { displayName: current.displayName, externalId: current.externalId, profile: current.profile },
      memberDeltas,
      { expectedVersions: expectedVersionsOf(ifMatch) },
      ctx.actor,
    );
  },
  remove: (ctx: ScimContext, id: string, ifMatch: string | undefined) =>
    groups.deleteGroup(ctx.db, ctx.orgId, id, { expectedVersions: expectedVersionsOf(ifMatch) }, ctx.actor),
};

async function respond(req: Request, res: Response, status: number, group: groups.Group, projection: Projection) {
  const ctx = scimContext(req);
  const members = includesAttribute(projection, "members")
    ? ((await groups.membersOfGroups(ctx.db, ctx.orgId, [group.id])).get(group.id) ?? [])
    : undefined;
  res.set("ETag", etagOf(group.version));
  sendScim(res, status, project(renderGroup(group, members, ctx.baseUrl), groupSchemaDefinition(), projection));
}
