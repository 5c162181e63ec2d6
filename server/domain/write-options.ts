import { VersionMismatchError } from "./errors.ts";

export interface WriteOptions {
  /** The versions the caller accepts (If-Match); the write fails unless the current one is among them. */
  expectedVersions?: readonly number[] | undefined;
}

/** The If-Match precondition, checked on the locked row inside the write's transaction. */
export function assertExpectedVersion(resource: string, id: string, version: number, options: WriteOptions): void {
  if (options.expectedVersions !== undefined && !options.expectedVersions.includes(version)) {
    throw new VersionMismatchError(resource, id, version);
  }
}
