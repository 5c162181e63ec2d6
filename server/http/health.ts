import { Router } from "express";

/** GET /healthz: 200 when the database answers, 503 when it does not. Never authenticated. */
export function healthRouter(ping: () => Promise<void>): Router {
  const r = Router();
  r.get("/healthz", async (_req, res) => {
    try {
      await ping();
      res.set("Cache-Control", "no-store").json({ status: "ok" });
    } catch {
      res.status(503).set("Cache-Control", "no-store").json({ status: "unavailable", database: "unreachable" });
    }
  });
  return r;
}
