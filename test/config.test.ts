// parseConfig: defaults, normalisation, and every problem reported at once so boot fails with one clear message.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../server/config.ts";

const problemsOf = (env: Record<string, string | undefined>): string[] => {
  try {
    parseConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError");
};

describe("parseConfig", () => {
  it("defaults to port 8080, a public URL on that port, ./data, PGlite, no admin token and info logs", () => {
    expect(parseConfig({})).toEqual({
      port: 8080,
      publicUrl: "http://localhost:8080",
      databaseUrl: undefined,
      dataDir: "./data",
      adminToken: undefined,
      logLevel: "info",
      dnsServers: [],
      rateLimits: { windowSeconds: 60, perToken: 3000, perOrg: 6000, perSsoClient: 300 },
      httpTimeouts: { headersMs: 10_000, requestMs: 60_000, keepAliveMs: 5_000 },
      trustProxy: false,
    });
  });

  it("treats empty strings like unset variables", () => {
    expect(parseConfig({ PORT: "", PUBLIC_URL: "", DATABASE_URL: "", DATA_DIR: "", ADMIN_TOKEN: "", LOG_LEVEL: "" })).toEqual(parseConfig({}));
  });

  it("derives the default public URL from PORT", () => {
    expect(parseConfig({ PORT: "3000" }).publicUrl).toBe("http://localhost:3000");
  });

  it("reads every variable and drops a trailing slash from PUBLIC_URL", () => {
    const config = parseConfig({
      PORT: "9000",
      PUBLIC_URL: "https://scim.example.com/",
      DATABASE_URL: "postgresql://u:p@db:5432/scim",
      DATA_DIR: "/var/lib/scim-gate",
      ADMIN_TOKEN: "0123456789abcdef",
      LOG_LEVEL: "DEBUG",
      DNS_SERVERS: "127.0.0.1:5353, [::1]:53",
      RATE_LIMIT_WINDOW_SECONDS: "60",
      RATE_LIMIT_TOKEN_PER_MINUTE: "100",
      RATE_LIMIT_ORG_PER_MINUTE: "0",
      RATE_LIMIT_SSO_PER_MINUTE: "30",
      HTTP_HEADERS_TIMEOUT_SECONDS: "0.5",
      HTTP_REQUEST_TIMEOUT_SECONDS: "2",
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: "65",
      TRUST_PROXY: "loopback, 10.0.0.0/8, fd00::/8",
    });
    expect(config).toEqual({
      port: 9000,
      publicUrl: "https://scim.example.com",
      databaseUrl: "postgresql://u:p@db:5432/scim",
      dataDir: "/var/lib/scim-gate",
      adminToken: "0123456789abcdef",
      logLevel: "debug",
      dnsServers: ["127.0.0.1:5353", "[::1]:53"],
      rateLimits: { windowSeconds: 60, perToken: 100, perOrg: 0, perSsoClient: 30 },
      httpTimeouts: { headersMs: 500, requestMs: 2_000, keepAliveMs: 65_000 },
      trustProxy: ["loopback", "10.0.0.0/8", "fd00::/8"],
    });
  });

  it("scales the per-minute rate limits to RATE_LIMIT_WINDOW_SECONDS, never below 1 unless off", () => {
    expect(parseConfig({ RATE_LIMIT_WINDOW_SECONDS: "10", RATE_LIMIT_TOKEN_PER_MINUTE: "600", RATE_LIMIT_ORG_PER_MINUTE: "1", RATE_LIMIT_SSO_PER_MINUTE: "0" }).rateLimits).toEqual({
      windowSeconds: 10,
      perToken: 100,
      perOrg: 1,
      perSsoClient: 0,
    });
    expect(parseConfig({ RATE_LIMIT_WINDOW_SECONDS: "3600", RATE_LIMIT_TOKEN_PER_MINUTE: "5" }).rateLimits.perToken).toBe(300);
  });

  it("reads TRUST_PROXY as a hop count, and refuses true (anyone could pick their own address)", () => {
    expect(parseConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(parseConfig({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(problemsOf({ TRUST_PROXY: "true" })).toEqual([expect.stringMatching(/^TRUST_PROXY must be/)]);
    expect(problemsOf({ TRUST_PROXY: "10.0.0.0/33" })).toEqual([expect.stringMatching(/^TRUST_PROXY must be/)]);
  });

  it("refuses a header timeout longer than the request timeout", () => {
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_SECONDS: "30", HTTP_REQUEST_TIMEOUT_SECONDS: "20" })).toEqual([
      "HTTP_HEADERS_TIMEOUT_SECONDS must not exceed HTTP_REQUEST_TIMEOUT_SECONDS",
    ]);
  });

  it("refuses a DNS server that is not an IP address", () => {
    expect(problemsOf({ DNS_SERVERS: "dns.example.com" })).toEqual([expect.stringContaining("must be an IP address")]);
  });

  it("returns a frozen object", () => {
    expect(Object.isFrozen(parseConfig({}))).toBe(true);
  });

  it("refuses an ADMIN_TOKEN shorter than 16 characters and accepts 16", () => {
    expect(problemsOf({ ADMIN_TOKEN: "0123456789abcde" })).toEqual([expect.stringContaining("ADMIN_TOKEN must be at least 16")]);
    expect(parseConfig({ ADMIN_TOKEN: "0123456789abcdef" }).adminToken).toBe("0123456789abcdef");
  });

  it.each([
    ["PORT", "http"],
    ["PORT", "-1"],
    ["PORT", "65536"],
    ["PORT", "80.5"],
    ["PUBLIC_URL", "not a url"],
    ["PUBLIC_URL", "ftp://scim.example.com"],
    ["DATABASE_URL", "mysql://db/scim"],
    ["LOG_LEVEL", "verbose"],
    ["RATE_LIMIT_WINDOW_SECONDS", "0"],
    ["RATE_LIMIT_WINDOW_SECONDS", "3601"],
    ["RATE_LIMIT_TOKEN_PER_MINUTE", "-1"],
    ["RATE_LIMIT_ORG_PER_MINUTE", "lots"],
    ["RATE_LIMIT_SSO_PER_MINUTE", "1.5"],
    ["HTTP_HEADERS_TIMEOUT_SECONDS", "0"],
    ["HTTP_REQUEST_TIMEOUT_SECONDS", "1h"],
    ["HTTP_KEEP_ALIVE_TIMEOUT_SECONDS", "-5"],
    ["TRUST_PROXY", "proxy.example.com"],
  ])("refuses %s=%s and names the variable", (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
  });

  it("does not echo a refused DATABASE_URL, which may hold a password", () => {
    expect(problemsOf({ DATABASE_URL: "mysql://admin:hunter2@db/scim" }).join("\n")).not.toContain("hunter2");
  });

  it("reports every invalid value at once, in one error message", () => {
    let error: unknown;
    try {
      parseConfig({ PORT: "abc", PUBLIC_URL: "ftp://x", DATABASE_URL: "sqlite://db", ADMIN_TOKEN: "short", LOG_LEVEL: "loud" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(5);
    for (const name of ["PORT", "PUBLIC_URL", "DATABASE_URL", "ADMIN_TOKEN", "LOG_LEVEL"]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
      expect(message).toContain(name);
    }
  });
});
