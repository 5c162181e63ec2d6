import { ScimError } from "../scim-error.ts";

/** Runs fn for Operations[index], prefixing any SCIM error detail with the index so a client can find the culprit. */
export function inOperation<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ScimError)) throw e;
    throw new ScimError(e.status, e.scimType, `Operations[${index}]: ${e.detail}`);
  }
}
