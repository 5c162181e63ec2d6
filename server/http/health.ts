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

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
