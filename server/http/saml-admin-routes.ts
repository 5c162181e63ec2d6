import express, { type Request, type Response, Router } from "express";
import type { Kysely } from "kysely";
import type { Actor } from "../domain/actor.ts";
import { getOrg } from "../domain/orgs.ts";
import {
  disableSaml,
  findSamlSettings,
  type SamlSettings,
  serviceProviderUrls,
  setSamlSettings,
  viewOf,
} from "../domain/saml-config.ts";
import { isUuid } from "../lib/ids.ts";
import type { Database } from "../storage/tables.ts";
import { actorOf } from "./actor.ts";
import { HttpError } from "./error-map.ts";

/**
 * SAML sign-in configuration of one organization, mounted at
 * /admin/v1/orgs/:org/saml behind operatorAuth (mergeParams: `:org` comes from the mount path).
 * PUT replaces it (either body form, see docs/saml.md), GET shows it with our
 * own values to paste into the identity provider, DELETE switches sign-in off.
 */
export function samlAdminRouter({ db, publicUrl }: { db: Kysely<Database>; publicUrl: string }): Router {
  const r = Router({ mergeParams: true });
  // Metadata documents with several certificates and a signature run to tens of kB.
  r.use(express.json({ limit: "1mb" }));

  const caller = async (req: Request, res: Response): Promise<{ orgId: string; actor: Actor }> => {
    const id = String((req.params as Record<string, string | undefined>).org);
    const actor = actorOf(res);
    if (!isUuid(id) || ("orgId" in actor && actor.orgId !== id)) throw new HttpError(404, "not_found", `Organization "${id}" not found`);
    const org = await getOrg(db, id);
    return { orgId: org.id, actor };
  };

  r.put("/", async (req, res) => {
    const { orgId, actor } = await caller(req, res);
    if (!req.is("application/json")) {
      throw new HttpError(400, "invalid_body", 'Send a JSON object with Content-Type: application/json, e.g. {"metadataXml":"<EntityDescriptor …>"}');
    }
    res.json(samlJson(publicUrl, orgId, await setSamlSettings(db, orgId, req.body, actor)));
  });
  r.get("/", async (req, res) => {
    const { orgId } = await caller(req, res);
    res.json(samlJson(publicUrl, orgId, await findSamlSettings(db, orgId)));
  });
  r.delete("/", async (req, res) => {
    const { orgId, actor } = await caller(req, res);
    await disableSaml(db, orgId, actor);
    res.status(204).end();
  });
  return r;
}

/** Our values (always, so they can be pasted into the IdP before it is configured here) and the IdP's. */
function samlJson(publicUrl: string, orgId: string, settings: SamlSettings | undefined) {
  const sp = serviceProviderUrls(publicUrl, orgId);
  const serviceProvider = {
    entityId: sp.entityId,
    acsUrl: sp.acsUrl,
    metadataUrl: sp.metadataUrl,
    loginUrl: sp.loginUrl,
    nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  };
  if (!settings) return { enabled: false, serviceProvider };
  const view = viewOf(settings);
  return {
    enabled: true,
    serviceProvider,
    identityProvider: {
      entityId: view.idp.entityId,
      ssoUrl: view.idp.ssoUrl,
      certificates: view.idp.certificates.map((c) => ({
        fingerprintSha256: c.fingerprintSha256,
        subject: c.subject,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        expired: c.expired,
        pem: c.pem,
      })),
    },
    allowIdpInitiated: view.allowIdpInitiated,
    jitProvisioning: view.jitProvisioning,
    clockSkewSeconds: view.clockSkewSeconds,
    signAuthnRequests: false,
    source: view.source,
    createdAt: view.createdAt.toISOString(),
    updatedAt: view.updatedAt.toISOString(),
  };
}
