import { Router } from "express";

/** How long /healthz waits for the database before calling it unreachable. */
export const HEALTH_PING_TIMEOUT_MS = 2_000;

/**
 * GET /healthz: 200 when the database answers, 503 when it does not. Never authenticated.
 * The ping is bounded: pg has no connect timeout by default, so a black-holed
 * database host would otherwise hang the probe instead of failing it.
 */
export function healthRouter(ping: () => Promise<void>, timeoutMs = HEALTH_PING_TIMEOUT_MS): Router {
  const r = Router();
  r.get("/healthz", async (_req, res) => {
    res.set("Cache-Control", "no-store");
    try {
      await withTimeout(ping(), timeoutMs);
      res.json({ status: "ok" });
    } catch {
      res.status(503).json({ status: "unavailable", database: "unreachable" });
    }
  });
  return r;
}

/**
 * GET /readyz: 200 only when the database answers and the newest migration this
 * build ships is applied; 503 with the reason otherwise. A load balancer routes
 * traffic by it, so a process that started against an unmigrated (or
 * half-migrated) database takes none. Never authenticated, never rate-limited.
 */
export function readinessRouter(
  checks: { ping: () => Promise<void>; migrated: () => Promise<boolean> },
  timeoutMs = HEALTH_PING_TIMEOUT_MS,
): Router {
  const r = Router();
  r.get("/readyz", async (_req, res) => {
    res.set("Cache-Control", "no-store");
    let migrated: boolean;
    try {
      await withTimeout(checks.ping(), timeoutMs);
      migrated = await withTimeout(checks.migrated(), timeoutMs);
    } catch {
      res.status(503).json({ status: "unavailable", reason: "the database is unreachable" });
      return;
    }
    if (!migrated) {
      res.status(503).json({ status: "unavailable", reason: "database migrations are not complete; run `scim-gate migrate` or restart the server" });
      return;
    }
    res.json({ status: "ready" });
  });
  return r;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
