/**
 * Named domain errors. The domain throws these; each protocol adapter maps them
 * once (scim/error-map.ts for SCIM, http/error-map.ts for the admin API).
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The resource does not exist in this organization (another org's ids look exactly the same). */
export class NotFoundError extends DomainError {
  readonly code = "not_found";
  constructor(readonly resource: string, readonly id: string) {
    super(`${resource} "${id}" not found`);
  }
}

export class UniquenessError extends DomainError {
  readonly code = "uniqueness";
}

/** A write carried a version precondition (If-Match) that is no longer current. */
export class VersionMismatchError extends DomainError {
  readonly code = "version_mismatch";
  constructor(readonly resource: string, readonly id: string, readonly currentVersion: number) {
    super(`${resource} "${id}" was modified: its current version is ${currentVersion}. Read it again and retry.`);
  }
}

/** Input that is well-formed but breaks a rule of the domain. */
export class InvalidValueError extends DomainError {
  readonly code = "invalid_value";
}
