/**
 * Operator sessions: the operator signs in to the browser console with the
 * ADMIN_TOKEN once, and gets a session instead of keeping the token in the page.
 *
 * - Same limits and storage as SAML sessions (sessions.ts): 256 random bits in
 *   the cookie, only their SHA-256 in the database, 8 hours absolute, 1 hour idle.
 * - Each session is bound to the ADMIN_TOKEN that opened it (an HMAC of the token
 *   keyed by the session secret): rotating ADMIN_TOKEN ends every operator session,
 *   and unsetting it ends them all (fail closed). Keyed by the secret, the binding
 *   in a leaked database does not let anyone test guesses of the ADMIN_TOKEN.
 */
import { createHmac } from "node:crypto";
import type { Kysely } from "kysely";
import { constantTimeEqual, hashSecret, newSecret } from "../lib/secrets.ts";
import * as repo from "../storage/operator-sessions-repo.ts";
import type { Database } from "../storage/tables.ts";
import { SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS } from "./sessions.ts";

const TOUCH_GRANULARITY_SECONDS = 60;
const TOKEN_PREFIX = "sgo";
// newSecret's length: prefix, "_", 43 base64url characters.
const MAX_TOKEN_LENGTH = 64;

const bindingOf = (secret: string, adminToken: string) => createHmac("sha256", secret).update(adminToken, "utf8").digest("hex");

/** Starts a session; the caller has checked the ADMIN_TOKEN it was given. */
export async function startOperatorSession(
  db: Kysely<Database>,
  adminToken: string,
  now: Date = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  await repo.deleteStaleOperatorSessions(db, SESSION_IDLE_SECONDS);
  const token = newSecret(TOKEN_PREFIX);
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_SECONDS * 1000);
  await repo.insertOperatorSession(db, { id_hash: hashSecret(token), token_binding: bindingOf(token, adminToken), expires_at: expiresAt });
  return { token, expiresAt };
}

/** Whether the cookie names a live operator session opened with the current ADMIN_TOKEN. */
export async function isLiveOperatorSession(
  db: Kysely<Database>,
  adminToken: string | undefined,
  token: string | undefined,
): Promise<boolean> {
  if (!adminToken || !token || token.length > MAX_TOKEN_LENGTH) return false;
  const idHash = hashSecret(token);
  const row = await repo.findLiveOperatorSession(db, idHash, SESSION_IDLE_SECONDS);
  if (!row || !constantTimeEqual(row.token_binding, bindingOf(token, adminToken))) return false;
  await repo.touchOperatorSession(db, idHash, TOUCH_GRANULARITY_SECONDS);
  return true;
}

/** Ends one operator session (sign-out); false when there was none. */
export async function endOperatorSession(db: Kysely<Database>, token: string | undefined): Promise<boolean> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return false;
  return repo.deleteOperatorSession(db, hashSecret(token));
}
