/**
 * passport + @node-saml/passport-saml wiring. One MultiSamlStrategy per app
 * (an own Passport instance, not the process-wide singleton, so two apps in
 * one process never share strategies). getSamlOptions takes the options of
 * the organization the route already loaded for this request, so the
 * certificates node-saml verifies with and the facts checked afterwards come
 * from one and the same read of the configuration.
 */
import type { Request, Response } from "express";
import type { Kysely } from "kysely";
import passportModule from "passport";
import { MultiSamlStrategy, type Profile, type VerifiedCallback } from "@node-saml/passport-saml";
import type { AuthenticateOptions } from "@node-saml/passport-saml/lib/types.js";
import { acceptAssertionOnce, consumeAuthnRequest } from "../domain/saml-replay.ts";
import type { SamlSettings, ServiceProviderUrls } from "../domain/saml-config.ts";
import { type SignInIdentity, type SignInResult, SignInRefusedError, signIn } from "../domain/sign-in.ts";
import type { Database } from "../storage/tables.ts";
import { dbRequestCache } from "./db-request-cache.ts";
import { checkVerifiedAssertion, type Expected, type ResponseFacts } from "./response-checks.ts";
import { identityOf } from "./saml-identity.ts";
import { pinnedSamlOptions } from "./saml-options.ts";
import { readSessionCookie } from "./session-cookie.ts";

const STRATEGY = "saml-sso";

/** What one request is about: set by the route before passport runs. */
export interface SamlRequestContext {
  orgId: string;
  settings: SamlSettings;
  sp: ServiceProviderUrls;
  /** From inspectResponse, on the ACS only. */
  facts?: ResponseFacts;
  /** Read from the verified assertion, for the audit trail of a refusal. */
  identity?: SignInIdentity;
}

/** A failure that is ours (database, wiring), not the response's: answered 500, never audited as a refusal. */
export class SignInInfrastructureError extends Error {
  constructor(override readonly cause: unknown) {
    super("sign-in could not be completed");
    this.name = "SignInInfrastructureError";
  }
}

export type SamlOutcome = { error: unknown; result?: undefined } | { error?: undefined; result: SignInResult };

export function expectedOf(ctx: SamlRequestContext): Expected {
  return { acsUrl: ctx.sp.acsUrl, idpEntityId: ctx.settings.idp.entityId, clockSkewMs: ctx.settings.clockSkewSeconds * 1000 };
}

export function createSamlSignIn(db: Kysely<Database>) {
  const contexts = new WeakMap<Request, SamlRequestContext>();
  const passport = new passportModule.Passport();

  const verify = (req: Request, profile: Profile | null, done: VerifiedCallback) => {
    const ctx = contexts.get(req);
    completeSignIn(db, req, ctx, profile).then(
      (result) => done(null, result as unknown as Record<string, unknown>),
      (e) => done(e instanceof SignInRefusedError ? e : new SignInInfrastructureError(e)),
    );
  };
  const noSingleLogout = (_req: Request, _profile: Profile | null, done: VerifiedCallback) =>
    done(new SignInRefusedError("invalid_response", "single logout is not supported"));

  passport.use(
    STRATEGY,
    new MultiSamlStrategy(
      {
        passReqToCallback: true,
        getSamlOptions(req, callback) {
          const ctx = contexts.get(req);
          if (!ctx) return callback(new SignInInfrastructureError("no SAML context on this request"));
          callback(
            null,
            pinnedSamlOptions({
              sp: ctx.sp,
              idp: ctx.settings.idp,
              clockSkewSeconds: ctx.settings.clockSkewSeconds,
              allowIdpInitiated: ctx.settings.allowIdpInitiated,
              cacheProvider: dbRequestCache(db, ctx.orgId),
            }),
          );
        },
      },
      verify,
      noSingleLogout,
    ),
  );

  return {
    /** Redirects to the organization's IdP with an AuthnRequest (HTTP-Redirect binding). */
    redirectToIdp(req: Request, res: Response, ctx: SamlRequestContext, relayState: string): Promise<void> {
      contexts.set(req, ctx);
      return new Promise((resolve, reject) => {
        // passport ends the response itself when it redirects.
        res.on("finish", () => resolve());
        // additionalParams override passport-saml's own reading of ?RelayState: only our checked path is sent.
        const options: AuthenticateOptions = { session: false, additionalParams: { RelayState: relayState } };
        passport.authenticate(STRATEGY, options, (err: unknown) =>
          reject(err ?? new SignInInfrastructureError("the login request produced no redirect")),
        )(req, res, (err?: unknown) => (err ? reject(err) : resolve()));
      });
    },

    /** Validates the posted response; resolves with the session or the reason it was refused. */
    consumeResponse(req: Request, res: Response, ctx: SamlRequestContext): Promise<SamlOutcome> {
      contexts.set(req, ctx);
      return new Promise((resolve) => {
        passport.authenticate(STRATEGY, { session: false }, (err: unknown, user: unknown) => {
          if (err) return resolve({ error: err });
          if (!user) return resolve({ error: new SignInRefusedError("invalid_response", "the response was not accepted") });
          resolve({ result: user as SignInResult });
        })(req, res, (err?: unknown) => resolve({ error: err ?? new SignInInfrastructureError("passport passed the request on") }));
      });
    },

  };
}

/** Everything after node-saml accepted the signature: our checks, one-time ids, then the person. */
async function completeSignIn(
  db: Kysely<Database>,
  req: Request,
  ctx: SamlRequestContext | undefined,
  profile: Profile | null,
): Promise<SignInResult> {
  if (!ctx?.facts) throw new SignInInfrastructureError("no SAML context on this request");
  const assertionXml = profile?.getAssertionXml?.();
  if (!profile || !assertionXml) throw new SignInRefusedError("invalid_response", "no verified assertion");
  ctx.identity = identityOf(profile);
  const verified = checkVerifiedAssertion(assertionXml, ctx.facts, expectedOf(ctx));
  if (!(await acceptAssertionOnce(db, ctx.orgId, verified.assertionId, verified.keepUntil))) {
    throw new SignInRefusedError("replayed", `assertion ${verified.assertionId} was already used`);
  }
  if (ctx.facts.inResponseTo && !(await consumeAuthnRequest(db, ctx.orgId, ctx.facts.inResponseTo))) {
    throw new SignInRefusedError("unknown_in_response_to", `request ${ctx.facts.inResponseTo} was already answered or has expired`);
  }
  return signIn(db, ctx.orgId, ctx.identity, {
    jitProvisioning: ctx.settings.jitProvisioning,
    idpInitiated: verified.idpInitiated,
    previousToken: readSessionCookie(req),
  });
}
