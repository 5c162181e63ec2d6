// The operator CLI: runCli against a real server on an ephemeral port (no mocks),
// `migrate` on a real database, and the bin launcher as a real process.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrations } from "../../schema/migrations/index.ts";
import { runCli } from "../../server/cli/run-cli.ts";
import { createThrowawayDatabase, ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/server.ts";

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  requests: string[];
}

/** Runs the CLI in-process with captured output; `requests` records every HTTP call it made. */
async function cli(argv: string[], env: Record<string, string | undefined>, send: typeof fetch = fetch): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const requests: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    requests.push(`${init?.method ?? "GET"} ${String(input)}`);
    return send(input, init);
  };
  const code = await runCli(argv, {
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    fetch: recordingFetch,
  });
  return { code, stdout, stderr, requests };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe.each(ENGINES)("scim-gate CLI against a server on %s", (engine) => {
  let server: TestServer;
  let listener: Server;
  let url: string;
  let env: Record<string, string>;
  const run = (...argv: string[]) => cli(argv, env);
  const scimAs = (token: string) => supertest(server.app).get("/scim/v2/Users").set("Authorization", `Bearer ${token}`);

  beforeAll(async () => {
    server = await startTestServer(engine);
    listener = server.app.listen(0, "127.0.0.1");
    await once(listener, "listening");
    url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    env = { SCIM_GATE_URL: url, ADMIN_TOKEN };
  });
  afterAll(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    await server.close();
  });

  describe("organizations", () => {
    it("orgs create prints the new id, and orgs get and orgs list show it", async () => {
      const created = await run("orgs", "create", "Acme Corp");
      expect(created).toMatchObject({ code: 0, stderr: "" });
      expect(created.stdout).toContain('Created organization "Acme Corp"');
      const id = UUID.exec(created.stdout)![0];

      const got = await run("orgs", "get", id);
      expect(got.code).toBe(0);
      expect(got.stdout).toMatch(new RegExp(`id: +${id}\\nname: +Acme Corp\\n`));

      const listed = await run("orgs", "list");
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^ID +NAME +CREATED\n/);
      expect(listed.stdout).toMatch(new RegExp(`${id} +Acme Corp +\\d{4}-`));
    });

    it("--json prints the server's documents, parseable, on stdout only", async () => {
      const created = await run("--json", "orgs", "create", "Json Inc");
      expect(created.stderr).toBe("");
      const org = JSON.parse(created.stdout) as { id: string; name: string };
      expect(org).toEqual({ id: expect.stringMatching(UUID), name: "Json Inc", createdAt: expect.any(String) });
      const got = JSON.parse((await run("orgs", "get", org.id, "--json")).stdout);
      expect(got).toEqual(org);
      const listed = JSON.parse((await run("orgs", "list", "--json")).stdout) as { orgs: { id: string }[] };
      expect(listed.orgs).toContainEqual(org);
    });

    it("never writes control characters from a stored name to the terminal", async () => {
      const created = await run("orgs", "create", "Evil\u001b[2J\u0007Corp");
      expect(created.code).toBe(0);
      const listed = await run("orgs", "list");
      expect(created.stdout + listed.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(listed.stdout).toContain("Evil\uFFFD[2J\uFFFDCorp");
    });
  });

  describe("SCIM tokens", () => {
    let orgId: string;
    beforeAll(async () => {
      orgId = JSON.parse((await run("orgs", "create", "Token Co", "--json")).stdout).id;
    });

    it("tokens create prints a working secret once, with a warning that it is shown only now", async () => {
      const created = await run("tokens", "create", orgId, "--label", "Entra ID");
      expect(created.code).toBe(0);
      const secret = /token: +(\S+)/.exec(created.stdout)![1]!;
      expect(created.stdout).toContain("SCIM URL:  https://scim.test/scim/v2");
      expect(created.stderr).toMatch(/only time the token is shown/);
      await scimAs(secret).expect(200);
    });

    it("tokens list shows label and use but never a secret", async () => {
      const created = JSON.parse((await run("tokens", "create", orgId, "--label", "Okta", "--json")).stdout) as {
        id: string;
        token: string;
      };
      const before = await run("tokens", "list", orgId);
      expect(before.code).toBe(0);
      expect(before.stdout).toMatch(/^ID +LABEL +CREATED +LAST USED\n/);
      expect(before.stdout).toMatch(new RegExp(`${created.id} +Okta +\\S+ +never\\n`));
      expect(before.stdout).not.toContain(created.token);

      await scimAs(created.token).expect(200);
      const after = await run("tokens", "list", orgId, "--json");
      const listed = JSON.parse(after.stdout) as { tokens: { id: string; lastUsedAt: string | null }[] };
      expect(listed.tokens.find((t) => t.id === created.id)?.lastUsedAt).toEqual(expect.any(String));
      expect(after.stdout).not.toContain(created.token);
    });

    it("tokens create --json keeps stdout pure JSON and still warns on stderr", async () => {
      const created = await run("tokens", "create", orgId, "--label", "Google", "--json");
      const body = JSON.parse(created.stdout) as Record<string, unknown>;
      expect(body).toMatchObject({ label: "Google", token: expect.stringMatching(/^scim_/), scimUrl: "https://scim.test/scim/v2" });
      expect(created.stderr).toMatch(/only time the token is shown/);
    });

    it("tokens revoke revokes at once: the next SCIM request with the token is refused", async () => {
      const created = JSON.parse((await run("tokens", "create", orgId, "--label", "Temp", "--json")).stdout) as {
        id: string;
        token: string;
      };
      await scimAs(created.token).expect(200);
      const revoked = await run("tokens", "revoke", orgId, created.id);
      expect(revoked).toMatchObject({ code: 0, stdout: `Revoked SCIM token ${created.id}\n` });
      await scimAs(created.token).expect(401);
      expect((await run("tokens", "list", orgId)).stdout).not.toContain(created.id);
    });

    it("tokens revoke --json reports what was revoked", async () => {
      const created = JSON.parse((await run("tokens", "create", orgId, "--label", "Temp2", "--json")).stdout) as { id: string };
      const revoked = await run("tokens", "revoke", orgId, created.id, "--json");
      expect(JSON.parse(revoked.stdout)).toEqual({ id: created.id, revoked: true });
    });
  });

  describe("errors", () => {
    it("prints the server's message and exits 1 for an unknown organization", async () => {
      const res = await run("orgs", "get", "00000000-0000-7000-8000-000000000000");
      expect(res).toMatchObject({ code: 1, stdout: "" });
      expect(res.stderr).toBe('scim-gate: Organization "00000000-0000-7000-8000-000000000000" not found (HTTP 404)\n');
    });

    it("reports a server error as JSON on stderr with --json", async () => {
      const res = await run("tokens", "revoke", "00000000-0000-7000-8000-000000000000", "x", "--json");
      expect(res.code).toBe(1);
      expect(JSON.parse(res.stderr)).toEqual({ error: "not_found", message: expect.stringContaining("not found"), status: 404 });
    });

    it("prints the server's refusal of a wrong admin token and exits 1", async () => {
      const res = await cli(["orgs", "list"], { SCIM_GATE_URL: url, ADMIN_TOKEN: "wrong-token-0123456789" });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain("Authorization: Bearer <ADMIN_TOKEN> is required (HTTP 401)");
    });

    it("refuses to call the server without an admin token (exit 2, no request made)", async () => {
      const res = await cli(["orgs", "list"], { SCIM_GATE_URL: url });
      expect(res).toMatchObject({ code: 2, requests: [] });
      expect(res.stderr).toContain("set ADMIN_TOKEN");
    });

    it("--url and --admin-token override the environment", async () => {
      const res = await cli(["orgs", "list", "--url", `${url}/`, "--admin-token", ADMIN_TOKEN], {
        SCIM_GATE_URL: "http://127.0.0.1:9/",
        ADMIN_TOKEN: "wrong-token-0123456789",
      });
      expect(res.code).toBe(0);
      expect(res.requests).toEqual([`GET ${url}/admin/v1/orgs`]);
    });

    it("defaults to http://localhost:8080 when neither --url nor SCIM_GATE_URL is set", async () => {
      // Answered by a stub: whatever listens on this machine's port 8080 is not part of the test.
      const stub: typeof fetch = async () => Response.json({ orgs: [] });
      const res = await cli(["orgs", "list"], { ADMIN_TOKEN, SCIM_GATE_URL: "" }, stub);
      expect(res.requests).toEqual(["GET http://localhost:8080/admin/v1/orgs"]);
      expect(res.code).toBe(0);
    });

    it("exits 1 naming the URL when the server cannot be reached", async () => {
      const closed = server.app.listen(0, "127.0.0.1");
      await once(closed, "listening");
      const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
      await new Promise((resolve) => closed.close(resolve));
      const res = await cli(["orgs", "list"], { SCIM_GATE_URL: deadUrl, ADMIN_TOKEN });
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`scim-gate: cannot reach ${deadUrl}: ECONNREFUSED\n`);
    });

    it.each([
      [["orgs", "create"], /missing <name>/],
      [["orgs", "get", "a", "b"], /unexpected argument "b"/],
      [["tokens", "create", "some-org"], /--label <label> is required/],
      [["orgs", "list", "--label", "x"], /--label does not apply to "orgs list"/],
      [["orgs", "delete", "x"], /unknown command "orgs delete"/],
      [["orgs"], /"orgs" needs a command: create, get, list/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["orgs", "list", "--bogus"], /Unknown option '--bogus'/],
      [["orgs", "list", "--url", "ftp://x"], /--url must be an http\(s\) URL/],
      [[], /no command given/],
    ])("exits 2 without calling the server for a usage mistake: %j", async (argv, message) => {
      const res = await run(...argv);
      expect(res).toMatchObject({ code: 2, stdout: "", requests: [] });
      expect(res.stderr).toMatch(message);
      expect(res.stderr).toMatch(/Run "scim-gate .*--help" for usage/);
    });
  });

  describe("help", () => {
    it("--help lists every command and the global options, exit 0", async () => {
      const res = await run("--help");
      expect(res).toMatchObject({ code: 0, stderr: "", requests: [] });
      for (const usage of [
        "orgs create <name>",
        "orgs get <org>",
        "orgs list",
        "tokens create <org> --label <label>",
        "tokens list <org>",
        "tokens revoke <org> <token-id>",
        "migrate",
        "--url <url>",
        "--admin-token <token>",
        "--json",
      ]) {
        expect(res.stdout).toContain(usage);
      }
    });

    it("<command> --help and help <command> show that command's usage", async () => {
      const flag = await run("tokens", "create", "--help");
      expect(flag).toMatchObject({ code: 0, requests: [] });
      expect(flag.stdout).toMatch(/^Usage: scim-gate tokens create <org> --label <label> \[options\]\n/);
      const word = await run("help", "tokens", "create");
      expect(word.stdout).toBe(flag.stdout);
      expect((await run("migrate", "-h")).stdout).toContain("DATABASE_URL");
    });

    it("a group's --help lists its commands", async () => {
      const res = await run("tokens", "--help");
      expect(res.code).toBe(0);
      expect(res.stdout).toContain("tokens create <org> --label <label>");
      expect(res.stdout).toContain("tokens revoke <org> <token-id>");
      expect(res.stdout).not.toContain("orgs list");
    });
  });

  describe("migrate", () => {
    const names = Object.keys(migrations);
    let databaseEnv: Record<string, string>;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      if (engine === "postgres") {
        const { url: databaseUrl, drop } = await createThrowawayDatabase("scimcli");
        databaseEnv = { DATABASE_URL: databaseUrl };
        cleanup = drop;
      } else {
        const dir = await mkdtemp(join(tmpdir(), "scim-gate-cli-"));
        databaseEnv = { DATA_DIR: join(dir, "data") };
        cleanup = () => rm(dir, { recursive: true, force: true });
      }
    });
    afterAll(async () => {
      await cleanup();
    });

    it("applies every migration on a new database and prints each one", async () => {
      const res = await cli(["migrate"], databaseEnv);
      expect(res).toMatchObject({ code: 0, stderr: "", requests: [] });
      expect(res.stdout).toMatch(engine === "postgres" ? /^Database: PostgreSQL 127\.0\.0\.1:\d+\/scimcli_/ : /^Database: PGlite in \//);
      for (const name of names) expect(res.stdout).toMatch(new RegExp(`applied +${name}\\n`));
    });

    it("finds nothing to do the second time, and says so in JSON too", async () => {
      const res = await cli(["migrate"], databaseEnv);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain("Up to date: no migrations to run.");
      const json = await cli(["migrate", "--json"], databaseEnv);
      expect(JSON.parse(json.stdout)).toEqual({ engine, location: expect.any(String), migrations: [] });
    });

    it("never prints the password in DATABASE_URL", async () => {
      const res = await cli(["migrate"], { DATABASE_URL: "postgres://scim:hunter2@127.0.0.1:9/none" });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^scim-gate: cannot migrate PostgreSQL 127\.0\.0\.1:9\/none: /);
      expect(res.stdout + res.stderr).not.toContain("hunter2");
    });

    it("refuses an invalid DATABASE_URL as a usage error", async () => {
      const res = await cli(["migrate"], { DATABASE_URL: "mysql://db/scim" });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain("DATABASE_URL must start with postgres://");
    });
  });
});

describe("bin/scim-gate.mjs", () => {
  const bin = fileURLToPath(new URL("../../bin/scim-gate.mjs", import.meta.url));

  async function exec(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    // Run from an unrelated directory: the launcher must not depend on the caller's cwd.
    const child = spawn(process.execPath, [bin, ...args], { cwd: tmpdir(), env: { PATH: process.env.PATH } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const [code] = (await once(child, "close")) as [number | null];
    return { code, stdout, stderr };
  }

  it("runs as a real process from any directory: --help prints usage and exits 0", async () => {
    const res = await exec(["--help"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Usage: scim-gate [options] <command> [arguments]");
  });

  it("passes the CLI's exit status through to the shell", async () => {
    const res = await exec(["no-such-command"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown command "no-such-command"');
  });
});
