/**
 * Browser sessions after a SAML sign-in. Decisions:
 *
 * - The cookie carries 256 random bits; the database keeps only their SHA-256
 *   (a fast hash is right for a high-entropy secret, and lets any server
 *   process find the session by it), so a database leak yields no usable session.
 * - Limits: 8 hours absolute from sign-in (a working day; the identity provider
 *   is asked again after that), and 1 hour idle: every authenticated request
 *   slides the idle limit, written at most once a minute per session.
 * - A session is only as good as its user: every lookup requires the user to
 *   be active, suspending a user deletes its sessions in the same transaction
 *   (users.ts), and deleting one deletes them through the foreign key. So a
 *   suspended-then-restored user does not get an old session back.
 */
import type { Kysely, Transaction } from "kysely";
import { hashSecret, newSecret } from "../lib/secrets.ts";
import * as repo from "../storage/sessions-repo.ts";
import type { Database } from "../storage/tables.ts";
import { toUser } from "../storage/users-repo.ts";
import type { Roles } from "./roles.ts";
import { seatsOfUsers } from "./seats.ts";

export const SESSION_ABSOLUTE_SECONDS = 8 * 60 * 60;
export const SESSION_IDLE_SECONDS = 60 * 60;
const TOUCH_GRANULARITY_SECONDS = 60;
const TOKEN_PREFIX = "sgs";
// newSecret's length: prefix, "_", 43 base64url characters.
const MAX_TOKEN_LENGTH = 64;

export interface SignedInUser {
  id: string;
  userName: string;
  organization: { id: string; name: string };
  roles: Roles;
  products: { granted: string[] };
}

/**
 * Starts a session for an active user, inside the caller's transaction (the
 * caller has checked and locked the user). Sweeps the user's stale sessions.
 */
export async function startSession(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
  now: Date = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  await repo.deleteStaleUserSessions(trx, orgId, userId, SESSION_IDLE_SECONDS);
  const token = newSecret(TOKEN_PREFIX);
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_SECONDS * 1000);
  await repo.insertSession(trx, { id_hash: hashSecret(token), org_id: orgId, user_id: userId, expires_at: expiresAt });
  return { token, expiresAt };
}

/** The signed-in user of a session cookie, or undefined (unknown, expired, idle too long, user not active). */
export async function getSignedInUser(db: Kysely<Database>, token: string | undefined): Promise<SignedInUser | undefined> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
  const idHash = hashSecret(token);
  const row = await repo.findLiveSession(db, idHash, SESSION_IDLE_SECONDS);
  if (!row) return undefined;
  await repo.touchSession(db, idHash, TOUCH_GRANULARITY_SECONDS);
  const user = toUser(row);
  const seats = await seatsOfUsers(db, user.orgId, [user.id]);
  return {
    id: user.id,
    userName: user.userName,
    organization: { id: row.org_id, name: row.org_name },
    roles: user.roles,
    products: { granted: seats.get(user.id)?.granted ?? [] },
  };
}

/** Ends one session (sign-out); undefined when there was none. */
export async function endSession(
  db: Kysely<Database> | Transaction<Database>,
  token: string | undefined,
): Promise<{ orgId: string; userId: string } | undefined> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
  const row = await repo.deleteSession(db, hashSecret(token));
  return row ? { orgId: row.org_id, userId: row.user_id } : undefined;
}

/** Ends every session of a user: call inside the transaction that suspends it. */
export async function endUserSessions(trx: Transaction<Database>, orgId: string, userId: string): Promise<number> {
  return repo.deleteUserSessions(trx, orgId, userId);
}

/** Ends every session of an organization (SAML sign-in disabled). */
export async function endOrgSessions(trx: Transaction<Database>, orgId: string): Promise<number> {
  return repo.deleteOrgSessions(trx, orgId);
}
