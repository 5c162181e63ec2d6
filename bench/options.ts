/** Command-line options of `npm run bench`, parsed once; every problem reported at once. */
export interface BenchOptions {
  /** Users loaded into the organization. */
  users: number;
  /** Members of the large group (capped at users). */
  groupMembers: number;
  rounds: number;
  /** Seconds per measurement. */
  seconds: number;
  /** Seconds of unmeasured load per measurement before the first round (JIT, caches, pool). */
  warmupSeconds: number;
  connections: number;
  smoke: boolean;
  /** An existing database to use as is (not dropped); otherwise a throwaway one on pgServer. */
  databaseUrl: string | undefined;
  pgServer: string;
  resultsDir: string;
  /** Write a CPU profile of the server (node --cpu-prof) into resultsDir/profiles. */
  profile: boolean;
  /** Scenario 5: users and groups of the Entra-style initial sync. */
  syncUsers: number;
  syncGroups: number;
  /** Scenario 6: user creates per series (one by one, then in bulk). */
  bulkCreates: number;
  /** Scenario 8: users loaded into the embedded PGlite server. */
  pgliteUsers: number;
  /** Only these scenarios (ids), for iterating on one; the others are listed as skipped. */
  only: string[] | undefined;
}

const USAGE = `usage: npm run bench -- [--users N] [--group-members N] [--rounds N] [--seconds S]
       [--warmup S] [--connections N] [--smoke] [--pg-server URL] [--results-dir DIR] [--profile]
       [--sync-users N] [--sync-groups N] [--bulk-creates N] [--pglite-users N] [--only 1,2,…]
DATABASE_URL, when set, names the database to use (kept); otherwise a throwaway one is created on --pg-server.`;

export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const problems: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const FLAGS = new Set(["smoke", "profile", "help"]);
  const VALUES = new Set([
    "users",
    "group-members",
    "rounds",
    "seconds",
    "warmup",
    "connections",
    "pg-server",
    "results-dir",
    "sync-users",
    "sync-groups",
    "bulk-creates",
    "pglite-users",
    "only",
  ]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      problems.push(`unexpected argument "${arg}"`);
      continue;
    }
    const name = m[1]!;
    if (FLAGS.has(name)) flags.add(name);
    else if (VALUES.has(name)) {
      const value = m[2] ?? argv[++i];
      if (value === undefined) problems.push(`--${name} needs a value`);
      else values.set(name, value);
    } else problems.push(`unknown option --${name}`);
  }
  if (flags.has("help")) throw new OptionsError([], USAGE);

  const smoke = flags.has("smoke");
  const int = (name: string, fallback: number, min: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw.replace(/_/g, ""));
    if (!Number.isInteger(n) || n < min) {
      problems.push(`--${name} must be an integer >= ${min}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const num = (name: string, fallback: number, min: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) {
      problems.push(`--${name} must be a number >= ${min}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const users = int("users", smoke ? 2_000 : 1_000_000, 100);
  // At least one user stays outside the large group: scenario 4 adds and removes such users.
  const groupMembers = Math.min(users - 1, int("group-members", smoke ? 500 : 100_000, 20));
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push("DATABASE_URL must start with postgres:// or postgresql://");
  const pgServer = values.get("pg-server") ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if (!/^postgres(ql)?:\/\//.test(pgServer)) problems.push("--pg-server must start with postgres:// or postgresql://");
  const options: BenchOptions = {
    users,
    groupMembers,
    rounds: int("rounds", smoke ? 1 : 3, 1),
    seconds: num("seconds", smoke ? 1 : 10, 0.5),
    warmupSeconds: num("warmup", smoke ? 0.5 : 2, 0),
    connections: int("connections", 10, 1),
    smoke,
    databaseUrl,
    pgServer,
    resultsDir: values.get("results-dir") ?? "bench/results",
    profile: flags.has("profile"),
    syncUsers: int("sync-users", smoke ? 100 : 10_000, 1),
    syncGroups: int("sync-groups", smoke ? 5 : 100, 1),
    bulkCreates: int("bulk-creates", smoke ? 200 : 10_000, 1),
    // PGlite loads in-process and is several times slower than PostgreSQL: a smaller organization.
    pgliteUsers: Math.min(users, int("pglite-users", smoke ? 500 : 50_000, 100)),
    only: parseOnly(values.get("only"), problems),
  };
  if (problems.length) throw new OptionsError(problems, USAGE);
  return options;
}

function parseOnly(raw: string | undefined, problems: string[]): string[] | undefined {
  if (raw === undefined) return undefined;
  const ids = raw.split(",").map((x) => x.trim()).filter(Boolean);
  const bad = ids.filter((id) => !/^[1-8]$/.test(id));
  if (!ids.length || bad.length) problems.push(`--only takes scenario numbers 1 to 8, comma-separated, got "${raw}"`);
  return ids;
}

export class OptionsError extends Error {
  constructor(
    readonly problems: string[],
    readonly usage: string,
  ) {
    super(problems.length ? `Invalid options:\n- ${problems.join("\n- ")}\n\n${usage}` : usage);
    this.name = "OptionsError";
  }
}
