import type { DomainJson } from "./admin-api-json.ts";
import express, { type Request, type Response, Router } from "express";
import type { Kysely } from "kysely";
import type { Actor } from "../domain/actor.ts";
import { addDomain, type Domain, getDomain, listDomains, removeDomain, verifyDomain } from "../domain/domains.ts";
import { getOrg } from "../domain/orgs.ts";
import type { TxtResolver } from "../lib/dns-txt.ts";
import { isUuid } from "../lib/ids.ts";
import type { Database } from "../storage/tables.ts";
import { actorOf } from "./actor.ts";
import { HttpError } from "./error-map.ts";

export interface DomainsRouterDeps {
  db: Kysely<Database>;
  resolveTxt: TxtResolver;
}

/**
 * Verified email domains of one organization, mounted at
 * /admin/v1/orgs/:org/domains (mergeParams: `:org` comes from the mount path).
 */
export function domainsRouter({ db, resolveTxt }: DomainsRouterDeps): Router {
  const r = Router({ mergeParams: true });
  r.use(express.json({ limit: "16kb" }));

  /** The organization of the URL (404 unless it exists) and the caller. */
  const caller = async (req: Request, res: Response): Promise<{ orgId: string; actor: Actor }> => {
    const id = String((req.params as Record<string, string | undefined>).org);
    const actor = actorOf(res);
    // Defence in depth: a caller bound to one organization never reaches another's domains.
    if (!isUuid(id) || ("orgId" in actor && actor.orgId !== id)) {
      throw new HttpError(404, "not_found", `Organization "${id}" not found`);
    }
    const org = await getOrg(db, id);
    return { orgId: org.id, actor };
  };

  r.post("/", async (req, res) => {
    const { orgId, actor } = await caller(req, res);
    const body = bodyOf(req);
    const domain = await addDomain(db, orgId, body.name, { verified: body.verified }, actor);
    res.status(201).json(domainJson(domain));
  });
  r.get("/", async (req, res) => {
    const { orgId } = await caller(req, res);
    res.json({ domains: (await listDomains(db, orgId)).map(domainJson) });
  });
  r.get("/:name", async (req, res) => {
    const { orgId } = await caller(req, res);
    res.json(domainJson(await getDomain(db, orgId, req.params.name)));
  });
  r.post("/:name/verify", async (req, res) => {
    const { orgId, actor } = await caller(req, res);
    res.json(domainJson(await verifyDomain(db, orgId, req.params.name, resolveTxt, actor)));
  });
  r.delete("/:name", async (req, res) => {
    const { orgId, actor } = await caller(req, res);
    await removeDomain(db, orgId, req.params.name, actor);
    res.status(204).end();
  });
  return r;
}

function bodyOf(req: Request): Record<string, unknown> {
  const body = req.body as unknown;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_body", 'Send a JSON object such as {"name":"acme.com"} with Content-Type: application/json');
  }
  return body as Record<string, unknown>;
}

const domainJson = (d: Domain): DomainJson => ({
  name: d.name,
  status: d.status,
  txt: d.txt,
  createdAt: d.createdAt.toISOString(),
  verifiedAt: d.verifiedAt?.toISOString() ?? null,
});
