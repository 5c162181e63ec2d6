import { Router } from "express";
import { CONTENT_TYPE, Registry } from "../lib/prometheus.ts";
import { operatorAuth } from "./admin-auth.ts";
import type { RequestSample } from "./request-context.ts";

/** Seconds; from a fast read (a few ms) to the request timeout's order of magnitude. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export interface MetricsSources {
  /** Granted and pending seats per organization and product, read at scrape time. */
  seatTotals(): Promise<readonly { orgId: string; productKey: string; granted: number; pending: number }[]>;
  poolStats(): { total: number; idle: number; waiting: number };
}

export interface Metrics {
  /** Counts one finished request (the request-context middleware calls it). */
  record(sample: RequestSample): void;
  /** Counts one request refused by a rate limit ("token", "org", "sso_client"). */
  rateLimited(limit: string): void;
  exposition(): Promise<string>;
}

/**
 * The app's metrics. Request counts come from the request-context middleware;
 * SCIM writes are recognised from method, path and status there, so no domain
 * code knows about metrics. Seat and pool gauges are computed at each scrape.
 */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const requests = registry.counter("http_requests_total", "HTTP requests by method, route pattern and status.", ["method", "route", "status"]);
  const duration = registry.histogram(
    "http_request_duration_seconds",
    "HTTP request duration in seconds, by method and route pattern.",
    ["method", "route"],
    DURATION_BUCKETS,
  );
  const scimOps = registry.counter(
    "scim_operations_total",
    "SCIM writes by organization, resource (Users, Groups), operation (create, replace, patch, delete) and outcome (success, client_error, server_error).",
    ["org", "resource", "operation", "outcome"],
  );
  const limited = registry.counter(
    "rate_limited_total",
    "Requests refused with 429 by a rate limit: token (one SCIM token), org (all SCIM tokens of an organization), sso_client (sign-in requests from one client address).",
    ["limit"],
  );
  const granted = registry.gauge("seats_granted", "Seats granted per organization and product.", ["org", "product"]);
  const pending = registry.gauge("seats_pending", "Seats waiting for a free seat per organization and product.", ["org", "product"]);
  const poolTotal = registry.gauge("db_pool_total", "Database connections open (PGlite: always 1).");
  const poolIdle = registry.gauge("db_pool_idle", "Database connections open and idle.");
  const poolWaiting = registry.gauge("db_pool_waiting", "Queries waiting for a database connection.");

  registry.onCollect(async () => {
    const rows = await sources.seatTotals();
    granted.reset();
    pending.reset();
    for (const r of rows) {
      granted.set({ org: r.orgId, product: r.productKey }, r.granted);
      pending.set({ org: r.orgId, product: r.productKey }, r.pending);
    }
    const pool = sources.poolStats();
    poolTotal.set({}, pool.total);
    poolIdle.set({}, pool.idle);
    poolWaiting.set({}, pool.waiting);
  });

  return {
    record(s) {
      requests.inc({ method: s.method, route: s.route, status: String(s.status) });
      duration.observe({ method: s.method, route: s.route }, s.durationSeconds);
      const op = scimWrite(s.method, s.path);
      if (op && s.orgId) scimOps.inc({ org: s.orgId, ...op, outcome: outcomeOf(s.status) });
      for (const b of s.bulkOperations ?? []) {
        const bulkOp = scimWrite(b.method, `/scim/v2${b.path}`);
        if (bulkOp && s.orgId) scimOps.inc({ org: s.orgId, ...bulkOp, outcome: outcomeOf(b.status) });
      }
    },
    rateLimited: (limit) => limited.inc({ limit }),
    exposition: () => registry.exposition(),
  };
}

/**
 * GET /metrics for Prometheus, behind the operator token: the labels name every
 * organization and its products, which a SCIM token (one organization's) must
 * not see.
 */
export function metricsRouter(metrics: Metrics, adminToken: string | undefined): Router {
  const r = Router();
  r.get("/metrics", operatorAuth(adminToken), async (_req, res) => {
    const body = await metrics.exposition();
    res.set("Content-Type", CONTENT_TYPE).send(body);
  });
  return r;
}

const SCIM_WRITE_PATH = /^\/scim\/v2\/(Users|Groups)(\/[^/]+)?\/?$/;

function scimWrite(method: string, path: string): { resource: string; operation: string } | undefined {
  const m = SCIM_WRITE_PATH.exec(path);
  if (!m) return undefined;
  const resource = m[1]!;
  const id = m[2];
  if (method === "POST" && !id) return { resource, operation: "create" };
  if (!id || id === "/.search") return undefined;
  if (method === "PUT") return { resource, operation: "replace" };
  if (method === "PATCH") return { resource, operation: "patch" };
  if (method === "DELETE") return { resource, operation: "delete" };
  return undefined;
}

function outcomeOf(status: number): string {
  return status >= 500 ? "server_error" : status >= 400 ? "client_error" : "success";
}
