import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";

/**
 * Looks up the TXT records at `name`: one string per record, its
 * character-strings joined (RFC 7208 §3.3 joins them the same way for SPF), or
 * [] when the name does not exist (NXDOMAIN) or has no TXT record (NODATA).
 * Any other outcome (timeout, SERVFAIL, refused) throws: "no record" must
 * never be confused with "could not ask".
 */
export type TxtResolver = (name: string) => Promise<string[]>;

export interface TxtResolverOptions {
  /** Per-try timeout in milliseconds (c-ares doubles it on each retry). */
  timeoutMs?: number;
  /** Attempts per server before giving up. */
  tries?: number;
}

// An admin request waits for the answer: at most about 2 s + 4 s per server
// with these values, instead of c-ares' default of 5 s x 4 tries.
const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_TRIES = 2;

/** c-ares codes that mean "the name has no TXT record", not "the lookup failed". */
const NO_RECORD_CODES = new Set(["ENOTFOUND", "ENODATA"]);

const REASONS: Record<string, string> = {
  ETIMEOUT: "the DNS server did not answer in time",
  ESERVFAIL: "the DNS server answered SERVFAIL",
  EREFUSED: "the DNS server refused the query",
  ECONNREFUSED: "the DNS server could not be reached",
  EFORMERR: "the DNS server answered FORMERR",
  EBADRESP: "the DNS server sent a malformed answer",
};

/** A TXT lookup that could not be completed (as opposed to a name without TXT records). */
export class DnsLookupError extends Error {
  constructor(readonly lookupName: string, readonly code: string, options?: { cause?: unknown }) {
    super(`DNS TXT lookup of ${lookupName} failed: ${REASONS[code] ?? code}`, options);
    this.name = "DnsLookupError";
  }
}

/**
 * A TXT resolver over Node's own resolver (c-ares). `servers` are IP
 * addresses with an optional port ("127.0.0.1:5353", "[::1]:53", "9.9.9.9");
 * omitted or empty, the system's resolvers (/etc/resolv.conf) are used.
 * Throws at creation when a server is not an IP address, so a bad
 * configuration fails at boot rather than on the first verification.
 */
export function createTxtResolver(servers?: readonly string[], options: TxtResolverOptions = {}): TxtResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, tries: options.tries ?? DEFAULT_TRIES });
  if (servers && servers.length > 0) {
    const problems = servers.flatMap((s) => dnsServerProblem(s) ?? []);
    if (problems.length) throw new Error(problems.join("; "));
    resolver.setServers([...servers]);
  }
  return async (name) => {
    try {
      const records = await resolver.resolveTxt(name);
      return records.map((chunks) => chunks.join(""));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === "string" && NO_RECORD_CODES.has(code)) return [];
      throw new DnsLookupError(name, typeof code === "string" ? code : "unknown error", { cause: err });
    }
  };
}

/**
 * Parses a comma-separated DNS_SERVERS value into the list createTxtResolver
 * takes, with every problem reported (for parseConfig). Empty → [] (system resolvers).
 */
export function parseDnsServers(raw: string | undefined): { servers: string[]; problems: string[] } {
  const servers = (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const problems = servers.flatMap((s) => dnsServerProblem(s) ?? []);
  return { servers, problems };
}

/** Node's resolver takes IP addresses only (no host names): "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53". */
function dnsServerProblem(server: string): string | undefined {
  const bad = `DNS server "${server}" must be an IP address with an optional port, e.g. 127.0.0.1:53 or [::1]:53`;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  const [host, port] = v6 ? [v6[1]!, v6[2]] : isIP(server) === 6 ? [server, undefined] : splitV4(server);
  if (isIP(host) === 0) return bad;
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return bad;
  return undefined;
}

function splitV4(server: string): [string, string | undefined] {
  const i = server.lastIndexOf(":");
  return i < 0 ? [server, undefined] : [server.slice(0, i), server.slice(i + 1)];
}
