/** PostgreSQL SQLSTATE codes we act on; pg and PGlite both expose them as `code`. */
const UNIQUE_VIOLATION = "23505";
const FOREIGN_KEY_VIOLATION = "23503";

interface PgError {
  code?: string;
  constraint?: string;
}

function pgError(e: unknown): PgError | undefined {
  return typeof e === "object" && e !== null ? (e as PgError) : undefined;
}

/** True when `e` is a unique violation, optionally of the named index or constraint. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = pgError(e);
  if (err?.code !== UNIQUE_VIOLATION) return false;
  if (!constraint) return true;
  // PGlite does not always fill `constraint`; fall back to the message.
  return err.constraint === constraint || (e instanceof Error && e.message.includes(constraint));
}

/**
 * Deadlock (40P01) or serialization failure (40001): the transaction was rolled
 * back as a whole and the same request can simply be sent again.
 */
export function isTransientConflict(e: unknown): boolean {
  const code = pgError(e)?.code;
  return code === "40P01" || code === "40001";
}

export function isForeignKeyViolation(e: unknown): boolean {
  return pgError(e)?.code === FOREIGN_KEY_VIOLATION;
}
