/**
 * SAML sign-in configuration of an organization: the one identity provider
 * whose signed assertions may sign its users in. Decisions:
 *
 * - Two input forms: the IdP's metadata document, or entityId + ssoUrl +
 *   certificates. Either way what is stored is the same three facts plus options.
 * - Several certificates at once: during a key rollover the IdP signs with the
 *   old key until its switch-over, then with the new; both are trusted until
 *   the operator removes the old one (a PUT without it), which takes effect on
 *   the next response.
 * - PUT replaces: options left out go back to their defaults, so what was
 *   sent is exactly what is in force.
 * - Disabling deletes the configuration, the organization's outstanding
 *   AuthnRequests and every session of the organization: sessions only come
 *   from SAML, and switching it off is what an administrator does when the
 *   identity provider is not to be trusted any more.
 * - AuthnRequests are not signed (metadata says AuthnRequestsSigned="false"):
 *   none of the providers we document requires it, and it would need an SP
 *   private key in the server configuration. `signAuthnRequests: true` is refused.
 */
import type { Kysely } from "kysely";
import * as repo from "../storage/saml-repo.ts";
import type { Database, SamlConfigRow } from "../storage/tables.ts";
import type { Actor } from "./actor.ts";
import { recordAudit, summarizeChange } from "./audit.ts";
import { InvalidValueError, NotFoundError } from "./errors.ts";
import { getOrg } from "./orgs.ts";
import { type CertificateInfo, certificateInfo, normaliseCertificates } from "./saml-certificates.ts";
import { parseIdpMetadata } from "./saml-metadata.ts";
import { endOrgSessions } from "./sessions.ts";

export const DEFAULT_CLOCK_SKEW_SECONDS = 120;
export const MAX_CLOCK_SKEW_SECONDS = 600;
// SAML entityID is an anyURI of at most 1024 characters (SAML metadata §2.3.2).
const MAX_ENTITY_ID = 1024;
const MAX_URL = 2048;

/** Our side of the federation, per organization: what an administrator pastes into the IdP. */
export interface ServiceProviderUrls {
  entityId: string;
  acsUrl: string;
  metadataUrl: string;
  loginUrl: string;
}

export function serviceProviderUrls(publicUrl: string, orgId: string): ServiceProviderUrls {
  const entityId = `${publicUrl}/sso/${orgId}`;
  return { entityId, acsUrl: `${entityId}/acs`, metadataUrl: `${entityId}/metadata`, loginUrl: `${entityId}/login` };
}

export interface SamlSettings {
  orgId: string;
  idp: { entityId: string; ssoUrl: string; certificates: string[] };
  allowIdpInitiated: boolean;
  jitProvisioning: boolean;
  clockSkewSeconds: number;
  source: "metadata" | "manual";
  createdAt: Date;
  updatedAt: Date;
}

export interface SamlSettingsView extends Omit<SamlSettings, "idp"> {
  idp: { entityId: string; ssoUrl: string; certificates: (CertificateInfo & { pem: string; expired: boolean })[] };
}

const OPTION_KEYS = ["allowIdpInitiated", "jitProvisioning", "clockSkewSeconds", "signAuthnRequests"];
const METADATA_KEYS = ["metadataXml", ...OPTION_KEYS];
const MANUAL_KEYS = ["entityId", "ssoUrl", "certificates", ...OPTION_KEYS];

interface ParsedInput {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
  allowIdpInitiated: boolean;
  jitProvisioning: boolean;
  clockSkewSeconds: number;
  source: "metadata" | "manual";
}

/** Validates a PUT body (either form); every problem names the field to fix. */
export function parseSamlInput(body: unknown): ParsedInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidValueError('send a JSON object: {"metadataXml": "<EntityDescriptor …>"} or {"entityId": …, "ssoUrl": …, "certificates": [...]}');
  }
  const b = body as Record<string, unknown>;
  const fromMetadata = b.metadataXml !== undefined;
  const manualGiven = ["entityId", "ssoUrl", "certificates"].filter((k) => b[k] !== undefined);
  if (fromMetadata && manualGiven.length) {
    throw new InvalidValueError(`send either "metadataXml" or "entityId", "ssoUrl" and "certificates", not both (got ${manualGiven.map((k) => `"${k}"`).join(", ")} too)`);
  }
  const allowed = fromMetadata ? METADATA_KEYS : MANUAL_KEYS;
  const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new InvalidValueError(`unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")}; accepted: ${allowed.join(", ")}`);
  }
  let entityId: unknown, ssoUrl: unknown, certificates: unknown;
  if (fromMetadata) {
    const md = parseIdpMetadata(b.metadataXml);
    ({ entityId, ssoUrl } = md);
    certificates = md.certificates;
  } else {
    if (!manualGiven.length) throw new InvalidValueError('send "metadataXml", or "entityId", "ssoUrl" and "certificates"');
    ({ entityId, ssoUrl, certificates } = b);
  }
  if (b.signAuthnRequests !== undefined && b.signAuthnRequests !== false) {
    throw new InvalidValueError(
      '"signAuthnRequests": signed AuthnRequests are not supported; leave it out (our metadata says AuthnRequestsSigned="false", which the supported identity providers accept)',
    );
  }
  return {
    entityId: parseEntityId(entityId),
    ssoUrl: parseSsoUrl(ssoUrl, fromMetadata ? "the metadata's SingleSignOnService Location" : '"ssoUrl"'),
    certificates: normaliseCertificates(certificates, fromMetadata ? "the metadata's signing certificates" : "certificates"),
    allowIdpInitiated: bool(b.allowIdpInitiated, "allowIdpInitiated"),
    jitProvisioning: bool(b.jitProvisioning, "jitProvisioning"),
    clockSkewSeconds: clockSkew(b.clockSkewSeconds),
    source: fromMetadata ? "metadata" : "manual",
  };
}

export async function setSamlSettings(db: Kysely<Database>, orgId: string, body: unknown, actor: Actor): Promise<SamlSettings> {
  await getOrg(db, orgId);
  const input = parseSamlInput(body);
  return db.transaction().execute(async (trx) => {
    const before = await repo.findConfig(trx, orgId, { forUpdate: true });
    const row = await repo.upsertConfig(trx, {
      org_id: orgId,
      idp_entity_id: input.entityId,
      idp_sso_url: input.ssoUrl,
      idp_certificates: JSON.stringify(input.certificates),
      allow_idp_initiated: input.allowIdpInitiated,
      jit_provisioning: input.jitProvisioning,
      clock_skew_seconds: input.clockSkewSeconds,
      source: input.source,
    });
    const after = toSettings(row);
    await recordAudit(trx, orgId, actor, {
      action: before ? "saml.updated" : "saml.configured",
      target: { type: "saml", id: orgId, label: after.idp.entityId },
      details: { changes: summarizeChange(before ? auditView(toSettings(before)) : undefined, auditView(after)) },
    });
    return after;
  });
}

/** The organization's configuration, or undefined when SAML sign-in is not configured. */
export async function findSamlSettings(db: Kysely<Database>, orgId: string): Promise<SamlSettings | undefined> {
  const row = await repo.findConfig(db, orgId);
  return row ? toSettings(row) : undefined;
}

/** For the operator: certificates with fingerprints and validity. */
export function viewOf(s: SamlSettings, now = new Date()): SamlSettingsView {
  return {
    ...s,
    idp: {
      ...s.idp,
      certificates: s.idp.certificates.map((pem) => {
        const info = certificateInfo(pem);
        return { ...info, pem, expired: info.notAfter.getTime() <= now.getTime() };
      }),
    },
  };
}

/** Switches SAML sign-in off for the organization and ends its sessions. */
export async function disableSaml(db: Kysely<Database>, orgId: string, actor: Actor): Promise<void> {
  await getOrg(db, orgId);
  await db.transaction().execute(async (trx) => {
    const before = await repo.findConfig(trx, orgId, { forUpdate: true });
    if (!before) throw new NotFoundError("SAML configuration of organization", orgId);
    await repo.deleteConfig(trx, orgId);
    const sessionsEnded = await endOrgSessions(trx, orgId);
    await recordAudit(trx, orgId, actor, {
      action: "saml.disabled",
      target: { type: "saml", id: orgId, label: before.idp_entity_id },
      details: { changes: summarizeChange(auditView(toSettings(before)), undefined), sessionsEnded },
    });
  });
}

function toSettings(r: SamlConfigRow): SamlSettings {
  const certs = typeof r.idp_certificates === "string" ? (JSON.parse(r.idp_certificates) as string[]) : r.idp_certificates;
  return {
    orgId: r.org_id,
    idp: { entityId: r.idp_entity_id, ssoUrl: r.idp_sso_url, certificates: certs },
    allowIdpInitiated: r.allow_idp_initiated,
    jitProvisioning: r.jit_provisioning,
    clockSkewSeconds: r.clock_skew_seconds,
    source: r.source,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** What the audit trail records: the settings, certificates by fingerprint (never the PEM). */
function auditView(s: SamlSettings): Record<string, unknown> {
  return {
    idpEntityId: s.idp.entityId,
    ssoUrl: s.idp.ssoUrl,
    certificates: s.idp.certificates.map((p) => certificateInfo(p).fingerprintSha256),
    allowIdpInitiated: s.allowIdpInitiated,
    jitProvisioning: s.jitProvisioning,
    clockSkewSeconds: s.clockSkewSeconds,
    source: s.source,
  };
}

function parseEntityId(raw: unknown): string {
  if (typeof raw !== "string" || !raw.trim()) throw new InvalidValueError('"entityId" must be the identity provider\'s entity ID (its Issuer), e.g. "https://sts.windows.net/<tenant-id>/"');
  const v = raw.trim();
  if (v.length > MAX_ENTITY_ID) throw new InvalidValueError(`"entityId" is longer than ${MAX_ENTITY_ID} characters`);
  if (/[\s\u0000-\u001f\u007f]/.test(v)) throw new InvalidValueError('"entityId" must not contain whitespace or control characters');
  return v;
}

/** https only; http is accepted for loopback addresses (a local test IdP). */
function parseSsoUrl(raw: unknown, field: string): string {
  if (typeof raw !== "string" || !raw.trim()) throw new InvalidValueError(`${field} must be the identity provider's single sign-on URL (HTTP-Redirect binding)`);
  const v = raw.trim();
  if (v.length > MAX_URL) throw new InvalidValueError(`${field} is longer than ${MAX_URL} characters`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new InvalidValueError(`${field} ${JSON.stringify(v)} is not a URL`);
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new InvalidValueError(`${field} must be an https:// URL (got ${JSON.stringify(v)})`);
  }
  if (url.username || url.password) throw new InvalidValueError(`${field} must not contain credentials`);
  if (url.hash) throw new InvalidValueError(`${field} must not contain a #fragment`);
  return url.href;
}

function bool(raw: unknown, field: string): boolean {
  if (raw === undefined) return false;
  if (typeof raw !== "boolean") throw new InvalidValueError(`"${field}" must be true or false`);
  return raw;
}

function clockSkew(raw: unknown): number {
  if (raw === undefined) return DEFAULT_CLOCK_SKEW_SECONDS;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0 || raw > MAX_CLOCK_SKEW_SECONDS) {
    throw new InvalidValueError(`"clockSkewSeconds" must be a whole number of seconds from 0 to ${MAX_CLOCK_SKEW_SECONDS} (default ${DEFAULT_CLOCK_SKEW_SECONDS})`);
  }
  return raw;
}
