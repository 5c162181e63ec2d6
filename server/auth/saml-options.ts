/**
 * Every node-saml option, pinned in one place. node-saml's own defaults are
 * permissive (shared/STACK.md): no InResponseTo check, SHA-1, zero clock
 * skew, audience falling back to the issuer, a per-process in-memory request
 * cache, and a signed-Response requirement that refuses Entra ID's default.
 * Nothing here is left to a default: test/auth/saml-options.test.ts checks
 * each value, and also what node-saml makes of them.
 *
 * What node-saml does not check at all (response Issuer, Destination,
 * Recipient, one-time assertion ids, DTDs) is checked in response-checks.ts.
 */
import { randomBytes } from "node:crypto";
import { type CacheProvider, type PassportSamlConfig, ValidateInResponseTo } from "@node-saml/passport-saml";
import { REQUEST_LIFETIME_SECONDS } from "../domain/saml-replay.ts";

export interface OrgSamlOptionsInput {
  sp: { entityId: string; acsUrl: string };
  idp: { entityId: string; ssoUrl: string; certificates: string[] };
  clockSkewSeconds: number;
  allowIdpInitiated: boolean;
  /** Database-backed, scoped to the organization (db-request-cache.ts). */
  cacheProvider: CacheProvider;
}

export type PinnedSamlOptions = PassportSamlConfig & {
  idpCert: string[];
  audience: string;
  acceptedClockSkewMs: number;
  validateInResponseTo: ValidateInResponseTo;
};

/** AuthnRequest ids: "_" (an XML ID may not start with a digit) and 160 random bits. */
export const generateRequestId = (): string => `_${randomBytes(20).toString("hex")}`;

export function pinnedSamlOptions(o: OrgSamlOptionsInput): PinnedSamlOptions {
  return {
    // Who we are. audience is set explicitly: node-saml would fall back to
    // `issuer`, which is right only by coincidence.
    issuer: o.sp.entityId,
    audience: o.sp.entityId,
    callbackUrl: o.sp.acsUrl,

    // Who they are: this organization's IdP and only its certificates, so
    // another organization's IdP can never sign anyone in here.
    entryPoint: o.idp.ssoUrl,
    idpIssuer: o.idp.entityId,
    idpCert: [...o.idp.certificates],

    // Signatures. The assertion must be signed (that is what is trusted); a
    // signature over the whole Response is verified when present but not
    // required, because Entra ID signs only the assertion by default.
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    // Used for anything we sign; node-saml's default is SHA-1. We sign
    // nothing today (no privateKey: AuthnRequestsSigned="false").
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    signMetadata: false,

    // Time: the organization's tolerance (default 120 s, at most 600 s);
    // node-saml's default is 0, which fails on ordinary clock drift. The IdP's
    // NotOnOrAfter values govern the lifetime (Entra gives the subject
    // confirmation about 5 minutes), so no extra age cap (0 = none).
    acceptedClockSkewMs: o.clockSkewSeconds * 1000,
    maxAssertionAgeMs: 0,

    // InResponseTo: node-saml's default is "never". SP-initiated only:
    // "always" (a response must answer a request we issued). When the
    // organization allows IdP-initiated sign-in, "ifPresent": a response
    // without InResponseTo is accepted (response-checks.ts still requires the
    // signed SubjectConfirmationData to agree), one with it must match.
    validateInResponseTo: o.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_LIFETIME_SECONDS * 1000,
    // In the database: MultiSamlStrategy builds a new SAML object per request,
    // so node-saml's in-memory default would never see the id it issued, and
    // several server processes must share the ids anyway.
    cacheProvider: o.cacheProvider,
    generateUniqueId: generateRequestId,

    // The AuthnRequest.
    authnRequestBinding: "HTTP-Redirect",
    skipRequestCompression: false, // the Redirect binding requires DEFLATE
    disableRequestAcsUrl: false, // Entra ID matches AssertionConsumerServiceURL against its reply URLs
    // No Format in NameIDPolicy: the IdP sends the NameID it was configured
    // with (docs/saml.md asks for the email address); a requested format some
    // IdPs cannot satisfy fails the sign-in at the IdP instead.
    identifierFormat: null,
    allowCreate: true,
    // Do not ask for "PasswordProtectedTransport": Entra ID then refuses
    // passwordless, MFA and Windows sign-ins (AADSTS75011). How people
    // authenticate is the identity provider's policy.
    disableRequestedAuthnContext: true,
    authnContext: [],
    racComparison: "exact",
    forceAuthn: false,
    passive: false,
    spNameQualifier: null,
    additionalParams: {},
    additionalAuthorizeParams: {},
    additionalLogoutParams: {},
    // Single logout is not supported: nothing is ever sent to a logout URL.
    logoutUrl: "",
    // Deliberately absent: privateKey / publicCert (we sign nothing, so
    // AuthnRequestsSigned="false") and decryptionPvk (encrypted assertions
    // are refused in response-checks.ts).
  };
}
