/**
 * Who a verified SAML assertion signs in, and the audit trail of every
 * attempt. The protocol checks (signature, times, audience, issuer,
 * recipient, replay) happen in server/auth before anything reaches here; this
 * module decides on the person:
 *
 * - The sign-in address is the NameID when it is an email address, else the
 *   first email attribute. It must be in a verified domain of THIS
 *   organization (the one whose ACS received the response) and name an active
 *   user of it by userName or primary/work email, case-insensitively. The
 *   lookup is scoped to the organization, so an assertion can never reach a
 *   user of another one.
 * - Just-in-time provisioning (when the organization turned it on): an unknown
 *   address in a verified domain becomes a user through createUser, so every
 *   rule of the user write path (domains, seats, audit) applies. userName is
 *   the address, which is what a later SCIM `userName eq` finds.
 * - Every attempt is audited: `signin.succeeded`, or `signin.refused` with a
 *   reason code and a reference the person can quote. Never the assertion.
 */
import type { Kysely } from "kysely";
import { uuidv7 } from "../lib/ids.ts";
import { lockActiveUser } from "../storage/sessions-repo.ts";
import { findUsersBySignInAddress, findVerifiedDomainOwners } from "../storage/sign-in-repo.ts";
import type { Database } from "../storage/tables.ts";
import { toUser } from "../storage/users-repo.ts";
import type { Actor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { addressDomain, selfAndParents } from "./domain-names.ts";
import { assertAddressesAllowed, isCoveredBy, normaliseEmail } from "./domains.ts";
import { DomainError, InvalidValueError, SeatLimitError, UniquenessError } from "./errors.ts";
import { findSamlSettings, type SamlSettings } from "./saml-config.ts";
import { endSession, startSession } from "./sessions.ts";
import { createUser, type User } from "./users.ts";

/** Why a sign-in was refused: stable codes for the audit trail and the error page. */
export type RefusalReason =
  | "sso_not_configured"
  | "malformed"
  | "doctype_present"
  | "weak_algorithm"
  | "unsigned"
  | "invalid_signature"
  | "multiple_assertions"
  | "encrypted_assertion"
  | "idp_error"
  | "unsolicited"
  | "unknown_in_response_to"
  | "in_response_to_mismatch"
  | "expired"
  | "not_yet_valid"
  | "wrong_audience"
  | "wrong_issuer"
  | "wrong_recipient"
  | "wrong_destination"
  | "replayed"
  | "no_email"
  | "domain_not_verified"
  | "unknown_user"
  | "ambiguous_user"
  | "user_suspended"
  | "jit_refused"
  | "invalid_response";

export class SignInRefusedError extends DomainError {
  readonly code = "signin_refused";
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly userId?: string,
  ) {
    super(message);
  }
}

/** What the protocol layer read from a verified assertion. */
export interface SignInIdentity {
  nameId: string | undefined;
  /** Email attributes, in the order the assertion listed them. */
  emails: string[];
  displayName?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
}

export interface SignInOptions {
  jitProvisioning: boolean;
  idpInitiated: boolean;
  /** The session cookie the browser came with, ended on success (no session fixation). */
  previousToken?: string | undefined;
}

export interface SignInResult {
  token: string;
  expiresAt: Date;
  user: Pick<User, "id" | "userName">;
  created: boolean;
}

const SYSTEM: Actor = { kind: "system" };
const SIMPLE_EMAIL = /^[^\s@]+@[^\s@]+$/;

export async function signIn(db: Kysely<Database>, orgId: string, identity: SignInIdentity, options: SignInOptions): Promise<SignInResult> {
  const address = signInAddress(identity);
  try {
    await assertAddressesAllowed(db, orgId, { userName: address, emails: [] });
  } catch (e) {
    if (!(e instanceof InvalidValueError)) throw e;
    throw new SignInRefusedError("domain_not_verified", `${address} is not in a verified domain of this organization`);
  }
  const { user, created } = await findOrProvision(db, orgId, address, identity, options.jitProvisioning);
  if (!user.active) throw new SignInRefusedError("user_suspended", `${user.userName} is suspended`, user.id);

  return db.transaction().execute(async (trx) => {
    // FOR SHARE waits for a suspension in flight (which locks the row FOR UPDATE and ends sessions).
    if (!(await lockActiveUser(trx, orgId, user.id))) {
      throw new SignInRefusedError("user_suspended", `${user.userName} is suspended or was deleted`, user.id);
    }
    if (options.previousToken) await endSession(trx, options.previousToken);
    const session = await startSession(trx, orgId, user.id);
    await recordAudit(trx, orgId, SYSTEM, {
      action: "signin.succeeded",
      target: { type: "User", id: user.id, label: user.userName },
      details: {
        method: "saml",
        nameId: identity.nameId ?? null,
        idpInitiated: options.idpInitiated,
        provisioned: created,
        sessionExpiresAt: session.expiresAt.toISOString(),
      },
    });
    return { ...session, user: { id: user.id, userName: user.userName }, created };
  });
}

/**
 * The organization that signs in this email address: the one holding its
 * domain (or a parent of it) verified, when that organization has SAML
 * configured. Undefined otherwise, without saying which of the two failed:
 * the answer must not tell a stranger whether some organization owns a domain.
 */
export async function samlSettingsForEmail(db: Kysely<Database>, email: string): Promise<SamlSettings | undefined> {
  const domain = addressDomain(email.trim());
  if (!domain) return undefined;
  const owners = await findVerifiedDomainOwners(db, selfAndParents(domain));
  const owner = owners.find((o) => isCoveredBy(domain, o.name));
  return owner ? findSamlSettings(db, owner.org_id) : undefined;
}

/** Ends the session of this cookie, if any, and records it. */
export async function signOut(db: Kysely<Database>, token: string | undefined): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const ended = await endSession(trx, token);
    if (!ended) return false;
    await recordAudit(trx, ended.orgId, SYSTEM, { action: "signout", target: { type: "User", id: ended.userId }, details: { method: "saml" } });
    return true;
  });
}

export interface Refusal {
  reason: RefusalReason;
  /** A short technical explanation for the administrator (never the assertion). */
  detail: string;
  nameId?: string | undefined;
  userId?: string | undefined;
  idpInitiated?: boolean | undefined;
}

/** Records a refused sign-in; returns the reference shown to the person. */
export async function recordSignInRefusal(db: Kysely<Database>, orgId: string, refusal: Refusal): Promise<string> {
  const reference = uuidv7();
  await recordAudit(db, orgId, SYSTEM, {
    action: "signin.refused",
    target: { type: refusal.userId ? "User" : "signin", id: refusal.userId ?? null, label: refusal.nameId ?? null },
    details: {
      method: "saml",
      reason: refusal.reason,
      detail: refusal.detail.slice(0, 500),
      reference,
      ...(refusal.idpInitiated === undefined ? {} : { idpInitiated: refusal.idpInitiated }),
    },
  });
  return reference;
}

function signInAddress(identity: SignInIdentity): string {
  const candidates = [identity.nameId, ...identity.emails].map((v) => v?.trim());
  const address = candidates.find((v): v is string => !!v && SIMPLE_EMAIL.test(v) && addressDomain(v) !== undefined);
  if (!address) {
    throw new SignInRefusedError("no_email", "the assertion carries no email address: set the NameID (or an email attribute) to the user's email");
  }
  return normaliseEmail(address);
}

async function findOrProvision(
  db: Kysely<Database>,
  orgId: string,
  address: string,
  identity: SignInIdentity,
  jit: boolean,
): Promise<{ user: User; created: boolean }> {
  const found = await lookUp(db, orgId, address);
  if (found) return { user: found, created: false };
  if (!jit) throw new SignInRefusedError("unknown_user", `no user of this organization has ${address} as userName or primary/work email`);
  try {
    const user = await createUser(db, orgId, jitInput(address, identity), SYSTEM);
    return { user, created: true };
  } catch (e) {
    // Two first sign-ins at once: the other one created the user.
    if (e instanceof UniquenessError) {
      const raced = await lookUp(db, orgId, address);
      if (raced) return { user: raced, created: false };
    }
    if (e instanceof InvalidValueError || e instanceof SeatLimitError || e instanceof UniquenessError) {
      throw new SignInRefusedError("jit_refused", `just-in-time provisioning of ${address} was refused: ${e.message}`);
    }
    throw e;
  }
}

async function lookUp(db: Kysely<Database>, orgId: string, address: string): Promise<User | undefined> {
  const rows = await findUsersBySignInAddress(db, orgId, address);
  const byName = rows.find((r) => r.by_user_name);
  if (byName) return toUser(byName);
  if (rows.length > 1) {
    throw new SignInRefusedError("ambiguous_user", `${rows.length} users of this organization have ${address} as a primary/work email; make it unique`);
  }
  return rows[0] ? toUser(rows[0]) : undefined;
}

function jitInput(address: string, identity: SignInIdentity) {
  const name = {
    ...(identity.givenName ? { givenName: identity.givenName } : {}),
    ...(identity.familyName ? { familyName: identity.familyName } : {}),
  };
  const displayName = identity.displayName ?? ([identity.givenName, identity.familyName].filter(Boolean).join(" ") || null);
  const emails = [{ value: address, type: "work", primary: true }];
  return {
    userName: address,
    externalId: null,
    displayName,
    active: true,
    emails,
    profile: {
      userName: address,
      ...(displayName ? { displayName } : {}),
      ...(Object.keys(name).length ? { name } : {}),
      emails,
      active: true,
    },
    products: [],
    roleValues: [],
  };
}
