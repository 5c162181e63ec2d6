import { DomainError } from "../errors.ts";

/**
 * The file as a whole cannot be imported (unreadable, empty, unknown columns):
 * nothing is checked row by row. Admin API: 400 with code "invalid_file"
 * (http/error-map.ts answers 400 for a DomainError it does not name).
 */
export class ImportFileError extends DomainError {
  readonly code = "invalid_file";
}

/**
 * More rows than one import takes. 400 rather than 413: the request is not too
 * large in bytes, it breaks a rule about its content, and the message says
 * exactly how to fix it. Code "too_many_rows" so a client can tell it apart.
 */
export class TooManyRowsError extends DomainError {
  readonly code = "too_many_rows";
}
