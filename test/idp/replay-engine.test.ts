// The replay engine finds what is wrong: wrong values, wrong statuses, ids that
// paging never shows, ids no step captured, a server that cannot be reached.
// Against a real server over real HTTP.
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTranscript, replayTranscript, type Transcript } from "../../server/idp-replay/index.ts";
import { ENGINES } from "../support/engines.ts";
import { startTestServer, type TestOrg, type TestServer } from "../support/server.ts";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

function transcript(steps: unknown[]): Transcript {
  return parseTranscript({ provider: "test", title: "test", source: ["https://example.test/doc"], requires: {}, steps });
}

const createAlice = (expectBody: Record<string, unknown>) => ({
  name: "create alice",
  request: {
    method: "POST",
    path: "/Users",
    body: { schemas: [USER], userName: "alice.{{run}}@{{domain}}", emails: [{ value: "alice.{{run}}@{{domain}}", type: "work", primary: true }] },
  },
  expect: { status: 201, body: expectBody },
  capture: { "user.alice.id": "id" },
});

describe.each(ENGINES)("replay engine against a server on %s", (engine) => {
  let server: TestServer;
  let listener: Server;
  let scimUrl: string;
  let org: TestOrg;
  const replay = (t: Transcript, extra: { url?: string } = {}) =>
    replayTranscript({ transcript: t, url: extra.url ?? scimUrl, token: org.token, domain: org.domain, pageSize: 1 });

  beforeAll(async () => {
    server = await startTestServer(engine);
    listener = server.app.listen(0, "127.0.0.1");
    await once(listener, "listening");
    scimUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/scim/v2`;
    org = await server.newOrg("Engine", { domain: "engine.test" });
  });
  afterAll(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    await server.close();
  });

  it("passes a step whose expectations hold and captures ids for later steps", async () => {
    const result = await replay(
      transcript([
        createAlice({ id: "$string", active: true }),
        { name: "read", request: { method: "GET", path: "/Users/{{user.alice.id}}" }, expect: { status: 200, body: { id: "{{user.alice.id}}" } } },
      ]),
    );
    expect(result.steps.map((s) => [s.passed, s.status])).toEqual([[true, 201], [true, 200]]);
    expect(result).toMatchObject({ passed: 2, failed: 0 });
  });

  it("reports each field that differs, with where it is", async () => {
    const result = await replay(transcript([createAlice({ active: false, title: "$string" })]));
    expect(result.steps[0]).toMatchObject({ passed: false, status: 201 });
    expect(result.steps[0]!.differences).toEqual([
      { path: "body.active", expected: "false", actual: "true" },
      { path: "body.title", expected: "any string", actual: "absent" },
    ]);
  });

  it("reports a wrong status with the server's own error detail, and does not send steps that need what it failed to capture", async () => {
    const result = await replay(
      transcript([
        {
          name: "create in an unverified domain",
          request: { method: "POST", path: "/Users", body: { schemas: [USER], userName: "x.{{run}}@elsewhere.test" } },
          expect: { status: 201 },
          capture: { "user.x.id": "id" },
        },
        { name: "read", request: { method: "GET", path: "/Users/{{user.x.id}}" }, expect: { status: 200 } },
      ]),
    );
    const [create, read] = result.steps;
    expect(create).toMatchObject({ passed: false, status: 400, expectedStatus: 201 });
    expect(create!.serverDetail).toMatch(/^invalidValue: .*elsewhere\.test/);
    expect(create!.differences[0]).toEqual({ path: "status", expected: "201", actual: "400" });
    expect(read).toMatchObject({ passed: false, requests: 0 });
    expect(read!.error).toBe("not sent: needs {{user.x.id}}, which no earlier step captured");
  });

  it("pages through every resource and fails when an expected id never shows up", async () => {
    const result = await replay(
      transcript([
        createAlice({ id: "$string" }),
        {
          name: "page",
          request: { method: "GET", path: "/Users" },
          paging: { count: 100, expectIds: ["{{user.alice.id}}", "{{uuid.nobody}}"] },
          expect: { status: 200 },
        },
      ]),
    );
    const page = result.steps[1]!;
    expect(page.requests).toBeGreaterThan(1);
    expect(page.path).toMatch(/^\/Users\?startIndex=1&count=1 … \(\d+ pages of 1\)$/);
    expect(page.differences).toEqual([{ path: "pages", expected: expect.stringMatching(/^id [0-9a-f-]{36} on some page$/), actual: "not seen" }]);
  });

  it("says so when the server cannot be reached", async () => {
    const probe = transcript([{ name: "probe", request: { method: "GET", path: "/Users?count=1" }, expect: { status: 200 } }]);
    const closed = server.app.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await replay(probe, { url: `http://127.0.0.1:${port}/scim/v2` });
    expect(result.steps[0]).toMatchObject({ passed: false, requests: 1 });
    expect(result.steps[0]!.error).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+\/scim\/v2: ECONNREFUSED/);
  });

  it("sends the organization's bearer token: another token sees a 401", async () => {
    const result = await replayTranscript({
      transcript: transcript([{ name: "probe", request: { method: "GET", path: "/Users?count=1" }, expect: { status: 200 } }]),
      url: scimUrl,
      token: "scim_not-a-real-token",
      domain: org.domain,
    });
    expect(result.steps[0]).toMatchObject({ passed: false, status: 401 });
  });
});
