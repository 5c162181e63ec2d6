import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { freePort, healthy } from "./local-http.ts";

/**
 * A real scim-gate server in a child process, exactly as `npm start` runs it
 * (server/main.ts: config from the environment, migrations, listen, SIGTERM),
 * for tests that need several processes on one database.
 *
 * tsx is resolved from this file, not from the child's working directory (as
 * bin/scim-gate.mjs does), and handed to `node --import` as an absolute URL, so
 * the child runs from any cwd; it is started in an empty temporary directory to
 * prove it.
 */
export interface ServerProcess {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** What the process wrote to stdout and stderr so far (the last 64 KiB), for failure messages. */
  output(): string;
  /** SIGTERM (graceful: in-flight requests finish, the pool closes), SIGKILL if it has not exited in 10 s. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  databaseUrl: string;
  adminToken: string;
  /** Extra environment (LOG_LEVEL defaults to warn). */
  env?: Record<string, string>;
  /** How long to wait for /healthz to answer 200. */
  startTimeoutMs?: number;
}

const MAIN = fileURLToPath(new URL("../../server/main.ts", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const OUTPUT_LIMIT = 64 * 1024;

// Children still running when the test process exits are killed with it, whatever failed.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  // A port found free can be taken before the child binds it: try another one then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, await freePort());
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt === 3) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(options: ServerProcessOptions, port: number): Promise<ServerProcess> {
  const cwd = mkdtempSync(join(tmpdir(), "scim-gate-proc-"));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? cwd,
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      PUBLIC_URL: url,
      ADMIN_TOKEN: options.adminToken,
      LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      rmSync(cwd, { recursive: true, force: true });
      resolve(code ?? (signal ? null : 0));
    });
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (!gone) {
    if (await healthy(url)) {
      return { url, port, pid: child.pid!, output: () => output, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server process on port ${port} did not answer /healthz within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const code = await exited;
  if (/EADDRINUSE/.test(output)) throw new PortTakenError(`port ${port} was taken`);
  throw new Error(`server process exited with ${code} before answering /healthz:\n${output}`);
}
