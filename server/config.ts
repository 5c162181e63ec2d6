import { isIP } from "node:net";
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
  /** Requests allowed per window (0 = unlimited), counted in the database and shared by every process. */
  readonly rateLimits: RateLimitConfig;
  /** How long slow or idle clients may hold a connection (milliseconds). */
  readonly httpTimeouts: HttpTimeouts;
  /** Express "trust proxy": false, a hop count, or the proxies' addresses/subnets. */
  readonly trustProxy: false | number | readonly string[];
}

export interface RateLimitConfig {
  readonly windowSeconds: number;
  readonly perToken: number;
  readonly perOrg: number;
  readonly perSsoClient: number;
}

export interface HttpTimeouts {
  readonly headersMs: number;
  readonly requestMs: number;
  readonly keepAliveMs: number;
}

/**
 * Default rates, per minute. Microsoft asks a SCIM endpoint to sustain 25
 * requests per second from one Entra ID provisioning job (and Entra ID has no
 * client-side limiter for custom apps); a token gets twice that. An
 * organization gets two tokens' worth, e.g. an old and a new token during a
 * rotation, or two identity providers. Sign-in is counted per client address:
 * an office behind one NAT signs many people in at 9:00.
 */
export const DEFAULT_RATES_PER_MINUTE = { token: 3000, org: 6000, ssoClient: 300 } as const;

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

  const windowSeconds = integerIn(env, "RATE_LIMIT_WINDOW_SECONDS", 60, 1, 3600, problems);
  // Limits are given per minute (what operators and IdP documents speak in) and counted per window.
  const perWindow = (perMinute: number) => (perMinute === 0 ? 0 : Math.max(1, Math.round((perMinute * windowSeconds) / 60)));
  const rateLimits: RateLimitConfig = Object.freeze({
    windowSeconds,
    perToken: perWindow(integerIn(env, "RATE_LIMIT_TOKEN_PER_MINUTE", DEFAULT_RATES_PER_MINUTE.token, 0, 10_000_000, problems)),
    perOrg: perWindow(integerIn(env, "RATE_LIMIT_ORG_PER_MINUTE", DEFAULT_RATES_PER_MINUTE.org, 0, 10_000_000, problems)),
    perSsoClient: perWindow(integerIn(env, "RATE_LIMIT_SSO_PER_MINUTE", DEFAULT_RATES_PER_MINUTE.ssoClient, 0, 10_000_000, problems)),
  });

  const httpTimeouts: HttpTimeouts = Object.freeze({
    headersMs: secondsIn(env, "HTTP_HEADERS_TIMEOUT_SECONDS", 10, problems),
    requestMs: secondsIn(env, "HTTP_REQUEST_TIMEOUT_SECONDS", 60, problems),
    keepAliveMs: secondsIn(env, "HTTP_KEEP_ALIVE_TIMEOUT_SECONDS", 5, problems),
  });
  // Node refuses a headers timeout longer than the whole-request timeout.
  if (httpTimeouts.headersMs > httpTimeouts.requestMs) {
    problems.push("HTTP_HEADERS_TIMEOUT_SECONDS must not exceed HTTP_REQUEST_TIMEOUT_SECONDS");
  }

  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);

  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    port,
    publicUrl,
    databaseUrl,
    dataDir: env.DATA_DIR?.trim() || "./data",
    adminToken,
    logLevel,
    dnsServers: Object.freeze([...dns.servers]),
    rateLimits,
    httpTimeouts,
    trustProxy,
  });
}

function integerIn(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  problems.push(`${name} must be an integer ${min}-${max}, got "${raw}"`);
  return fallback;
}

/** Seconds (decimals allowed, e.g. 0.5), returned in milliseconds. */
function secondsIn(env: Record<string, string | undefined>, name: string, fallback: number, problems: string[]): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback * 1000;
  const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (n >= 0.1 && n <= 3600) return Math.round(n * 1000);
  problems.push(`${name} must be a number of seconds between 0.1 and 3600, got "${raw}"`);
  return fallback * 1000;
}

const PROXY_NAMES = ["loopback", "linklocal", "uniquelocal"];

/**
 * Which proxies' X-Forwarded-For to believe for the client address (used by the
 * per-address sign-in limit). "true" (believe anyone) is refused: any client
 * could then name itself a fresh address with every request.
 */
function parseTrustProxy(raw: string | undefined, problems: string[]): false | number | readonly string[] {
  const value = raw?.trim();
  if (!value || value === "false") return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(",").map((e) => e.trim()).filter(Boolean);
  const bad = entries.filter((e) => !PROXY_NAMES.includes(e) && !isAddressOrSubnet(e));
  if (bad.length || entries.length === 0) {
    problems.push(
      `TRUST_PROXY must be a number of proxy hops or a comma-separated list of ${PROXY_NAMES.join(", ")}, IP addresses and CIDR subnets (got "${value}")`,
    );
    return false;
  }
  return Object.freeze(entries);
}

function isAddressOrSubnet(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split("/");
  const family = isIP(address ?? "");
  if (family === 0 || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
