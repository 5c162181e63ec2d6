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

/** The request conflicts with the current state (e.g. a domain another organization has verified). */
export class ConflictError extends DomainError {
  readonly code = "conflict";
}

/** The caller is known but may not do this (e.g. only the operator may mark a domain verified). */
export class ForbiddenError extends DomainError {
  readonly code = "forbidden";
}

/** A proof of ownership was checked and not found; the message says what was seen and what to publish. */
export class VerificationFailedError extends DomainError {
  readonly code = "verification_failed";
}

/** A DNS lookup could not be completed (timeout, SERVFAIL): nothing was decided, retry later. */
export class DnsUnavailableError extends DomainError {
  readonly code = "dns_unavailable";
}

/**
 * A direct product assignment found no free seat. 409, not 403: it is a state
 * conflict the caller can resolve (free a seat, buy more), not a permission problem.
 */
export class SeatLimitError extends DomainError {
  readonly code = "seat_limit";
  constructor(readonly product: string, readonly assigned: number, readonly seats: number) {
    super(`product "${product}" has no free seat (${assigned} of ${seats} assigned); free a seat or buy more`);
  }
}

/** A write rolled back by a deadlock or serialization failure: the same request may simply be retried. */
export { isTransientConflict } from "../storage/pg-errors.ts";
