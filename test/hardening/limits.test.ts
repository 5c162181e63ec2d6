// The documented limits (README "Limits"), each checked for what a client gets:
// request body size on every door, filter length and nesting, the page size
// advertised in /ServiceProviderConfig, header size, and the timeouts that cut
// off slow clients (slowloris), the last ones on a real server process over
// raw sockets, since they live in Node's HTTP server, not in the app.
import { connect, type Socket } from "node:net";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from "../../server/scim/filter/index.ts";
import { MAX_COUNT } from "../../server/scim/list-params.ts";
import { MAX_BODY_BYTES } from "../../server/scim/router.ts";
import { ENGINES } from "../support/engines.ts";
import { healthy } from "../support/local-http.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { startTestServer, type TestOrg, type TestServer } from "../support/server.ts";

const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

describe.each(ENGINES)("request limits on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Limits");
  });
  afterAll(async () => {
    await server.close();
  });

  it(`refuses a SCIM body over ${MAX_BODY_BYTES} bytes with 413 and a SCIM error`, async () => {
    const body = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "big", pad: "x".repeat(MAX_BODY_BYTES) });
    const res = await org.scim("post", "/Users").send(body).expect(413);
    expect(res.headers["content-type"]).toMatch(/^application\/scim\+json/);
    expect(res.body).toEqual({ schemas: [SCIM_ERROR], status: "413", detail: `The request body is larger than the ${MAX_BODY_BYTES} bytes this server accepts` });
  });

  it("refuses an operator API body over 1 MiB with 413 and a JSON error", async () => {
    const res = await server.admin("post", "/orgs").set("Content-Type", "application/json").send(JSON.stringify({ name: "x".repeat(1_100_000) })).expect(413);
    expect(res.body).toEqual({ error: "too_large", message: "The request body is too large" });
  });

  it("refuses a SAML response over 1 MiB at the ACS with 413 and a JSON error", async () => {
    const res = await supertest(server.app)
      .post(`/sso/${org.id}/acs`)
      .type("form")
      .send(`SAMLResponse=${"A".repeat(1_100_000)}`)
      .expect(413);
    expect(res.body).toEqual({ error: "too_large", message: "The request body is too large" });
  });

  it(`refuses a filter over ${MAX_FILTER_LENGTH} characters or nested deeper than ${MAX_FILTER_DEPTH} levels with 400 invalidFilter`, async () => {
    const long = `userName eq "${"a".repeat(MAX_FILTER_LENGTH)}"`;
    const tooLong = await org.scim("post", "/Users/.search").send({ filter: long }).expect(400);
    expect(tooLong.body).toMatchObject({ scimType: "invalidFilter", detail: `filter is ${long.length} characters long; the limit is ${MAX_FILTER_LENGTH}` });

    const nested = (depth: number) => `${"(".repeat(depth)}userName eq "a"${")".repeat(depth)}`;
    await org.scim("get", "/Users").query({ filter: nested(MAX_FILTER_DEPTH - 1) }).expect(200);
    const tooDeep = await org.scim("get", "/Users").query({ filter: nested(MAX_FILTER_DEPTH + 1) }).expect(400);
    expect(tooDeep.body).toMatchObject({ scimType: "invalidFilter", detail: expect.stringContaining(`nested deeper than ${MAX_FILTER_DEPTH} levels`) });
  });

  it(`advertises the page-size cap of ${MAX_COUNT} in /ServiceProviderConfig and reads a larger count as the cap`, async () => {
    const spc = (await org.scim("get", "/ServiceProviderConfig").expect(200)).body;
    expect(spc.filter.maxResults).toBe(MAX_COUNT);
    expect(spc.pagination.maxPageSize).toBe(MAX_COUNT);
    // Accepted, not refused: RFC 7644 §3.4.2.4 lets the server return fewer than asked.
    await org.scim("get", "/Users").query({ count: MAX_COUNT * 10 }).expect(200);
  });
});

/** What one raw connection saw: the bytes the server sent and whether it closed the connection. */
interface RawConnection {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
}

function open(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    socket.on("data", (c: Buffer) => (received += c.toString("latin1")));
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.once("error", () => undefined);
    socket.once("connect", () => resolve({ socket, received: () => received, closed }));
    socket.once("error", reject);
  });
}

/** Writes `chunk` every `everyMs` until the server closes the connection; returns how many were written. */
async function drip(conn: RawConnection, chunk: string, everyMs: number, maxChunks: number): Promise<number> {
  let closed = false;
  void conn.closed.then(() => (closed = true));
  let written = 0;
  while (!closed && written < maxChunks) {
    if (!conn.socket.writable) break;
    conn.socket.write(chunk);
    written++;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return written;
}

// PGlite in the process's own working directory: these limits do not depend on the database.
describe("connection limits of a real server process", () => {
  const adminToken = "limits-admin-token-0123456789abcdef";
  let proc: ServerProcess;
  beforeAll(async () => {
    proc = await startServerProcess({
      databaseUrl: "",
      adminToken,
      env: { HTTP_HEADERS_TIMEOUT_SECONDS: "1", HTTP_REQUEST_TIMEOUT_SECONDS: "2", HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: "1" },
    });
  }, 120_000);
  afterAll(async () => {
    await proc?.stop();
  });

  it("answers 431 to a header block over 16 KiB, closes that connection, and keeps serving", async () => {
    const fits = await open(proc.url);
    fits.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(15 * 1024)}\r\nConnection: close\r\n\r\n`);
    await fits.closed;
    expect(fits.received()).toMatch(/^HTTP\/1\.1 200 /);

    const big = await open(proc.url);
    big.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${"a".repeat(17 * 1024)}\r\n\r\n`);
    await big.closed;
    expect(big.received()).toMatch(/^HTTP\/1\.1 431 /);
    expect(await healthy(proc.url)).toBe(true);
  });

  it("cuts off a client that sends its headers a few bytes at a time (slowloris) with 408, while serving others", async () => {
    const slow = await open(proc.url);
    slow.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    const dripping = drip(slow, "X-Slow: 1\r\n", 100, 300);
    // Others are served meanwhile.
    expect(await healthy(proc.url)).toBe(true);
    const written = await dripping;
    await slow.closed;
    expect(written).toBeLessThan(300); // the server closed it, the drip did not run out
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  }, 40_000);

  it("cuts off a client that sends its body a few bytes at a time with 408", async () => {
    const slow = await open(proc.url);
    slow.socket.write(
      `POST /admin/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${adminToken}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":"`,
    );
    const written = await drip(slow, "a", 100, 300);
    await slow.closed;
    expect(written).toBeLessThan(300);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(await healthy(proc.url)).toBe(true);
  }, 40_000);

  it("closes a keep-alive connection left idle after a response", async () => {
    const idle = await open(proc.url);
    idle.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await idle.closed; // the test's timeout bounds this wait
    expect(idle.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(idle.received()).toMatch(/\r\nKeep-Alive: timeout=1\r\n/i);
  });
});
