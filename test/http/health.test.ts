// GET /healthz: 200 only while the database answers; 503 (without details of the failure) when it does not.
import express from "express";
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../server/app.ts";
import { healthRouter } from "../../server/http/health.ts";
import { type DatabaseHandle, openDatabase } from "../../server/storage/database.ts";
import { ENGINES, openTestDatabase } from "../support/engines.ts";
import { PUBLIC_URL, startTestServer, type TestServer } from "../support/server.ts";

const appOver = (database: DatabaseHandle) =>
  createApp({ config: { publicUrl: PUBLIC_URL, adminToken: undefined }, database, logger: pino({ level: "silent" }) });

describe.each(ENGINES)("health on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers 200 ok with a working database, without any credentials", async () => {
    const res = await supertest(server.app).get("/healthz").expect(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("answers 503 once the database handle has been closed", async () => {
    const database = await openTestDatabase(engine);
    const app = appOver(database);
    await supertest(app).get("/healthz").expect(200);
    await database.close();
    const res = await supertest(app).get("/healthz").expect(503);
    expect(res.body).toEqual({ status: "unavailable", database: "unreachable" });
    expect(res.headers["cache-control"]).toBe("no-store");
  });
});

describe("health with an unreachable database", () => {
  it("answers 503 when the PostgreSQL server refuses connections", async () => {
    // Port 1 on loopback: nothing listens, so every connection attempt is refused at once.
    const database = await openDatabase({ databaseUrl: "postgres://nobody@127.0.0.1:1/none", poolSize: 1 });
    try {
      const res = await supertest(appOver(database)).get("/healthz").expect(503);
      expect(res.body).toEqual({ status: "unavailable", database: "unreachable" });
    } finally {
      await database.close();
    }
  });

  it("answers 503 instead of hanging when the database never answers", async () => {
    const app = express().use(healthRouter(() => new Promise(() => {}), 50));
    const started = Date.now();
    const res = await supertest(app).get("/healthz").expect(503);
    expect(res.body).toEqual({ status: "unavailable", database: "unreachable" });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("answers 503 without leaking the error when ping rejects", async () => {
    const real = await openTestDatabase("pglite");
    const failing: DatabaseHandle = { ...real, ping: () => Promise.reject(new Error("secret connection detail")) };
    try {
      const res = await supertest(appOver(failing)).get("/healthz").expect(503);
      expect(res.text).not.toContain("secret connection detail");
    } finally {
      await real.close();
    }
  });
});
