/**
 * One-time facts of SAML sign-in, kept in the database so every server
 * process sees the same ones:
 *
 * - the AuthnRequest ids we issued (what a response's InResponseTo must name),
 *   per organization, for REQUEST_LIFETIME_SECONDS: long enough for a person
 *   to sign in at the identity provider (MFA included), short enough that a
 *   leaked id is soon worthless. Each is consumed by exactly one sign-in;
 * - the assertion ids we accepted, each accepted once, kept until the
 *   assertion could no longer be accepted anyway (its latest NotOnOrAfter
 *   plus the clock skew), so two posts of one response, even at the same
 *   moment on two processes, sign in at most once.
 */
import type { Kysely } from "kysely";
import * as repo from "../storage/saml-repo.ts";
import type { Database } from "../storage/tables.ts";

export const REQUEST_LIFETIME_SECONDS = 30 * 60;
// node-saml ids are "_" + 40 hex digits; anything much longer is not ours.
const MAX_ID_LENGTH = 256;

export async function saveAuthnRequest(db: Kysely<Database>, orgId: string, id: string, issuedAt: string): Promise<void> {
  await repo.insertRequest(db, orgId, id, issuedAt, new Date(Date.now() + REQUEST_LIFETIME_SECONDS * 1000));
}

/** The IssueInstant we stored for an unexpired request id of this organization. */
export async function findAuthnRequest(db: Kysely<Database>, orgId: string, id: string): Promise<string | undefined> {
  if (!id || id.length > MAX_ID_LENGTH) return undefined;
  return repo.findRequest(db, orgId, id);
}

/** True for the one caller that consumes the id; false when unknown, expired or already used. */
export async function consumeAuthnRequest(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  if (!id || id.length > MAX_ID_LENGTH) return false;
  return repo.consumeRequest(db, orgId, id);
}

/** True the first time this organization accepts the assertion id; false for a replay. */
export async function acceptAssertionOnce(
  db: Kysely<Database>,
  orgId: string,
  assertionId: string,
  keepUntil: Date,
): Promise<boolean> {
  if (!assertionId || assertionId.length > MAX_ID_LENGTH) return false;
  await repo.deleteExpiredAssertions(db, orgId);
  return repo.insertSeenAssertion(db, orgId, assertionId, keepUntil);
}

/** Whether this organization has accepted the assertion id (and still remembers it). */
export async function wasAssertionAccepted(db: Kysely<Database>, orgId: string, assertionId: string): Promise<boolean> {
  if (!assertionId || assertionId.length > MAX_ID_LENGTH) return false;
  return repo.seenAssertionExists(db, orgId, assertionId);
}
