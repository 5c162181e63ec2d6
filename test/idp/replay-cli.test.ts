// `scim-gate replay` against a real server on an ephemeral port: an operator
// proves a setup (exit 0, a ✓ per step) or sees what differs (exit 1, ✗ and the diff).
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../server/cli/run-cli.ts";
import { ENGINES } from "../support/engines.ts";
import { startTestServer, type TestOrg, type TestServer } from "../support/server.ts";

async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    fetch,
  });
  return { code, stdout, stderr };
}

describe.each(ENGINES)("scim-gate replay against a server on %s", (engine) => {
  let server: TestServer;
  let listener: Server;
  let root: string;
  let org: TestOrg;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(engine);
    listener = server.app.listen(0, "127.0.0.1");
    await once(listener, "listening");
    root = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    org = await server.newOrg("Replay CLI", { domain: "replay-cli.test" });
    await server.admin("put", `/orgs/${org.id}/products/meeting`).send({ seats: 5 }).expect(200);
    dir = await mkdtemp(join(tmpdir(), "replay-cli-"));
  });
  afterAll(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("replays a provider by name, prints ✓ for every step and exits 0", async () => {
    const res = await cli(["replay", "okta", "--url", `${root}/scim/v2`, "--token", org.token, "--domain", org.domain]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Okta Lifecycle Management");
    expect(res.stdout).toContain("the organization needs: the verified domain replay-cli.test; products meeting (5 seats)");
    expect(res.stdout).toContain("not replayed: DELETE /Users/{id}");
    expect(res.stdout).toMatch(/^✓  3  POST \/Users → 201  assign alice: create her with an entitlement and a role$/m);
    expect(res.stdout).not.toContain("✗");
    expect(res.stdout).toMatch(/\n\d+ passed, 0 failed \(run [0-9a-f]{8}\)\n$/);
  });

  it("accepts the server's root URL and adds /scim/v2", async () => {
    const res = await cli(["replay", "google-workspace", "--url", root, "--token", org.token, "--domain", org.domain]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`against ${root}/scim/v2, verified domain`);
  });

  it("prints ✗ with what differed and the server's detail, and exits 1", async () => {
    const file = join(dir, "wrong.json");
    await writeFile(
      file,
      JSON.stringify({
        provider: "wrong",
        title: "A transcript that expects too much",
        source: ["https://example.test/doc"],
        requires: {},
        steps: [
          { name: "connection test", request: { method: "GET", path: "/Users?count=1" }, expect: { status: 200 } },
          {
            name: "create outside the verified domain",
            request: { method: "POST", path: "/Users", body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "x@elsewhere.test" } },
            expect: { status: 201, body: { id: "$string" } },
          },
        ],
      }),
    );
    const res = await cli(["replay", file, "--url", `${root}/scim/v2`, "--token", org.token, "--domain", org.domain]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^✓  1  GET \/Users\?count=1 → 200  connection test$/m);
    expect(res.stdout).toMatch(/^✗  2  POST \/Users → 400 \(expected 201\)  create outside the verified domain$/m);
    expect(res.stdout).toMatch(/^ {6}server said: invalidValue: .*elsewhere\.test/m);
    expect(res.stdout).toContain("      status: expected 201, got 400");
    expect(res.stdout).toContain("1 passed, 1 failed");
    expect(res.stderr).toMatch(/^scim-gate: 1 of 2 steps of wrong failed against http:\/\/127\.0\.0\.1:\d+\/scim\/v2\n$/);
  });

  it("--json prints the result document", async () => {
    const res = await cli(["replay", "jumpcloud", "--url", `${root}/scim/v2`, "--token", org.token, "--domain", org.domain, "--json"]);
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout);
    expect(result).toMatchObject({ provider: "jumpcloud", failed: 0 });
    expect(result.steps[0]).toMatchObject({ index: 1, passed: true, method: "GET", status: 200 });
  });

  it("refuses an unknown provider, naming the known ones, with exit 2", async () => {
    const res = await cli(["replay", "pingfederate", "--url", root, "--token", org.token, "--domain", org.domain]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no transcript for provider "pingfederate" (known: ad-connector, entra-id, google-workspace, jumpcloud, okta, onelogin)');
  });

  it("requires --token and --domain (exit 2, nothing sent)", async () => {
    const noToken = await cli(["replay", "okta", "--url", root, "--domain", org.domain]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("--token <token> is required");
    const noDomain = await cli(["replay", "okta", "--url", root, "--token", org.token]);
    expect(noDomain.code).toBe(2);
    expect(noDomain.stderr).toContain("--domain <domain> is required");
  });

  it("is listed in the overall help", async () => {
    const res = await cli(["--help"]);
    expect(res.stdout).toMatch(/replay <transcript> --token <token> --domain <domain> +Replay an identity provider's lifecycle/);
  });
});
