// Crash safety: a real server process (server/main.ts) on PostgreSQL is killed
// with SIGKILL in the middle of concurrent writes (user creates, profile and
// entitlement PATCHes, suspensions, deletes, group membership changes, a
// group's products switched), restarted on the same database, and checked:
// every write answered 2xx is there, every refused write is not, the one
// write per worker whose answer was lost is all-or-nothing, and no resource
// is half-written (db-invariants.ts). Three kill/restart rounds in one test.
// PostgreSQL only: the point is a database that outlives the process.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrations } from "../../schema/migrations/index.ts";
import { CrashWorkload, groupProductsKey, type State, userKey } from "../support/crash-workload.ts";
import { invariantProblems, readGroupProducts, readUsers } from "../support/db-invariants.ts";
import { createThrowawayDatabase } from "../support/engines.ts";
import { withoutPostgres } from "../support/postgres-only.ts";
import { callJson } from "../support/http-json.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { GROUP_SCHEMA } from "../support/server.ts";

const ADMIN_TOKEN = "crash-admin-token-0123456789abcdef";
const DOMAIN = "crash.example.org";
const ROUNDS = 3;
const WORKERS = 6;
// Rate limits (if configured by default) would turn the load into 429s: this test is about crashes.
const ENV = { LOG_LEVEL: "info", RATE_LIMIT_TOKEN_PER_MINUTE: "0", RATE_LIMIT_ORG_PER_MINUTE: "0", RATE_LIMIT_SSO_PER_MINUTE: "0" };


describe.skipIf(withoutPostgres("test/hardening/crash-safety.test.ts"))("crash safety under write load on PostgreSQL", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it(`loses no acknowledged write and leaves nothing half-written across ${ROUNDS} SIGKILLs`, async () => {
    const { url: databaseUrl, drop } = await createThrowawayDatabase("crash");
    cleanups.push(drop);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    cleanups.push(() => client.end());
    const start = async () => {
      const p = await startServerProcess({ databaseUrl, adminToken: ADMIN_TOKEN, env: ENV });
      cleanups.push(() => p.stop());
      return p;
    };

    let proc = await start();
    expect(migrationLines(proc)).toBe(Object.keys(migrations).length);
    const workload = new CrashWorkload(await setUp(proc));

    for (let round = 1; round <= ROUNDS; round++) {
      const acknowledgedBefore = workload.acknowledged;
      const load = workload.run(proc.url);
      // Kill at a random moment once the load is well under way.
      await until(() => workload.acknowledged >= acknowledgedBefore + 60 || workload.failures.length > 0, 30_000);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400));
      process.kill(proc.pid, "SIGKILL");
      await proc.stop();
      await load;
      expect(workload.failures, proc.output()).toEqual([]);
      expect(workload.unresolved.length).toBeGreaterThan(0);

      // A COMMIT already sent by the dead process may still be applied: wait until its connections are gone.
      await until(async () => (await otherBackends(client)) === 0, 10_000);
      proc = await start();
      expect(migrationLines(proc), "a restart on a migrated database runs no migration").toBe(0);
      expect((await callJson(`${proc.url}/readyz`, "GET")).status).toBe(200);
      await verify(client, workload, proc);
      expect(proc.output(), `round ${round}`).not.toMatch(/"level":(50|60)/);
    }
    await proc.stop();
  }, 120_000);
});

/** An organization with a verified domain, a scarce product, groups, one group holding a product. */
async function setUp(proc: ServerProcess) {
  const admin = async (method: string, path: string, body: unknown, expected: number) => {
    const res = await callJson(`${proc.url}/admin/v1${path}`, method, { token: ADMIN_TOKEN, body });
    if (res.status !== expected) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const org = await admin("POST", "/orgs", { name: "Crash Inc" }, 201);
  await admin("POST", `/orgs/${org.id}/domains`, { name: DOMAIN, verified: true }, 201);
  const { token } = await admin("POST", `/orgs/${org.id}/scim-tokens`, { label: "crash" }, 201);
  await admin("PUT", `/orgs/${org.id}/products/suite`, { seats: 8 }, 200);
  await admin("PUT", `/orgs/${org.id}/products/extra`, { seats: 3 }, 200);
  const groups = new Map<string, string>();
  for (const name of ["Engineering", "Sales", "Support"]) {
    const res = await callJson(`${proc.url}/scim/v2/Groups`, "POST", {
      token,
      body: { schemas: [GROUP_SCHEMA], displayName: name },
      contentType: "application/scim+json",
    });
    expect(res.status).toBe(201);
    groups.set(name, res.body.id);
  }
  await admin("PUT", `/orgs/${org.id}/groups/${groups.get("Engineering")}/products`, { products: ["suite"] }, 200);
  return {
    orgId: org.id as string,
    token: token as string,
    adminToken: ADMIN_TOKEN,
    domain: DOMAIN,
    groups,
    product: "suite",
    toggled: { group: "Support", lists: [[], ["extra", "suite"]] as [string[], string[]] },
    workers: WORKERS,
  };
}

async function verify(client: pg.Client, workload: CrashWorkload, proc: ServerProcess): Promise<void> {
  const { orgId, groups, toggled } = workload.setup;
  const users = await readUsers(client, orgId);
  const read = async (key: string): Promise<State> =>
    key === groupProductsKey(toggled.group)
      ? { products: await readGroupProducts(client, orgId, groups.get(toggled.group)!) }
      : (users.get(key.slice("user:".length))?.state ?? { exists: false });

  // The writes whose answer was lost: all or nothing. Then the model follows what happened.
  for (const op of workload.unresolved) {
    const before = workload.model.get(op.key) ?? { exists: false };
    const actual = await read(op.key);
    expect([before, op.after], `${op.what} was half applied`).toContainEqual(actual);
    workload.model.set(op.key, actual);
    const stored = users.get(op.key.slice("user:".length));
    if (op.key.startsWith("user:") && stored) workload.ids.set(op.key.slice("user:".length), stored.id);
  }

  // Every acknowledged write is there and every refused one is not: the database is exactly the model.
  const expected: Record<string, State> = {};
  for (const [key, state] of workload.model) if (!("exists" in state) || state.exists) expected[key] = state;
  const actual: Record<string, State> = { [groupProductsKey(toggled.group)]: await read(groupProductsKey(toggled.group)) };
  for (const [name, u] of users) actual[userKey(name)] = u.state;
  expect(actual).toEqual(expected);

  expect(await invariantProblems(client, orgId)).toEqual([]);

  const { rows } = await client.query(`select name from kysely_migration order by name`);
  expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
  const lock = await client.query(`select is_locked from kysely_migration_lock`);
  expect(lock.rows.map((r) => r.is_locked)).toEqual([0]);

  // The restarted server serves what the database holds.
  const list = await callJson(`${proc.url}/scim/v2/Users?count=0`, "GET", { token: workload.setup.token });
  expect(list.body.totalResults).toBe(users.size);
}

function migrationLines(proc: ServerProcess): number {
  return proc.output().split("\n").filter((l) => l.includes('"msg":"migration"')).length;
}

async function otherBackends(client: pg.Client): Promise<number> {
  const { rows } = await client.query(
    `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
  );
  return rows[0].n;
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
