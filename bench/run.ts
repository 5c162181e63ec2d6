/**
 * `npm run bench`: the SCIM server against a bare Express + pg baseline on the
 * same PostgreSQL data, driven by autocannon. See bench/README.md.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { BulkSupport } from "./bulk.ts";
import { loadData } from "./load.ts";
import { makeRunner, type Measurement } from "./measure.ts";
import { type BenchOptions, OptionsError, parseOptions } from "./options.ts";
import { createOrganization, SERVER_ENV } from "./org.ts";
import { type PgliteServer, startPgliteServer } from "./pglite.ts";
import { type BenchProcess, hasTaskset, pinSelf, startProcess, watchMemory } from "./processes.ts";
import { judge, notImplemented, renderTable, rssResult, type ScenarioResult, summarise } from "./report.ts";
import {
  type BenchTargets,
  bulkCreates,
  type CursorSupport,
  deepPage,
  entraSync,
  filterByUserName,
  memberPatch,
  pgliteComparison,
  postUsers,
  RSS_TARGET_MB,
  type Scenario,
  type Target,
} from "./scenarios.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const log = (line: string) => console.log(line);

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof OptionsError) {
      console.error(e.message);
      return e.problems.length ? 2 : 0;
    }
    throw e;
  }
  const startedAt = new Date();
  // Server and baseline on core 0, this process (autocannon) on core 1.
  const pinned = hasTaskset() && cpus().length >= 2 && pinSelf(1);
  log(`bench: ${options.users.toLocaleString("en")} users, ${options.groupMembers.toLocaleString("en")}-member group, ${options.rounds} round(s) of ${options.seconds} s${options.smoke ? " (smoke)" : ""}`);
  log(pinned ? "pinning: server and baseline on core 0, load generator on core 1 (PostgreSQL unpinned)" : "pinning: none (taskset missing or a single core)");

  const database = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await createThrowawayDatabase(options.pgServer);
  log(options.databaseUrl ? "database: DATABASE_URL (kept)" : `database: throwaway ${new URL(database.url).pathname.slice(1)} (dropped at the end)`);
  const processes: BenchProcess[] = [];
  const stopAll = async () => {
    for (const p of processes.splice(0)) await p.stop();
  };
  const onSignal = () => void stopAll().then(database.drop).finally(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const adminToken = randomBytes(24).toString("hex");
    const resultsDir = resolve(ROOT, options.resultsDir);
    const profileDir = join(resultsDir, "profiles");
    if (options.profile) mkdirSync(profileDir, { recursive: true });
    const server = await startProcess({
      name: "server",
      entry: join(ROOT, "server/main.ts"),
      core: pinned ? 0 : undefined,
      nodeArgs: options.profile ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [],
      env: { DATABASE_URL: database.url, ADMIN_TOKEN: adminToken, ...SERVER_ENV },
    });
    processes.push(server);
    const serverMemory = watchMemory(server.pid);

    const domain = `bench-${randomBytes(3).toString("hex")}.example.com`;
    const { orgId, token } = await createOrganization(server.url, adminToken, domain);
    log(`load: ${options.users.toLocaleString("en")} users, groups of ${options.groupMembers.toLocaleString("en")} and 10 members`);
    const data = await loadData({ databaseUrl: database.url, orgId, domain, users: options.users, groupMembers: options.groupMembers, log });
    log(`load: ${data.seconds.toFixed(1)} s, ${data.rowsPerSecond.toLocaleString("en")} rows/s`);

    const baseline = await startProcess({
      name: "baseline",
      entry: join(ROOT, "bench/baseline.ts"),
      core: pinned ? 0 : undefined,
      env: { DATABASE_URL: database.url, ORG_ID: orgId, DOMAIN: domain },
    });
    processes.push(baseline);
    const baselineMemory = watchMemory(baseline.pid);

    const targets: BenchTargets = {
      serverUrl: server.url,
      token,
      baselineUrl: baseline.url,
      domain,
      data,
      users: options.users,
      groupMembers: options.groupMembers,
      connections: options.connections,
    };
    const spc = await serviceProviderConfig(server.url, token);
    const selected = (id: string) => !options.only || options.only.includes(id);
    const walkStarted = Date.now();
    const cursor = selected("3") ? await findDeepCursor(server.url, token, spc, Math.floor(options.users * 0.9)) : { supported: false };
    const walked = `${((Date.now() - walkStarted) / 1000).toFixed(1)} s`;
    log(`cursor pagination: ${cursor.supported ? (cursor.deepCursor ? `supported; walked to 90% depth in ${walked}` : "supported, but 90% depth not reached") : "not advertised"}`);
    const bulk = bulkCreates(targets, spc.bulk, options.bulkCreates);
    log(`bulk: ${"notImplemented" in bulk ? bulk.notImplemented : `supported (maxOperations ${spc.bulk?.maxOperations}, maxPayloadSize ${spc.bulk?.maxPayloadSize})`}`);

    let lite: PgliteServer | undefined;
    if (selected("8")) {
      log(`pglite: ${options.pgliteUsers.toLocaleString("en")} users into a server on the embedded PGlite default`);
      lite = await startPgliteServer({
        entry: join(ROOT, "server/main.ts"),
        adminToken,
        domain: `lite-${domain}`,
        users: options.pgliteUsers,
        core: pinned ? 0 : undefined,
        log: (line) => log(`  pglite ${line.trim()}`),
      });
      // Stopping it also removes its data directory, on every path out.
      processes.push({ ...lite.process, stop: lite.stop });
      log(`pglite: loaded in ${lite.loadSeconds.toFixed(1)} s`);
    }
    const liteMemory = lite ? watchMemory(lite.process.pid) : undefined;

    const all8 = [
      postUsers(targets),
      filterByUserName(targets),
      deepPage(targets, cursor, data.userIds[Math.floor(options.users * 0.9) - 1]!),
      memberPatch(targets),
      entraSync(targets, { users: options.syncUsers, groups: options.syncGroups }),
      bulk,
      ...(lite ? [pgliteComparison(targets, lite)] : []),
    ];
    const scenarios = all8.filter((s): s is Scenario => !("notImplemented" in s) && selected(s.id));
    const skipped = all8.filter((s) => !("notImplemented" in s) && !selected(s.id)).map((s) => ({ id: s.id, title: s.title, notImplemented: "skipped (--only)" }));
    if (!lite) skipped.push({ id: "8", title: "PGlite comparison", notImplemented: "skipped (--only)" });
    const results = await runScenarios(scenarios, { server: server.url, baseline: baseline.url, pglite: lite?.url ?? "" }, options);
    const liteMb = liteMemory?.peakMb();
    liteMemory?.stop();
    results.find((r) => r.id === "8")?.notes.push(`PGlite server peak RSS ${liteMb ?? "not measured"} MB (its WebAssembly PostgreSQL lives in the process; not part of scenario 7)`);
    await lite?.stop();

    const serverMb = serverMemory.peakMb();
    const baselineMb = baselineMemory.peakMb();
    serverMemory.stop();
    baselineMemory.stop();
    await stopAll();

    const all = [
      ...results,
      rssResult(serverMb, baselineMb, RSS_TARGET_MB),
      ...("notImplemented" in bulk ? [notImplemented(bulk)] : []),
      ...skipped.map(notImplemented),
    ].sort(
      (a, b) => Number(a.id) - Number(b.id),
    );
    const table = renderTable(all);
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          startedAt: startedAt.toISOString(),
          finishedAt: new Date().toISOString(),
          options: { ...options, databaseUrl: options.databaseUrl ? "(DATABASE_URL)" : undefined },
          machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, pinned },
          load: { users: options.users, groupMembers: options.groupMembers, seconds: data.seconds, rowsPerSecond: data.rowsPerSecond },
          pglite: lite ? { users: lite.users, loadSeconds: lite.loadSeconds } : null,
          bulk: spc.bulk ?? null,
          cursorSupported: cursor.supported,
          rss: { serverMb, baselineMb, pgliteServerMb: liteMb ?? null },
          scenarios: all,
          table,
        },
        null,
        2,
      ),
    );
    log("");
    log(table);
    log("");
    log(`results: ${file}`);
    if (options.profile) log(`CPU profile of the server: ${profileDir}`);
    return 0;
  } finally {
    await stopAll();
    await database.drop();
  }
}

async function runScenarios(scenarios: Scenario[], urls: Record<Target, string>, options: BenchOptions): Promise<ScenarioResult[]> {
  const measure = makeRunner();
  if (options.warmupSeconds > 0) {
    log(`warm-up: ${options.warmupSeconds} s per series`);
    for (const s of scenarios) for (const series of s.series) if (series.probe) await measure(urls[series.target], series.probe, options.warmupSeconds);
  }
  const rounds = new Map<string, Measurement[]>();
  const notes = new Map<string, string[]>();
  const record = (s: Scenario, key: string, label: string, round: number, m: Measurement) => {
    rounds.set(`${s.id}/${key}`, [...(rounds.get(`${s.id}/${key}`) ?? []), m]);
    const failed = m.non2xx + m.errors ? `, ${m.non2xx + m.errors} failed` : "";
    log(`round ${round} [${s.id}] ${label}: ${m.reqPerSec} req/s, p99 ${m.p99Ms} ms${failed}`);
  };
  for (let round = 1; round <= options.rounds; round++) {
    for (const s of scenarios) {
      if (s.runRound) {
        const { measurements, note } = await s.runRound(round);
        for (const series of s.series) {
          const m = measurements[series.key];
          if (m) record(s, series.key, series.label, round, m);
        }
        if (note) {
          notes.set(s.id, [...(notes.get(s.id) ?? []), note]);
          log(`round ${round} [${s.id}] ${note}`);
        }
        continue;
      }
      for (const series of s.series) {
        if (series.probe) record(s, series.key, series.label, round, await measure(urls[series.target], series.probe, options.seconds));
      }
    }
  }
  return scenarios.map((s) => {
    const series = s.series.map((x) => summarise(x.key, x.label, x.target, x.vs, rounds.get(x.copyOf ?? `${s.id}/${x.key}`) ?? []));
    return { id: s.id, title: s.title, implemented: true, notes: [...s.notes, ...(notes.get(s.id) ?? [])], series, targets: judge(s, series) };
  });
}

/**
 * RFC 9865 cursor pagination, if /ServiceProviderConfig advertises it
 * (pagination.cursor): walks the users in the largest pages allowed, ids only,
 * to the cursor that starts the page at `depth`.
 */
interface ServiceProviderConfig {
  bulk?: BulkSupport;
  pagination?: { cursor?: boolean; maxPageSize?: number };
}

async function serviceProviderConfig(serverUrl: string, token: string): Promise<ServiceProviderConfig> {
  const res = await fetch(`${serverUrl}/scim/v2/ServiceProviderConfig`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET /scim/v2/ServiceProviderConfig answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ServiceProviderConfig;
}

async function findDeepCursor(serverUrl: string, token: string, spc: ServiceProviderConfig, depth: number): Promise<CursorSupport> {
  const get = async (path: string) => {
    const res = await fetch(`${serverUrl}/scim/v2${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const pagination = spc.pagination;
  if (pagination?.cursor !== true) return { supported: false };
  const pageSize = Math.min(1000, pagination.maxPageSize ?? 1000);
  let cursor = "";
  let position = 0;
  while (position < depth) {
    const count = Math.min(pageSize, depth - position);
    const page = await get(`/Users?cursor=${encodeURIComponent(cursor)}&count=${count}&attributes=id`);
    const resources = page.body.Resources;
    const next = page.body.nextCursor;
    if (page.status !== 200 || !Array.isArray(resources) || typeof next !== "string" || !next) return { supported: true };
    position += resources.length;
    cursor = next;
  }
  return { supported: true, deepCursor: cursor };
}

async function createThrowawayDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `scimbench_${randomBytes(8).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.href,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

process.exitCode = await main();
