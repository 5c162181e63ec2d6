// The CLI's organization-model commands (users, groups, domains, products,
// audit): runCli against the real app listening on an ephemeral port, on a real
// database, with domain verification answered by a real (local) DNS server.
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { runCli } from "../../server/cli/run-cli.ts";
import { createTxtResolver } from "../../server/lib/dns-txt.ts";
import type { DatabaseHandle } from "../../server/storage/database.ts";
import { startDnsServer, type TestDnsServer } from "../support/dns-server.ts";
import { ENGINES, openTestDatabase } from "../support/engines.ts";
import { ADMIN_TOKEN, GROUP_SCHEMA, PUBLIC_URL, userBody } from "../support/server.ts";

type Doc = Record<string, any>;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  requests: string[];
}

describe.each(ENGINES)("scim-gate CLI: users, groups, domains, products, audit on %s", (engine) => {
  let database: DatabaseHandle;
  let dns: TestDnsServer;
  let listener: Server;
  let url: string;
  let app: ReturnType<typeof createApp>;
  let org: string;
  let token: string;
  // Fixed (each test file has its own database), so no search text can match it by chance.
  const domain = "cli-org.test";
  const users: Record<string, string> = {};
  let team: string;

  /** Runs the CLI in-process with captured output; `requests` records every HTTP call it made. */
  async function run(...argv: string[]): Promise<CliRun> {
    let stdout = "";
    let stderr = "";
    const requests: string[] = [];
    const code = await runCli(argv, {
      env: { SCIM_GATE_URL: url, ADMIN_TOKEN },
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      fetch: (input, init) => {
        requests.push(`${init?.method ?? "GET"} ${String(input)}`);
        return fetch(input, init);
      },
    });
    return { code, stdout, stderr, requests };
  }
  const json = async (...argv: string[]): Promise<Doc> => {
    const res = await run(...argv, "--json");
    expect(res).toMatchObject({ code: 0, stderr: "" });
    return JSON.parse(res.stdout);
  };
  const scim = (method: "post" | "get", path: string) =>
    supertest(app)[method](`/scim/v2${path}`).set("Authorization", `Bearer ${token}`).set("Content-Type", "application/scim+json");

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    dns = await startDnsServer();
    app = createApp({
      config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN },
      database,
      logger: pino({ level: "silent" }),
      resolveTxt: createTxtResolver([dns.address], { timeoutMs: 500, tries: 1 }),
    });
    listener = app.listen(0, "127.0.0.1");
    await once(listener, "listening");
    url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;

    org = (await json("orgs", "create", "Cli Corp")).id;
    const created = await run("tokens", "create", org, "--label", "IdP", "--json");
    token = JSON.parse(created.stdout).token; // (its "shown once" warning is on stderr)
    await json("domains", "add", org, domain, "--verified");
    await json("products", "set", org, "meeting", "--seats", "3");
    for (const [name, extra] of [
      ["amy", { displayName: "Amy Pond", entitlements: [{ value: "meeting" }] }],
      ["rory", { displayName: "Rory Williams" }],
      ["clara", { displayName: "Clara Oswald", active: false }],
    ] as const) {
      users[name] = (await scim("post", "/Users").send(userBody(name, extra, domain)).expect(201)).body.id;
    }
    const group = { schemas: [GROUP_SCHEMA], displayName: "TARDIS Crew", members: [{ value: users.amy }, { value: users.rory }] };
    team = (await scim("post", "/Groups").send(group).expect(201)).body.id;
  });
  afterAll(async () => {
    listener?.closeAllConnections();
    await new Promise((resolve) => listener?.close(resolve));
    await dns?.stop();
    await database?.close();
  });

  describe("users", () => {
    it("users list prints a table of every user with status, roles and products", async () => {
      const res = await run("users", "list", org);
      expect(res).toMatchObject({ code: 0, stderr: "" });
      expect(res.stdout).toMatch(/^ID +USER NAME +DISPLAY NAME +STATUS +ROLES +PRODUCTS\n/);
      expect(res.stdout).toMatch(new RegExp(`${users.amy} +amy +Amy Pond +active +user/member +meeting\\n`));
      expect(res.stdout).toMatch(new RegExp(`${users.clara} +clara +Clara Oswald +suspended +user/member +-\\n`));
      expect(res.stdout).not.toContain("More users");
    });

    it("users list passes each filter to the server and shows only what matches", async () => {
      const ids = async (...filters: string[]) => ((await json("users", "list", org, ...filters)).users as Doc[]).map((u) => u.id);
      expect(await ids("--q", "POND")).toEqual([users.amy]);
      expect(await ids("--status", "suspended")).toEqual([users.clara]);
      expect(await ids("--product", "meeting")).toEqual([users.amy]);
      expect(await ids("--group", team)).toEqual([users.amy, users.rory].sort());
      expect(await ids("--role", "user", "--status", "active", "--q", "RORY")).toEqual([users.rory]);
      const res = await run("users", "list", org, "--q", "a+b c", "--role", "member");
      expect(res.requests).toEqual([`GET ${url}/admin/v1/orgs/${org}/users?q=a%2Bb+c&role=member`]);
      expect(res.stdout).toBe("No users match.\n");
    });

    it("users list --limit pages and names the cursor of the next page", async () => {
      const first = await run("users", "list", org, "--limit", "2");
      const cursor = /More users: run the same command with --cursor (\S+)\n$/.exec(first.stdout)?.[1];
      expect(cursor).toBeDefined();
      const page = await json("users", "list", org, "--limit", "2", "--cursor", cursor!);
      expect(page).toEqual({ users: [expect.objectContaining({ userName: "clara" })], nextCursor: null });
    });

    it("users get shows the user's roles, products, groups and recent events", async () => {
      const res = await run("users", "get", org, users.amy!);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`id:            ${users.amy}\nuserName:      amy\ndisplayName:   Amy Pond\nstatus:        active\n`);
      expect(res.stdout).toContain(`emails:        amy@${domain} (work) primary\n`);
      expect(res.stdout).toContain("products:      meeting\ngroups:        TARDIS Crew\n");
      expect(res.stdout).toMatch(/Recent events:\nAT +ACTION +ACTOR\n\S+ +user\.created +scim-token:/);
      const doc = await json("users", "get", org, users.amy!);
      expect(doc).toMatchObject({ id: users.amy, groups: [{ id: team, displayName: "TARDIS Crew" }], recentAuditEvents: [expect.any(Object)] });
    });

    it("users suspend frees the seat (products list shows it) and users restore takes it back", async () => {
      const suspended = await run("users", "suspend", org, users.amy!);
      expect(suspended).toMatchObject({ code: 0, stderr: "" });
      expect(suspended.stdout).toBe(`Suspended amy (${users.amy})\n  status:    suspended\n  roles:     user / member\n  products:  -\n`);
      expect((await run("products", "list", org)).stdout).toMatch(/^KEY +SEATS +ASSIGNED +PENDING\nmeeting +3 +0 +0\n$/);
      const restored = await json("users", "restore", org, users.amy!);
      expect(restored).toMatchObject({ active: true, products: { granted: ["meeting"], pending: [] } });
      expect(await json("products", "list", org)).toEqual({ products: [{ key: "meeting", seats: 3, assigned: 1, pending: 0 }] });
    });

    it("users roles sets both role families and a manager's scope", async () => {
      const res = await run(
        "users", "roles", org, users.rory!,
        "--org-role", "admin-readonly", "--admin-role", "manager",
        "--manager-groups", team, "--manager-permissions", "users, audit",
      );
      expect(res).toMatchObject({ code: 0, stderr: "" });
      expect(res.stdout).toContain(`  roles:     admin-readonly / manager (groups: ${team}; permissions: users, audit)\n`);
      const doc = await json("users", "get", org, users.rory!);
      expect(doc.roles).toEqual({ orgRole: "admin-readonly", adminRole: "manager", managerScope: { groups: [team], permissions: ["users", "audit"] } });
    });

    it("the last super administrator cannot be suspended or deleted: exit 1 with the server's reason", async () => {
      await json("users", "roles", org, users.amy!, "--org-role", "admin", "--admin-role", "super-administrator");
      for (const command of ["suspend", "delete"]) {
        const res = await run("users", command, org, users.amy!);
        expect(res).toMatchObject({ code: 1, stdout: "" });
        expect(res.stderr).toMatch(/^scim-gate: amy is the organization's last super administrator and cannot be (suspended|deleted);.*\(HTTP 409\)\n$/);
      }
      const bad = await run("users", "roles", org, users.amy!, "--org-role", "owner", "--admin-role", "member");
      expect(bad).toMatchObject({ code: 1 });
      expect(bad.stderr).toContain("orgRole must be one of admin, admin-readonly, user (HTTP 400)");
    });

    it("users delete removes a user; --json says what was deleted", async () => {
      const id = (await scim("post", "/Users").send(userBody("temp", {}, domain)).expect(201)).body.id as string;
      expect(await run("users", "delete", org, id)).toMatchObject({ code: 0, stdout: `Deleted user ${id}\n` });
      const again = await run("users", "delete", org, id, "--json");
      expect(again.code).toBe(1);
      expect(JSON.parse(again.stderr)).toEqual({ error: "not_found", message: `User "${id}" not found`, status: 404 });
    });
  });

  describe("groups", () => {
    it("groups list shows member counts and searches with --q", async () => {
      const res = await run("groups", "list", org);
      expect(res.stdout).toMatch(new RegExp(`^ID +NAME +MEMBERS +EXTERNAL ID\\n${team} +TARDIS Crew +2 +-\\n$`));
      expect((await json("groups", "list", org, "--q", "nothing")).groups).toEqual([]);
      expect((await json("groups", "list", org, "--q", "tardis")).groups).toEqual([expect.objectContaining({ id: team, memberCount: 2 })]);
    });

    it("groups products shows, sets with --set, and clears with --set \"\"", async () => {
      expect((await run("groups", "products", org, team)).stdout).toBe(`Products of group ${team}: none\n`);
      const set = await run("groups", "products", org, team, "--set", "meeting");
      expect(set).toMatchObject({ code: 0, stdout: `Products set for group ${team}: meeting\n` });
      expect((await json("users", "get", org, users.rory!)).products.granted).toEqual(["meeting"]);
      expect(await json("groups", "products", org, team)).toEqual({ groupId: team, products: ["meeting"] });
      expect((await run("groups", "products", org, team, "--set", "")).stdout).toBe(`Products set for group ${team}: none\n`);
      const unknown = await run("groups", "products", org, team, "--set", "meeting,nope");
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('product "nope" does not exist in this organization');
    });
  });

  describe("domains", () => {
    it("domains add prints the TXT record to publish; verify fails until it is published, then succeeds", async () => {
      const name = `pending-${Date.now().toString(36)}.test`;
      const added = await run("domains", "add", org, name);
      expect(added.code).toBe(0);
      expect(added.stdout).toMatch(new RegExp(`^Added domain ${name} \\(pending\\)\\nTo verify it, publish this DNS TXT record`));
      const record = (await json("domains", "list", org)).domains.find((d: Doc) => d.name === name).txt;
      expect(added.stdout).toContain(`  name:   ${record.name}\n  value:  ${record.value}\n`);
      expect((await run("domains", "list", org)).stdout).toMatch(new RegExp(`${name} +pending +- +${record.name} = ${record.value}`));

      const early = await run("domains", "verify", org, name);
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(/\(HTTP 422\)\n$/);
      dns.addTxt(record.name, record.value);
      const verified = await run("domains", "verify", org, name);
      expect(verified).toMatchObject({ code: 0, stderr: "" });
      expect(verified.stdout).toMatch(new RegExp(`^Domain ${name} is verified \\(since \\d{4}-`));

      expect(await run("domains", "remove", org, name)).toMatchObject({ code: 0, stdout: `Removed domain ${name}\n` });
      expect((await json("domains", "list", org)).domains.map((d: Doc) => d.name)).toEqual([domain]);
    });

    it("domains remove refuses a domain users still sign in with, exit 1", async () => {
      const res = await run("domains", "remove", org, domain);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/\(HTTP 409\)\n$/);
    });
  });

  describe("products", () => {
    it("products set creates a product and changes its seats; lowering below the assigned seats fails", async () => {
      expect(await run("products", "set", org, "chat", "--seats", "10")).toMatchObject({
        code: 0,
        stdout: "Product chat: 10 seats, 0 assigned, 0 pending\n",
      });
      expect((await json("products", "list", org)).products.map((p: Doc) => p.key)).toEqual(["chat", "meeting"]);
      const low = await run("products", "set", org, "meeting", "--seats", "0");
      expect(low.code).toBe(1);
      expect(low.stderr).toContain("seats cannot be lowered to 0");
    });
  });

  describe("audit", () => {
    it("audit prints the trail newest first; filters and --json reach the server", async () => {
      const res = await run("audit", org, "--limit", "3");
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^AT +ACTION +ACTOR +TARGET\n/);
      expect(res.stdout.trim().split("\n")).toHaveLength(1 + 3 + 2);
      expect(res.stdout).toMatch(/More events: run the same command with --cursor \S+\n$/);

      const created = await json("audit", org, "--action", "user.created", "--actor", "scim-token");
      expect(created.events.map((e: Doc) => e.target.label)).toEqual(["temp", "clara", "rory", "amy"]);
      const amy = await json("audit", org, "--target", users.amy!, "--action", "user.", "--since", "2000-01-01", "--until", "2999-01-01T00:00:00+00:00");
      expect(amy.events.map((e: Doc) => e.action)).toContain("user.suspended");
      expect(amy.events.every((e: Doc) => e.target.id === users.amy)).toBe(true);
    });

    it("a bad date is the server's 400, printed as it said it", async () => {
      const res = await run("audit", org, "--since", "last tuesday");
      expect(res).toMatchObject({ code: 1, stdout: "" });
      expect(res.stderr).toBe(
        'scim-gate: since must be an ISO 8601 date or date-time such as 2026-01-31 or 2026-01-31T09:30:00Z, not "last tuesday" (HTTP 400)\n',
      );
    });
  });

  describe("usage and help", () => {
    it.each([
      [["users", "roles", "o", "u", "--org-role", "admin"], /--admin-role <admin-role> is required/],
      [["users", "list"], /missing <org>/],
      [["users", "get", "o"], /missing <id>/],
      [["products", "set", "o", "meeting"], /--seats <seats> is required/],
      [["products", "set", "o", "meeting", "--seats", "ten"], /--seats must be a whole number, got "ten"/],
      [["users", "get", "o", "u", "--q", "x"], /--q does not apply to "users get"/],
      [["domains", "list", "o", "--verified"], /--verified does not apply to "domains list"/],
      [["users", "rename", "o", "u"], /unknown command "users rename" \(expected one of: list, get, suspend, restore, delete, roles\)/],
      [["audit"], /missing <org>/],
    ])("exits 2 without calling the server: %j", async (argv, message) => {
      const res = await run(...argv);
      expect(res).toMatchObject({ code: 2, stdout: "", requests: [] });
      expect(res.stderr).toMatch(message);
    });

    it("--help lists every new command, optional options folded into [options]", async () => {
      const res = await run("--help");
      expect(res).toMatchObject({ code: 0, requests: [] });
      for (const usage of [
        "users list <org> [options]",
        "users get <org> <id>",
        "users suspend <org> <id>",
        "users restore <org> <id>",
        "users delete <org> <id>",
        "users roles <org> <id> --org-role <org-role> --admin-role <admin-role> [options]",
        "groups list <org> [options]",
        "groups products <org> <group-id> [options]",
        "domains add <org> <name> [options]",
        "domains list <org>",
        "domains verify <org> <name>",
        "domains remove <org> <name>",
        "products list <org>",
        "products set <org> <key> --seats <seats>",
        "audit <org> [options]",
        "tokens create <org> --label <label>",
      ]) {
        expect(res.stdout).toContain(usage);
      }
      expect(res.stdout).toContain("users, groups, domains,\nproducts and audit trail");
    });

    it("each command's --help shows its full usage and explains its options", async () => {
      const list = await run("users", "list", "--help");
      expect(list.stdout).toMatch(
        /^Usage: scim-gate users list <org> \[--q <q>\] \[--status <status>\] \[--product <product>\] \[--group <group>\] \[--role <role>\] \[--limit <limit>\] \[--cursor <cursor>\] \[options\]\n/,
      );
      expect(list.stdout).toContain("case-insensitive substring of userName, displayName or an email address");
      expect((await run("domains", "add", "--help")).stdout).toMatch(/^Usage: scim-gate domains add <org> <name> \[--verified\] \[options\]\n/);
      expect((await run("help", "audit")).stdout).toMatch(/^Usage: scim-gate audit <org> \[--actor <actor>\] .*\n[\s\S]*prefix ending in "\."/);
      expect((await run("users", "roles", "--help")).stdout).toContain("change only through SCIM");
      const group = await run("users", "--help");
      expect(group.stdout).toContain("users suspend <org> <id>");
      expect(group.stdout).not.toContain("groups list");
    });
  });
});
