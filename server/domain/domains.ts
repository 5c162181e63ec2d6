/**
 * Verified email domains of an organization: an organization proves it owns
 * acme.com by publishing a TXT record, and its users are provisioned only with
 * sign-in addresses in its verified domains. Decisions:
 *
 * - Subdomains. A verified domain covers its subdomains (as in Microsoft 365,
 *   where subdomains of a verified domain need no proof of their own), so
 *   "held by one organization" is checked both ways: nobody else may verify
 *   sub.acme.com while acme.com is verified, nor acme.com while sub.acme.com is.
 * - Sign-in addresses. The userName when it contains "@", and every email that
 *   is primary or of type "work". Other emails (home, other, untyped) are
 *   contact data, never used to sign in, and may be in any domain.
 * - Pending claims. Several organizations may claim one domain, each with its
 *   own token; the first to prove it wins and the others' verification is
 *   refused (409). Another organization is never named to the caller.
 * - Removal. Refused (409, with a count) while users of the organization have a
 *   sign-in address that no other verified domain of it covers, so nobody is
 *   silently left without a sign-in domain. Pending domains go at once.
 */
import { randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { DnsLookupError, type TxtResolver } from "../lib/dns-txt.ts";
import * as repo from "../storage/domains-repo.ts";
import { isUniqueViolation } from "../storage/pg-errors.ts";
import type { Database, OrgDomainRow } from "../storage/tables.ts";
import type { Actor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import {
  addressDomain,
  challengeName,
  challengeValue,
  isCoveredBy,
  normaliseDomainName,
  selfAndParents,
} from "./domain-names.ts";
import {
  ConflictError,
  DnsUnavailableError,
  ForbiddenError,
  InvalidValueError,
  NotFoundError,
  VerificationFailedError,
} from "./errors.ts";

export { isCoveredBy, normaliseDomainName, normaliseEmail } from "./domain-names.ts";

export type DomainStatus = "pending" | "verified";

export interface Domain {
  name: string;
  status: DomainStatus;
  /** The record to publish: a TXT at `name` whose value is `value`. */
  txt: { name: string; value: string };
  createdAt: Date;
  verifiedAt: Date | null;
}

const toDomain = (r: OrgDomainRow): Domain => ({
  name: r.name,
  status: r.status,
  txt: { name: challengeName(r.name), value: challengeValue(r.verification_token) },
  createdAt: new Date(r.created_at),
  verifiedAt: r.verified_at ? new Date(r.verified_at) : null,
});

const target = (name: string) => ({ type: "domain", id: name, label: name });

const heldElsewhere = (name: string) =>
  new ConflictError(
    `domain ${name} overlaps a domain that another organization has verified (the same domain, a parent or a subdomain); ` +
      "a domain can be verified by one organization only. If it is yours, ask the operator to resolve it",
  );

/**
 * Claims a domain for the organization: pending, with the TXT record to
 * publish. `verified: true` skips the proof and is for the operator only.
 */
export async function addDomain(
  db: Kysely<Database>,
  orgId: string,
  rawName: unknown,
  options: { verified?: unknown },
  actor: Actor,
): Promise<Domain> {
  const name = normaliseDomainName(rawName);
  if (options.verified !== undefined && typeof options.verified !== "boolean") {
    throw new InvalidValueError('"verified" must be true or false');
  }
  const verified = options.verified === true;
  if (verified && actor.kind !== "operator") {
    throw new ForbiddenError('only the operator may add a domain as verified; add it without "verified", publish its TXT record and verify it');
  }
  // 256 bits: the token is public once published, but must not be guessable before.
  const token = randomBytes(32).toString("base64url");
  try {
    return await db.transaction().execute(async (trx) => {
      if (verified) await repo.lockDomainVerifications(trx);
      if (await repo.isVerifiedElsewhere(trx, orgId, name, selfAndParents(name).slice(1))) throw heldElsewhere(name);
      const row = await repo.insertDomain(trx, {
        org_id: orgId,
        name,
        verification_token: token,
        status: verified ? "verified" : "pending",
        verified_at: verified ? new Date() : null,
      });
      await recordAudit(trx, orgId, actor, { action: "domain.added", target: target(name), details: { status: row.status } });
      if (verified) {
        await recordAudit(trx, orgId, actor, { action: "domain.verified", target: target(name), details: { method: "operator" } });
      }
      return toDomain(row);
    });
  } catch (err) {
    if (isUniqueViolation(err, repo.DOMAIN_PK)) throw new ConflictError(`domain ${name} has already been added to this organization`);
    if (isUniqueViolation(err, repo.VERIFIED_DOMAIN_INDEX)) throw heldElsewhere(name);
    throw err;
  }
}

export async function listDomains(db: Kysely<Database>, orgId: string): Promise<Domain[]> {
  return (await repo.listDomains(db, orgId)).map(toDomain);
}

export async function getDomain(db: Kysely<Database>, orgId: string, rawName: string): Promise<Domain> {
  const name = lookupName(rawName);
  const row = await repo.findDomain(db, orgId, name);
  if (!row) throw new NotFoundError("Domain", name);
  return toDomain(row);
}

/**
 * Looks the TXT record up (outside any transaction: no lock is held during
 * network I/O) and, when the expected value is there, marks the domain
 * verified. Verifying a verified domain returns it unchanged.
 */
export async function verifyDomain(
  db: Kysely<Database>,
  orgId: string,
  rawName: string,
  resolveTxt: TxtResolver,
  actor: Actor,
): Promise<Domain> {
  const name = lookupName(rawName);
  const claimed = await repo.findDomain(db, orgId, name);
  if (!claimed) throw new NotFoundError("Domain", name);
  if (claimed.status === "verified") return toDomain(claimed);
  const parents = selfAndParents(name).slice(1);
  // Before the lookup: a domain held elsewhere is a 409 whatever the DNS says.
  if (await repo.isVerifiedElsewhere(db, orgId, name, parents)) throw heldElsewhere(name);

  const txtName = challengeName(name);
  const expected = challengeValue(claimed.verification_token);
  let found: string[];
  try {
    found = await resolveTxt(txtName);
  } catch (err) {
    const reason = err instanceof DnsLookupError ? err.message : `DNS TXT lookup of ${txtName} failed`;
    throw new DnsUnavailableError(`${reason}; nothing was changed, try again later`);
  }
  if (!found.some((v) => v.trim() === expected)) throw verificationFailure(name, txtName, expected, found);

  try {
    return await db.transaction().execute(async (trx) => {
      await repo.lockDomainVerifications(trx);
      const row = await repo.lockDomain(trx, orgId, name);
      if (!row) throw new NotFoundError("Domain", name);
      if (row.status === "verified") return toDomain(row);
      // Removed and added again while we were asking DNS: the proof was for the old token.
      if (row.verification_token !== claimed.verification_token) throw verificationFailure(name, txtName, challengeValue(row.verification_token), found);
      if (await repo.isVerifiedElsewhere(trx, orgId, name, parents)) throw heldElsewhere(name);
      const verified = await repo.markVerified(trx, orgId, name);
      await recordAudit(trx, orgId, actor, {
        action: "domain.verified",
        target: target(name),
        details: { method: "dns-txt", record: txtName },
      });
      return toDomain(verified);
    });
  } catch (err) {
    if (isUniqueViolation(err, repo.VERIFIED_DOMAIN_INDEX)) throw heldElsewhere(name);
    throw err;
  }
}

/** Says what was seen at the challenge name and what to publish instead. */
function verificationFailure(name: string, txtName: string, expected: string, found: string[]): VerificationFailedError {
  const publish = `publish a TXT record at ${txtName} with the value "${expected}" and verify again (DNS changes can take a while to propagate)`;
  if (!found.length) return new VerificationFailedError(`domain ${name} is not verified: no TXT record exists at ${txtName}; ${publish}`);
  const shown = found.slice(0, 10).map((v) => JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}…` : v));
  const more = found.length > 10 ? ` and ${found.length - 10} more` : "";
  return new VerificationFailedError(
    `domain ${name} is not verified: the TXT records at ${txtName} are ${shown.join(", ")}${more}, none of them the expected value; ${publish}`,
  );
}

/** Removes a domain; refused while it is the only verified domain covering some user's sign-in address. */
export async function removeDomain(db: Kysely<Database>, orgId: string, rawName: string, actor: Actor): Promise<void> {
  const name = lookupName(rawName);
  await db.transaction().execute(async (trx) => {
    // Every verified domain of the org is locked, so two removals cannot each
    // count on the other domain still covering a user, and user writes that
    // hold a key-share lock on a domain they rely on finish first.
    const rows = await repo.lockOrgDomainsForRemoval(trx, orgId, name);
    const row = rows.find((r) => r.name === name);
    if (!row) throw new NotFoundError("Domain", name);
    if (row.status === "verified") {
      const others = rows.filter((r) => r.status === "verified" && r.name !== name).map((r) => r.name);
      const stranded = (await repo.signInDomainsInUse(trx, orgId)).filter((stored) => {
        const d = addressDomain(`@${stored}`);
        return d !== undefined && isCoveredBy(d, name) && !others.some((o) => isCoveredBy(d, o));
      });
      const users = await repo.countUsersWithSignInDomains(trx, orgId, stranded);
      if (users > 0) {
        throw new ConflictError(
          `domain ${name} cannot be removed: ${users} user${users === 1 ? " has" : "s have"} a userName or primary/work email in it ` +
            "and no other verified domain of this organization covers them; change or delete those users first",
        );
      }
    }
    await repo.deleteDomain(trx, orgId, name);
    await recordAudit(trx, orgId, actor, { action: "domain.removed", target: target(name), details: { status: row.status } });
  });
}

export interface AddressesToCheck {
  userName: string;
  emails: readonly { value: string; type?: string | null | undefined; primary?: boolean | null | undefined }[];
}

/**
 * The provisioning rule: every sign-in address (userName containing "@",
 * primary or work emails) must be in a verified domain of the organization
 * (its subdomains included); other emails may be anywhere. Call it inside the
 * transaction that writes the user: the domains relied on are locked (FOR KEY
 * SHARE) until commit, so a concurrent removeDomain waits and then counts the user.
 */
export async function assertAddressesAllowed(
  db: Kysely<Database> | Transaction<Database>,
  orgId: string,
  input: AddressesToCheck,
): Promise<void> {
  const addresses: { field: string; value: string }[] = [];
  if (input.userName.includes("@")) addresses.push({ field: "userName", value: input.userName });
  input.emails.forEach((e, i) => {
    if (e.primary === true || e.type?.toLowerCase() === "work") addresses.push({ field: `emails[${i}].value`, value: e.value });
  });
  if (!addresses.length) return;

  const checks = addresses.map((a) => {
    const domain = addressDomain(a.value);
    if (!domain) {
      const why = a.value.includes("@") ? "has no valid domain after \"@\"" : "is not an email address";
      throw new InvalidValueError(`${a.field} ${JSON.stringify(a.value)} ${why}; sign-in addresses must be in a verified domain of this organization`);
    }
    return { ...a, domain };
  });
  const candidates = [...new Set(checks.flatMap((c) => selfAndParents(c.domain)))];
  const rows = await repo.findDomainsLocked(db, orgId, candidates);
  const verified = rows.filter((r) => r.status === "verified").map((r) => r.name);
  for (const c of checks) {
    if (verified.some((v) => isCoveredBy(c.domain, v))) continue;
    const pending = rows.find((r) => r.status === "pending" && isCoveredBy(c.domain, r.name));
    const prefix = `${c.field} ${JSON.stringify(c.value)}: domain ${c.domain}`;
    throw new InvalidValueError(
      pending
        ? `${prefix} is not verified yet in this organization; publish its TXT record and verify it (POST /admin/v1/orgs/${orgId}/domains/${pending.name}/verify)`
        : `${prefix} is not a verified domain of this organization; verify it first (POST /admin/v1/orgs/${orgId}/domains)`,
    );
  }
}

/** A name from a URL: canonical form, or "not found" (a malformed name names no domain). */
function lookupName(raw: string): string {
  try {
    return normaliseDomainName(raw);
  } catch {
    throw new NotFoundError("Domain", raw);
  }
}
