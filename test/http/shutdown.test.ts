// Graceful shutdown of the real server process (server/main.ts): on SIGTERM it stops
// accepting connections, lets the request in flight finish, closes idle keep-alive
// sockets and the database, and exits 0.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createThrowawayDatabase, ENGINES, type Engine } from "../support/engines.ts";

const MAIN = fileURLToPath(new URL("../../server/main.ts", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const ADMIN_TOKEN = "shutdown-admin-token-0123456789";

interface Running {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  output: () => string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each(ENGINES)("graceful shutdown on %s", (engine) => {
  it(
    "finishes the request in flight with 201, refuses new connections, closes idle keep-alive sockets and exits 0",
    async () => {
      const server = await startServer(engine);

      // An idle keep-alive connection: it must not hold the shutdown until its timeout.
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      cleanups.push(async () => keepAlive.destroy());
      expect(await get(server.port, "/healthz", keepAlive)).toBe(200);

      // A request in flight: headers sent and acknowledged (100 Continue), body only half sent.
      const body = JSON.stringify({ name: "Shut Down Inc" });
      const inFlight = http.request({
        host: "127.0.0.1",
        port: server.port,
        method: "POST",
        path: "/admin/v1/orgs",
        headers: {
          Authorization: `Bearer ${ADMIN_TOKEN}`,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(body),
          Expect: "100-continue",
        },
      });
      const response = new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
        inFlight.on("response", (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode!, body: text, connection: res.headers.connection }));
        });
        inFlight.on("error", reject);
      });
      await new Promise<void>((resolve, reject) => {
        inFlight.once("continue", resolve);
        inFlight.once("error", reject);
      });
      inFlight.write(body.slice(0, 8));

      server.child.kill("SIGTERM");
      await waitUntil(() => refusesConnections(server.port), "the listening socket to close", server);

      // The held request is still served once its body arrives.
      inFlight.end(body.slice(8));
      const res = await response;
      expect(res.status, server.output()).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({ name: "Shut Down Inc" });
      expect(res.connection).toBe("close");

      const finished = Date.now();
      const code = await withTimeout(server.exited, 15_000, "the process to exit", server);
      expect(code, server.output()).toBe(0);
      // Well under the 5 s keep-alive timeout and the 10 s deadline: the idle socket was closed, not waited out.
      expect(Date.now() - finished).toBeLessThan(3_000);
      // "stopped" is logged only after the database pool (or PGlite) closed without error.
      expect(server.output()).toContain('"msg":"stopped"');
      expect(server.output()).not.toContain("closing the database failed");
    },
    120_000,
  );
});

async function startServer(engine: Engine): Promise<Running> {
  const cwd = mkdtempSync(join(tmpdir(), "scim-gate-shutdown-"));
  cleanups.push(async () => rmSync(cwd, { recursive: true, force: true }));
  let databaseUrl = "";
  if (engine === "postgres") {
    const throwaway = await createThrowawayDatabase("scimshutdown");
    cleanups.push(throwaway.drop);
    databaseUrl = throwaway.url;
  }
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? cwd,
      PORT: String(port),
      DATA_DIR: join(cwd, "data"),
      DATABASE_URL: databaseUrl,
      ADMIN_TOKEN,
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  });
  const running = { child, port, exited, output: () => output };
  await waitUntil(async () => (await get(port, "/healthz").catch(() => 0)) === 200, "/healthz to answer 200", running, 90_000);
  return running;
}

function get(port: number, path: string, agent?: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: agent ?? false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
  });
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
  });
}

async function waitUntil(check: () => Promise<boolean>, what: string, server: Pick<Running, "output" | "child">, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (server.child.exitCode !== null) throw new Error(`the server exited while waiting for ${what}:\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string, server: Pick<Running, "output">): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}:\n${server.output()}`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
