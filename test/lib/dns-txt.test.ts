// The TXT resolver against a real DNS server on the loopback (test/support/dns-server.ts).
import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTxtResolver, DnsLookupError, parseDnsServers, type TxtResolver } from "../../server/lib/dns-txt.ts";
import { startDnsServer, type TestDnsServer } from "../support/dns-server.ts";

describe("createTxtResolver against a loopback DNS server", () => {
  let dns: TestDnsServer;
  let resolveTxt: TxtResolver;
  beforeAll(async () => {
    dns = await startDnsServer();
    resolveTxt = createTxtResolver([dns.address], { timeoutMs: 500, tries: 1 });
  });
  afterAll(async () => {
    await dns.stop();
  });

  it("returns the one TXT record published at a name", async () => {
    dns.setTxt("_scim-gate-challenge.found.test", ["scim-gate-verification=abc"]);
    await expect(resolveTxt("_scim-gate-challenge.found.test")).resolves.toEqual(["scim-gate-verification=abc"]);
  });

  it("returns every TXT record at a name", async () => {
    dns.setTxt("several.test", ["v=spf1 -all", "google-site-verification=xyz", "scim-gate-verification=abc"]);
    const values = await resolveTxt("several.test");
    expect([...values].sort()).toEqual(["google-site-verification=xyz", "scim-gate-verification=abc", "v=spf1 -all"]);
  });

  it("joins the character-strings of one record into one value", async () => {
    dns.setTxt("chunked.test", [["scim-gate-", "verification=", "abc"]]);
    await expect(resolveTxt("chunked.test")).resolves.toEqual(["scim-gate-verification=abc"]);
  });

  it("joins a record longer than 255 bytes that the server had to split", async () => {
    const long = `k=${"x".repeat(300)}`;
    dns.setTxt("long.test", [long]);
    await expect(resolveTxt("long.test")).resolves.toEqual([long]);
  });

  it("looks names up case-insensitively, as DNS does", async () => {
    dns.setTxt("mixed.test", ["v"]);
    await expect(resolveTxt("MiXeD.Test")).resolves.toEqual(["v"]);
  });

  it("answers [] for a name that does not exist (NXDOMAIN)", async () => {
    await expect(resolveTxt("_scim-gate-challenge.nowhere.test")).resolves.toEqual([]);
  });

  it("answers [] for a name that exists without TXT records (NODATA)", async () => {
    dns.setTxt("empty.test", []);
    await expect(resolveTxt("empty.test")).resolves.toEqual([]);
  });

  it("throws DnsLookupError naming the lookup and the reason on SERVFAIL", async () => {
    dns.failWith("broken.test", "SERVFAIL");
    const err = await resolveTxt("broken.test").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsLookupError);
    expect((err as DnsLookupError).code).toBe("ESERVFAIL");
    expect((err as Error).message).toBe("DNS TXT lookup of broken.test failed: the DNS server answered SERVFAIL");
  });

  it("throws DnsLookupError on REFUSED", async () => {
    dns.failWith("refused.test", "REFUSED");
    await expect(resolveTxt("refused.test")).rejects.toThrow(/refused\.test failed: the DNS server refused the query/);
  });
});

describe("createTxtResolver against a server that never answers", () => {
  let silent: Socket;
  let address: string;
  beforeAll(async () => {
    silent = createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    address = `127.0.0.1:${silent.address().port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("gives up after the configured timeout and tries with a clear error", async () => {
    const resolveTxt = createTxtResolver([address], { timeoutMs: 200, tries: 1 });
    const started = Date.now();
    const err = await resolveTxt("slow.test").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsLookupError);
    expect((err as Error).message).toBe("DNS TXT lookup of slow.test failed: the DNS server did not answer in time");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("DNS server configuration", () => {
  it("accepts IPv4 and IPv6 addresses with or without a port", () => {
    expect(parseDnsServers(" 127.0.0.1:5353, 9.9.9.9 ,[::1]:53,::1")).toEqual({
      servers: ["127.0.0.1:5353", "9.9.9.9", "[::1]:53", "::1"],
      problems: [],
    });
  });

  it("treats an empty value as the system resolvers", () => {
    expect(parseDnsServers("")).toEqual({ servers: [], problems: [] });
    expect(parseDnsServers(undefined)).toEqual({ servers: [], problems: [] });
  });

  it("reports every server that is not an IP address with a port in range", () => {
    const { problems } = parseDnsServers("localhost:53,127.0.0.1:99999,1.2.3.4:x,127.0.0.1:53");
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/"localhost:53" must be an IP address/);
  });

  it("refuses a host name at creation, before any lookup", () => {
    expect(() => createTxtResolver(["dns.example:53"])).toThrow(/"dns.example:53" must be an IP address/);
  });
});
