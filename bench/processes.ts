import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { freePort, healthy } from "../test/support/local-http.ts";

/**
 * Child processes of the benchmark: the server and the baseline, each a
 * `node --import tsx <entry>` (tsx resolved from this file, as bin/scim-gate.mjs
 * does), pinned to one core with taskset when the machine has it, so the load
 * generator (pinned to another core) does not steal the server's CPU.
 */
export interface BenchProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const OUTPUT_LIMIT = 64 * 1024;
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of this process to `core` (best effort); returns whether it worked. */
export function pinSelf(core: number): boolean {
  try {
    execFileSync("taskset", ["-a", "-pc", String(core), String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface StartOptions {
  name: string;
  /** Absolute path of the TypeScript entry. */
  entry: string;
  env: Record<string, string>;
  /** Core to pin the process to, or undefined for no pinning. */
  core: number | undefined;
  nodeArgs?: string[];
  cwd?: string;
  startTimeoutMs?: number;
}

export async function startProcess(options: StartOptions): Promise<BenchProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const node = [...(options.nodeArgs ?? []), "--import", TSX_LOADER, options.entry];
  // taskset execs node, so the child's pid is node's (what /proc/<pid>/status describes).
  const [command, args] =
    options.core === undefined ? [process.execPath, node] : ["taskset", ["-c", String(options.core), process.execPath, ...node]];
  const child = spawn(command as string, args as string[], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: String(port), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async () => {
    if (gone) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!gone) {
    if (await healthy(url)) return { name: options.name, url, pid: child.pid!, output: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not answer ${url}/healthz in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${options.name} exited before answering /healthz:\n${output}`);
}

/**
 * Peak resident memory of a process: the kernel's high-water mark (VmHWM), read
 * at the end, plus VmRSS sampled meanwhile (a fallback where VmHWM is missing).
 */
export function watchMemory(pid: number, everyMs = 250) {
  let sampledPeakKb = 0;
  const read = (field: "VmHWM" | "VmRSS"): number | undefined => {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  };
  const sample = () => {
    const kb = read("VmRSS");
    if (kb !== undefined && kb > sampledPeakKb) sampledPeakKb = kb;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    /** Peak RSS in MB so far (call before the process exits). */
    peakMb(): number | undefined {
      sample();
      const hwm = read("VmHWM");
      const kb = Math.max(hwm ?? 0, sampledPeakKb);
      return kb ? Math.round((kb / 1024) * 10) / 10 : undefined;
    },
    stop: () => clearInterval(timer),
  };
}
