// `scim-gate import` and `scim-gate import template`: runCli against a real
// server on an ephemeral port (no mocks), files in a temporary directory.
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../server/cli/run-cli.ts";
import { ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, startTestServer, type TestOrg, type TestServer } from "../support/server.ts";

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const HEADER = "firstName,lastName,email,products";

describe.each(ENGINES)("scim-gate import against a server on %s", (engine) => {
  let server: TestServer;
  let listener: Server;
  let env: Record<string, string>;
  let dir: string;

  /** Runs the CLI in-process; `tty` makes stderr look like a terminal. */
  async function run(argv: string[], { tty = false } = {}): Promise<CliRun> {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, {
      env,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s), isTTY: tty },
      fetch,
    });
    return { code, stdout, stderr };
  }
  async function csvFile(name: string, ...rows: string[]): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, [HEADER, ...rows].join("\r\n") + "\r\n");
    return path;
  }
  const userNames = async (org: TestOrg) =>
    (await server.database.db.selectFrom("users").select("user_name").where("org_id", "=", org.id).orderBy("user_name").execute()).map(
      (u) => u.user_name,
    );

  beforeAll(async () => {
    server = await startTestServer(engine);
    await server.newOrg("First");
    listener = server.app.listen(0, "127.0.0.1");
    await once(listener, "listening");
    env = { SCIM_GATE_URL: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`, ADMIN_TOKEN };
    dir = await mkdtemp(join(tmpdir(), "scim-gate-import-"));
  });
  afterAll(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe("import template", () => {
    it("prints the template on stdout, and saves it with --out", async () => {
      const org = await server.newOrg("Template Co");
      const printed = await run(["import", "template", org.id]);
      expect(printed).toMatchObject({ code: 0, stderr: "" });
      expect(printed.stdout.split("\r\n")[0]).toBe(HEADER);

      const out = join(dir, "template.csv");
      const saved = await run(["import", "template", org.id, "--out", out]);
      expect(saved).toMatchObject({ code: 0, stdout: `Saved the import template to ${out}\n` });
      expect(await readFile(out, "utf8")).toBe(printed.stdout);
    });
  });

  describe("import", () => {
    it("creates the users, prints a report with their ids, and shows plain progress lines off a terminal", async () => {
      const org = await server.newOrg("Import Co");
      await server.admin("put", `/orgs/${org.id}/products/meeting`).send({ seats: 20 }).expect(200);
      const rows = Array.from({ length: 12 }, (_, i) => `User${i},Last,user${i}@${org.domain},meeting`);
      const res = await run(["import", org.id, await csvFile("twelve.csv", ...rows)]);
      expect(res.code).toBe(0);
      expect(res.stderr).toBe("importing: 10/12 rows\nimporting: 12/12 rows\n");
      expect(res.stdout).toMatch(/^ROW +EMAIL +RESULT +DETAILS\n/);
      expect(res.stdout).toMatch(new RegExp(`\\n2 +user0@${org.domain.replace(/\./g, "\\.")} +created +[0-9a-f-]{36}\\n`));
      expect(res.stdout).toMatch(/\nCreated 12 users\.\n$/);
      expect(await userNames(org)).toHaveLength(12);
      const granted = (await server.admin("get", `/orgs/${org.id}/products`).expect(200)).body.products;
      expect(granted).toEqual([{ key: "meeting", seats: 20, assigned: 12, pending: 0 }]);
    });

    it("draws a progress bar redrawn with \\r when stderr is a terminal", async () => {
      const org = await server.newOrg("Tty Co");
      const res = await run(["import", org.id, await csvFile("tty.csv", `A,B,a@${org.domain},`, `C,D,c@${org.domain},`)], { tty: true });
      expect(res.code).toBe(0);
      expect(res.stderr).toBe(
        `\rimporting [${"-".repeat(20)}] 0/2\rimporting [${"#".repeat(10)}${"-".repeat(10)}] 1/2\rimporting [${"#".repeat(20)}] 2/2\n`,
      );
    });

    it("refuses the whole file when a row fails: prints every row, exits 1, creates nobody", async () => {
      const org = await server.newOrg("Refused Co");
      const file = await csvFile("bad.csv", `Good,Row,good@${org.domain},`, `Bad,${"x".repeat(33)},bad@${org.domain},`);
      const res = await run(["import", org.id, file]);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/\n2 +good@\S+ +ok +\n/);
      expect(res.stdout).toMatch(/\n3 +bad@\S+ +error +lastName is longer than 32 characters\n/);
      expect(res.stdout).toContain("1 of 2 rows have errors; nothing was written.");
      expect(res.stderr).toMatch(/scim-gate: nothing was imported: 1 of 2 rows have errors; fix them and import again \(HTTP 422\)\n$/);
      expect(await userNames(org)).toEqual([]);
    });

    it("--preview checks every row and writes nothing: exit 0 when all would be created, 1 otherwise", async () => {
      const org = await server.newOrg("Preview Co");
      const good = await run(["import", org.id, await csvFile("good.csv", `A,B,a@${org.domain},`), "--preview"]);
      expect(good.code).toBe(0);
      expect(good.stdout).toMatch(/\n2 +a@\S+ +ok +\n/);
      expect(good.stdout).toContain("All 1 rows can be imported; nothing was written (preview).");
      expect(good.stderr).toBe("checking: 1/1 rows\n");

      const bad = await run(["import", org.id, await csvFile("dup.csv", `A,B,a@${org.domain},`, `A,B,A@${org.domain},`), "--preview"]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain("is a duplicate of row 2");
      expect(bad.stderr).toContain("scim-gate: 1 of 2 rows have errors (preview: nothing was written)");
      expect(await userNames(org)).toEqual([]);
    });

    it("--paste imports a pasted list, and --json prints the report alone on stdout", async () => {
      const org = await server.newOrg("Paste Co");
      const res = await run(["import", org.id, "--paste", `Jane Doe jane@${org.domain}; Jean van der Berg jean@${org.domain}`, "--json"]);
      expect(res.code).toBe(0);
      const report = JSON.parse(res.stdout);
      expect(report).toMatchObject({ mode: "apply", total: 2, ok: 2, failed: 0, rows: [{ row: 1, userId: expect.any(String) }, { row: 2 }] });
      expect(await userNames(org)).toEqual([`jane@${org.domain}`, `jean@${org.domain}`]);
    });

    it("prints the server's refusal of a file over 100 rows and exits 1", async () => {
      const org = await server.newOrg("Big Co");
      const rows = Array.from({ length: 101 }, (_, i) => `U,L,u${i}@${org.domain},`);
      const res = await run(["import", org.id, await csvFile("big.csv", ...rows)]);
      expect(res).toMatchObject({ code: 1, stdout: "" });
      expect(res.stderr).toMatch(/split the file into files of at most 100 users .*\(HTTP 400\)\n$/);
    });

    it("exits 1 naming a file it cannot read", async () => {
      const org = await server.newOrg("Missing Co");
      const res = await run(["import", org.id, join(dir, "nope.csv")]);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(`scim-gate: cannot read ${join(dir, "nope.csv")}: ENOENT\n`);
    });

    it.each([
      [["import", "00000000-0000-7000-8000-000000000000"], /missing <file> \(or --paste/],
      [["import", "00000000-0000-7000-8000-000000000000", "a.csv", "--paste", "A B a@x.com"], /either <file> or --paste, not both/],
      [["import", "00000000-0000-7000-8000-000000000000", "a.csv", "b.csv"], /unexpected argument "b.csv"/],
      [["import", "template", "00000000-0000-7000-8000-000000000000", "--preview"], /--preview does not apply to "import template"/],
    ])("exits 2 for a usage mistake: %j", async (argv, message) => {
      const res = await run(argv);
      expect(res).toMatchObject({ code: 2, stdout: "" });
      expect(res.stderr).toMatch(message);
    });

    it("--help shows both commands' usage", async () => {
      const all = await run(["--help"]);
      expect(all.stdout).toContain("import template <org> [options]");
      expect(all.stdout).toContain("import <org> [<file>] [options]");
      const one = await run(["import", "--help"]);
      expect(one.stdout).toMatch(/^Usage: scim-gate import <org> \[<file>\] \[--paste <paste>\] \[--preview\] \[options\]\n/);
    });
  });
});
