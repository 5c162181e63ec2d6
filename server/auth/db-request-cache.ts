import type { CacheItem, CacheProvider } from "@node-saml/passport-saml";
import type { Kysely } from "kysely";
import { findAuthnRequest, saveAuthnRequest } from "../domain/saml-replay.ts";
import type { Database } from "../storage/tables.ts";

/** A failure of our own storage while node-saml asked the cache: a server error, never a refused sign-in. */
export class CacheUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super("the AuthnRequest store could not be reached");
    this.name = "CacheUnavailableError";
  }
}

/**
 * node-saml's InResponseTo cache over the database, scoped to one
 * organization: an id issued for organization A is unknown at B's ACS.
 *
 * removeAsync does nothing on purpose. node-saml calls it both after a
 * success and after any failure; consuming the id there would let anyone who
 * saw it in the redirect URL burn a person's sign-in with a garbage post, and
 * would not be atomic anyway. The id is consumed once, atomically, when the
 * sign-in is accepted (consumeAuthnRequest in response-checks.ts).
 */
export function dbRequestCache(db: Kysely<Database>, orgId: string): CacheProvider {
  const guard = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (e) {
      throw new CacheUnavailableError(e);
    }
  };
  return {
    async saveAsync(key: string, value: string): Promise<CacheItem | null> {
      await guard(() => saveAuthnRequest(db, orgId, key, value));
      return { value, createdAt: Date.now() };
    },
    async getAsync(key: string): Promise<string | null> {
      return (await guard(() => findAuthnRequest(db, orgId, key))) ?? null;
    },
    async removeAsync(key: string | null): Promise<string | null> {
      return key;
    },
  };
}
