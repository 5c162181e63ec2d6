import type { ScimTokenJson } from "./admin-api-json.ts";
import express, { type Request, Router } from "express";
import type { Kysely } from "kysely";
import { createOrg, getOrg, listOrgs, type Org } from "../domain/orgs.ts";
import { createScimToken, listScimTokens, revokeScimToken, type ScimTokenInfo } from "../domain/scim-tokens.ts";
import { isUuid } from "../lib/ids.ts";
import type { Database } from "../storage/tables.ts";
import { actorOf } from "./actor.ts";
import { HttpError } from "./error-map.ts";

/** The admin API (/admin/v1): organizations and their SCIM tokens (creating organizations is the operator's: console-guards.ts). */
export function adminRouter(db: Kysely<Database>, scimBaseUrl: string): Router {
  const r = Router();
  r.use(express.json({ limit: "1mb" }));

  r.get("/orgs", async (_req, res) => {
    // An organization's administrator sees only its own organization.
    const actor = actorOf(res);
    const orgs = "orgId" in actor ? [await getOrg(db, actor.orgId)] : await listOrgs(db);
    res.json({ orgs: orgs.map(orgJson) });
  });
  r.post("/orgs", async (req, res) => {
    const org = await createOrg(db, field(req, "name"));
    res.status(201).json(orgJson(org));
  });
  r.get("/orgs/:org", async (req, res) => {
    res.json(orgJson(await getOrg(db, orgParam(req))));
  });

  r.post("/orgs/:org/scim-tokens", async (req, res) => {
    const org = await getOrg(db, orgParam(req));
    const created = await createScimToken(db, org.id, field(req, "label"));
    res.status(201).json({ ...tokenJson(created), token: created.token, scimUrl: scimBaseUrl });
  });
  r.get("/orgs/:org/scim-tokens", async (req, res) => {
    const org = await getOrg(db, orgParam(req));
    res.json({ tokens: (await listScimTokens(db, org.id)).map(tokenJson) });
  });
  r.delete("/orgs/:org/scim-tokens/:id", async (req, res) => {
    const org = await getOrg(db, orgParam(req));
    const id = req.params.id;
    if (!isUuid(id)) throw new HttpError(404, "not_found", `SCIM token "${id}" not found`);
    await revokeScimToken(db, org.id, id);
    res.status(204).end();
  });
  return r;
}

function orgParam(req: Request): string {
  const id = String(req.params.org);
  if (!isUuid(id)) throw new HttpError(404, "not_found", `Organization "${id}" not found`);
  return id;
}

function field(req: Request, name: string): unknown {
  const body = req.body as Record<string, unknown> | undefined;
  if (typeof body !== "object" || body === null) {
    throw new HttpError(400, "invalid_body", "Send a JSON object with Content-Type: application/json");
  }
  return body[name];
}

const orgJson = (o: Org) => ({ id: o.id, name: o.name, createdAt: o.createdAt.toISOString() });

const tokenJson = (t: ScimTokenInfo): ScimTokenJson => ({
  id: t.id,
  label: t.label,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});
