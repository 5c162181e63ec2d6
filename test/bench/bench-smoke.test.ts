import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Keeps `npm run bench` from rotting: the smoke variant (tiny data, one short
 * round, the same code path) runs end to end against real PostgreSQL (and a
 * second server on embedded PGlite) and must leave a results JSON naming every scenario. No timing is asserted: this
 * machine's speed is not what the test is about.
 */
const RUN = fileURLToPath(new URL("../../bench/run.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const pgServer = process.env.TEST_DATABASE_URL;

interface Results {
  scenarios: { id: string; implemented: boolean; notImplemented?: string; series: { key: string; rounds: unknown[] }[]; targets: { pass: boolean }[] }[];
  rss: { serverMb?: number };
  table: string;
}

describe.runIf(pgServer)("npm run bench:smoke on PostgreSQL", () => {
  const resultsDir = mkdtempSync(join(tmpdir(), "scim-bench-"));
  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

  it("runs every implemented scenario end to end and writes them all to a results JSON", async () => {
    const { code, output } = await runBench(["--smoke", "--pg-server", pgServer!, "--results-dir", resultsDir]);
    expect(code, output).toBe(0);
    const files = readdirSync(resultsDir).filter((f) => f.endsWith(".json"));
    expect(files, output).toHaveLength(1);
    const results = JSON.parse(readFileSync(join(resultsDir, files[0]!), "utf8")) as Results;

    const ids = results.scenarios.map((s) => s.id);
    expect(ids).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
    const byId = new Map(results.scenarios.map((s) => [s.id, s]));
    // 6 runs only where /ServiceProviderConfig advertises bulk; otherwise it says so.
    const bulk = byId.get("6")!;
    if (!bulk.implemented) expect(bulk.notImplemented).toMatch(/not supported/);
    const implemented = results.scenarios.filter((s) => s.implemented).map((s) => s.id);
    expect(implemented).toEqual(["1", "2", "3", "4", "5", ...(bulk.implemented ? ["6"] : []), "7", "8"]);
    for (const s of results.scenarios.filter((x) => x.implemented && x.id !== "7")) {
      expect(s.series.length, `scenario ${s.id}`).toBeGreaterThan(0);
      for (const series of s.series) expect(series.rounds, `scenario ${s.id} ${series.key}`).toHaveLength(1);
      // 5 (a whole sync) and 8 (PGlite beside PostgreSQL) are reported, not judged.
      if (s.id !== "5" && s.id !== "8") expect(s.targets.length, `scenario ${s.id}`).toBeGreaterThan(0);
    }
    // The sync replay measured real requests, and the PGlite series stand beside PostgreSQL's.
    const sync = byId.get("5")!.series[0]!.rounds[0] as { requests: number; non2xx: number; errors: number };
    expect(sync.requests).toBeGreaterThan(0);
    expect(sync.non2xx + sync.errors, results.table).toBe(0);
    expect(byId.get("8")!.series.map((s) => s.key)).toEqual(["pgPost", "litePost", "pgGet", "liteGet"]);
    if (bulk.implemented) expect(bulk.series.map((s) => s.key)).toEqual(["one", "bulk"]);
    expect(results.rss.serverMb).toBeGreaterThan(0);
    expect(results.table).toMatch(/PASS|MISS/);
    expect(output).not.toContain("not implemented");
  }, 240_000);
});

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ["--import", TSX_LOADER, RUN, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, output }));
  });
}
