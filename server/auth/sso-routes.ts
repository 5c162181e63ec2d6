import express, { type Request, type Response, Router } from "express";
import type { Kysely } from "kysely";
import { generateServiceProviderMetadata } from "@node-saml/passport-saml";
import { getOrg } from "../domain/orgs.ts";
import { findSamlSettings, type SamlSettings, type ServiceProviderUrls, serviceProviderUrls } from "../domain/saml-config.ts";
import { wasAssertionAccepted } from "../domain/saml-replay.ts";
import { recordSignInRefusal, samlSettingsForEmail } from "../domain/sign-in.ts";
import { NotFoundError } from "../domain/errors.ts";
import { isUuid } from "../lib/ids.ts";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/tables.ts";
import { REASON_TEXT, refusalOf } from "./refusal-reasons.ts";
import { safeReturnPath } from "./relay-state.ts";
import { inspectResponse } from "./response-checks.ts";
import { generateRequestId } from "./saml-options.ts";
import { createSamlSignIn, expectedOf, type SamlRequestContext, SignInInfrastructureError } from "./saml-strategy.ts";
import { CacheUnavailableError } from "./db-request-cache.ts";
import { setSessionCookie } from "./session-cookie.ts";

export interface SsoRouterDeps {
  db: Kysely<Database>;
  publicUrl: string;
  logger: Logger;
}

const EMAIL_ADDRESS_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
// Entra ID responses with many group claims reach a few hundred kB.
const MAX_RESPONSE_BYTES = "1mb";

/**
 * The service-provider side of SAML sign-in (public, no operator token):
 * GET /sso/login?email=…       finds the organization by the address's verified domain
 * GET /sso/:org/login          redirects to the organization's IdP (HTTP-Redirect binding)
 * POST /sso/:org/acs           Assertion Consumer Service (HTTP-POST binding)
 * GET /sso/:org/metadata       our SP metadata for the IdP
 */
export function ssoRouter({ db, publicUrl, logger }: SsoRouterDeps): Router {
  const r = Router();
  const saml = createSamlSignIn(db);
  const secureCookie = publicUrl.startsWith("https:");

  r.use("/sso", (_req, res, next) => {
    res.set("Cache-Control", "no-store");
    next();
  });

  r.get("/sso/login", async (req, res) => {
    const email = typeof req.query.email === "string" ? req.query.email : "";
    if (!email.includes("@")) {
      res.status(400).json({ error: "invalid_email", message: "Give your work email address: /sso/login?email=you@company.com" });
      return;
    }
    const settings = await samlSettingsForEmail(db, email);
    if (!settings) return notAvailable(res);
    await startLogin(req, res, settings);
  });

  r.get("/sso/:org/login", async (req, res) => {
    const settings = await settingsOf(req.params.org);
    if (!settings) return notAvailable(res);
    await startLogin(req, res, settings);
  });

  r.get("/sso/:org/metadata", async (req, res) => {
    const orgId = req.params.org;
    if (!isUuid(orgId)) return notFound(res, orgId);
    try {
      await getOrg(db, orgId);
    } catch (e) {
      if (e instanceof NotFoundError) return notFound(res, orgId);
      throw e;
    }
    res.type("application/xml").send(metadataXml(serviceProviderUrls(publicUrl, orgId)));
  });

  r.post("/sso/:org/acs", express.urlencoded({ extended: false, limit: MAX_RESPONSE_BYTES, parameterLimit: 10 }), async (req, res) => {
    const orgId = req.params.org;
    const settings = await settingsOf(orgId);
    if (!settings) {
      if (isUuid(orgId) && (await orgExists(orgId))) {
        await refuse(res, orgId, { reason: "sso_not_configured", detail: "SAML sign-in is not configured for this organization" });
        return;
      }
      return notAvailable(res);
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.SAMLResponse !== "string" || body.SAMLRequest !== undefined || "SAMLResponse" in req.query || "SAMLRequest" in req.query) {
      res.status(400).json({ error: "invalid_request", message: "POST a SAMLResponse form field (HTTP-POST binding) to this address" });
      return;
    }
    const ctx: SamlRequestContext = { orgId, settings, sp: serviceProviderUrls(publicUrl, orgId) };
    try {
      ctx.facts = inspectResponse(body.SAMLResponse, expectedOf(ctx));
    } catch (e) {
      await refuse(res, orgId, refusalOf(e, undefined), ctx);
      return;
    }
    const outcome = await saml.consumeResponse(req, res, ctx);
    if (!outcome.result) {
      const err = outcome.error;
      if (err instanceof SignInInfrastructureError || err instanceof CacheUnavailableError) throw err.cause ?? err;
      const refusal = refusalOf(err, ctx.facts);
      // node-saml checks InResponseTo first, so a replayed SP-initiated response
      // fails there (its request was consumed); name it for what it is.
      const claimed = ctx.facts.claimedAssertionId;
      if (refusal.reason === "unknown_in_response_to" && claimed && (await wasAssertionAccepted(db, orgId, claimed))) {
        refusal.reason = "replayed";
      }
      await refuse(res, orgId, refusal, ctx);
      return;
    }
    const { result } = outcome;
    setSessionCookie(res, result.token, result.expiresAt, secureCookie);
    // 303: the browser follows with a GET, whatever method brought it here.
    res.redirect(303, safeReturnPath(body.RelayState));
  });

  async function startLogin(req: Request, res: Response, settings: SamlSettings) {
    // passport-saml would treat these as an incoming message, not a login.
    if (["SAMLRequest", "SAMLResponse", "Signature"].some((k) => k in req.query)) {
      res.status(400).json({ error: "invalid_request", message: "This address starts a sign-in; it does not accept SAML messages" });
      return;
    }
    const ctx: SamlRequestContext = { orgId: settings.orgId, settings, sp: serviceProviderUrls(publicUrl, settings.orgId) };
    await saml.redirectToIdp(req, res, ctx, safeReturnPath(req.query.returnTo));
  }

  async function settingsOf(orgId: string): Promise<SamlSettings | undefined> {
    return isUuid(orgId) ? findSamlSettings(db, orgId) : undefined;
  }

  async function orgExists(orgId: string): Promise<boolean> {
    try {
      await getOrg(db, orgId);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  async function refuse(
    res: Response,
    orgId: string,
    refusal: ReturnType<typeof refusalOf>,
    ctx?: SamlRequestContext,
  ): Promise<void> {
    const identity = ctx?.identity;
    const reference = await recordSignInRefusal(db, orgId, {
      ...refusal,
      nameId: identity?.nameId ?? identity?.emails[0],
      idpInitiated: ctx?.facts ? ctx.facts.inResponseTo === undefined : undefined,
    });
    logger.info({ orgId, reason: refusal.reason, reference }, "SAML sign-in refused");
    const status = refusal.reason === "malformed" ? 400 : 403;
    res.status(status).json({
      error: "signin_refused",
      reason: refusal.reason,
      message: `${REASON_TEXT[refusal.reason] ?? "Sign-in was refused."} Reference: ${reference}.`,
      reference,
    });
  }

  return r;
}

function notAvailable(res: Response): void {
  res.status(404).json({
    error: "sso_not_available",
    message: "Single sign-on is not available for this address. Check the address, or ask your administrator how to sign in.",
  });
}

function notFound(res: Response, orgId: string): void {
  res.status(404).json({ error: "not_found", message: `Organization "${orgId}" not found` });
}

/**
 * Our SP metadata: entityID and ACS per organization, NameIDFormat
 * emailAddress, WantAssertionsSigned="true", AuthnRequestsSigned="false"
 * (no SP signing key: see domain/saml-config.ts).
 */
function metadataXml(sp: ServiceProviderUrls): string {
  return generateServiceProviderMetadata({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    identifierFormat: EMAIL_ADDRESS_FORMAT,
    wantAssertionsSigned: true,
    generateUniqueId: generateRequestId,
  });
}
