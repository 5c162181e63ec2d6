/**
 * For test files that need a real PostgreSQL server (several processes on one
 * database, a database outliving a killed process): true when TEST_DATABASE_URL
 * is unset, after saying so on stderr, so a skipped run is visible as skipped
 * and says what would make it run.
 */
export function withoutPostgres(what: string): boolean {
  if (process.env.TEST_DATABASE_URL) return false;
  console.warn(
    `SKIPPED ${what}: it needs PostgreSQL; set TEST_DATABASE_URL, e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres`,
  );
  return true;
}
