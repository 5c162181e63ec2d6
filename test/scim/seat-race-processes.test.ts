// Two real server processes (server/main.ts, as `npm start` runs it) on one
// PostgreSQL database: 100 concurrent SCIM creates compete for 20 seats, half
// sent to each process. Exactly 20 win, every other answer is a clean 409, and
// the database agrees. Then a token revoked through one process is refused by
// the other on its very next request (no per-process cache of tokens).
// PostgreSQL only: PGlite is an in-process database and cannot be shared.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createThrowawayDatabase } from "../support/engines.ts";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { userBody } from "../support/server.ts";

const ADMIN_TOKEN = "race-admin-token-0123456789abcdef";
const DOMAIN = "race.example.org";
const SEATS = 20;
const REQUESTS = 100;

describe.runIf(process.env.TEST_DATABASE_URL)("a seat race between two server processes on PostgreSQL", () => {
  let databaseUrl: string;
  let drop: () => Promise<void>;
  const procs: ServerProcess[] = [];
  let orgId: string;
  let token: string;
  let tokenId: string;

  beforeAll(async () => {
    ({ url: databaseUrl, drop } = await createThrowawayDatabase("seatproc"));
    // Started together: both run the migrations at once, which must be safe.
    procs.push(
      ...(await Promise.all([
        startServerProcess({ databaseUrl, adminToken: ADMIN_TOKEN }),
        startServerProcess({ databaseUrl, adminToken: ADMIN_TOKEN }),
      ])),
    );
    const p1 = procs[0]!;
    const org = await call(p1, "POST", "/admin/v1/orgs", { name: "Race Inc" }, 201);
    orgId = org.id;
    await call(p1, "POST", `/admin/v1/orgs/${orgId}/domains`, { name: DOMAIN, verified: true }, 201);
    const tok = await call(p1, "POST", `/admin/v1/orgs/${orgId}/scim-tokens`, { label: "race" }, 201);
    token = tok.token;
    tokenId = tok.id;
    await call(p1, "PUT", `/admin/v1/orgs/${orgId}/products/meeting`, { seats: SEATS }, 200);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await drop?.();
  });

  async function call(p: ServerProcess, method: string, path: string, body: unknown, expected: number) {
    const res = await fetch(`${p.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, any>;
    if (res.status !== expected) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}\n${p.output()}`);
    return json;
  }

  const scim = (p: ServerProcess, method: string, path: string, body?: unknown) =>
    fetch(`${p.url}/scim/v2${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function inDatabase<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  it("grants exactly 20 of 100 concurrent creates split across both processes; every other answer is a clean 409", async () => {
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const res = await scim(procs[i % 2]!, "POST", "/Users", userBody(`racer-${i}`, { entitlements: [{ value: "meeting" }] }, DOMAIN));
        return { i, status: res.status, body: (await res.json()) as Record<string, any> };
      }),
    );

    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 201: SEATS, 409: REQUESTS - SEATS });
    // Both processes granted seats and both refused: the race really was between them.
    const winners = answers.filter((a) => a.status === 201);
    expect(new Set(winners.map((a) => a.i % 2)).size).toBe(2);
    expect(new Set(answers.filter((a) => a.status === 409).map((a) => a.i % 2)).size).toBe(2);
    for (const w of winners) expect(w.body.entitlements).toEqual([{ value: "meeting" }]);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body).toEqual({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "409",
        detail: `product "meeting" has no free seat (${SEATS} of ${SEATS} assigned); free a seat or buy more`,
      });
    }

    const db = await inDatabase(async (c) => ({
      seats: (await c.query(`select status, count(*)::int as n from seat_assignments where org_id = $1 group by status`, [orgId])).rows,
      users: (await c.query(`select user_name from users where org_id = $1 order by user_name`, [orgId])).rows.map((r) => r.user_name),
      created: (await c.query(`select count(*)::int as n from audit_events where org_id = $1 and action = 'user.created'`, [orgId])).rows[0].n,
    }));
    expect(db.seats).toEqual([{ status: "granted", n: SEATS }]);
    // The refused requests left nothing behind: no user, no audit event.
    expect(db.users).toEqual(winners.map((w) => `racer-${w.i}`).sort());
    expect(db.created).toBe(SEATS);

    // Nothing went to the error log (pino level 50 and up) in either process.
    for (const p of procs) expect(p.output()).not.toMatch(/"level":(50|60)/);
    // Each process reads the same state.
    for (const p of procs) {
      const usage = await call(p, "GET", `/admin/v1/orgs/${orgId}/products`, undefined, 200);
      expect(usage.products).toEqual([{ key: "meeting", seats: SEATS, assigned: SEATS, pending: 0 }]);
    }
  }, 120_000);

  it("refuses a token revoked through process 1 on the very next request to process 2", async () => {
    const [p1, p2] = procs as [ServerProcess, ServerProcess];
    const before = await scim(p2, "GET", "/Users?count=0");
    expect(before.status).toBe(200);
    await before.arrayBuffer();

    const revoked = await fetch(`${p1.url}/admin/v1/orgs/${orgId}/scim-tokens/${tokenId}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(revoked.status).toBe(204);

    const after = await scim(p2, "GET", "/Users?count=0");
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toBe('Bearer realm="scim", error="invalid_token"');
    expect(await after.json()).toMatchObject({ status: "401", detail: "The bearer token is not valid (unknown or revoked)" });
    const write = await scim(p2, "POST", "/Users", userBody("after-revoke", {}, DOMAIN));
    expect(write.status).toBe(401);
    await write.arrayBuffer();
    expect(await inDatabase(async (c) => (await c.query(`select count(*)::int as n from users where user_name = 'after-revoke'`)).rows[0].n)).toBe(0);
  });
});
