import { parseDnsServers } from "./lib/dns-txt.ts";

/**
 * Configuration is parsed once, at the edge, into one frozen object; every
 * problem is reported at once so an operator fixes them in one go.
 */
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface Config {
  readonly port: number;
  readonly publicUrl: string;
  /** postgres://… uses PostgreSQL through pg; undefined uses embedded PGlite in dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly adminToken: string | undefined;
  readonly logLevel: LogLevel;
  /** DNS servers for domain verification (IP[:port]); empty means the system resolvers. */
  readonly dnsServers: readonly string[];
}

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join("\n- ")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];

  const port = env.PORT === undefined || env.PORT === "" ? 8080 : Number(env.PORT);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) problems.push(`PORT must be an integer 0-65535, got "${env.PORT}"`);

  const portValid = Number.isInteger(port) && port >= 0 && port <= 65535;
  let publicUrl = env.PUBLIC_URL?.trim() || `http://localhost:${portValid ? port : 8080}`;
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== "http:" && u.protocol !== "https:") problems.push(`PUBLIC_URL must be http(s), got "${publicUrl}"`);
    publicUrl = publicUrl.replace(/\/+$/, "");
  } catch {
    problems.push(`PUBLIC_URL is not a URL: "${publicUrl}"`);
  }

  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql://`);
  }

  const adminToken = env.ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push("ADMIN_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 32`)");
  }

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);

  const dns = parseDnsServers(env.DNS_SERVERS);
  problems.push(...dns.problems);

  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    port,
    publicUrl,
    databaseUrl,
    dataDir: env.DATA_DIR?.trim() || "./data",
    adminToken,
    logLevel,
    dnsServers: Object.freeze([...dns.servers]),
  });
}
