// Steps shared by the console API tests: a SCIM-provisioned user with roles set
// by the operator, a session for it, and requests made the way the console's
// page makes them (session cookie plus X-CSRF-Token). Sessions are started with
// the domain's startSession in a transaction, exactly what a SAML sign-in ends
// with; admin-session-api.test.ts proves the whole SAML flow once.
import type { Express } from "express";
import supertest from "supertest";
import { expect } from "vitest";
import { startSession } from "../../server/domain/sessions.ts";
import type { TestOrg, TestServer } from "../support/server.ts";
import { userBody } from "../support/server.ts";

export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface ConsoleSession {
  userId: string;
  userName: string;
  /** `sg_session=…`, for a Cookie header. */
  cookie: string;
  /** The csrfToken of GET /admin/v1/session (undefined when that was refused). */
  csrf: string | undefined;
  /** A request to /admin/v1 with the cookie and the CSRF token. */
  req(method: Method, path: string): supertest.Test;
}

export interface Roles {
  orgRole?: string;
  adminRole?: string;
  managerScope?: { groups?: string[]; permissions?: string[] };
}

/** Provisions `localPart@<org domain>` over SCIM, sets its roles as the operator, and starts a session. */
export async function signedIn(server: TestServer, org: TestOrg, localPart: string, roles?: Roles, app?: Express): Promise<ConsoleSession> {
  const userName = `${localPart}@${org.domain}`;
  const created = await org.scim("post", "/Users").send(userBody(userName, {}, org.domain)).expect(201);
  const userId = created.body.id as string;
  if (roles) await server.admin("put", `/orgs/${org.id}/users/${userId}/roles`).send(roles).expect(200);
  return sessionFor(server, org.id, userId, userName, app);
}

/** A new session for an existing user. */
export async function sessionFor(server: TestServer, orgId: string, userId: string, userName: string, app?: Express): Promise<ConsoleSession> {
  const { token } = await server.database.db.transaction().execute((trx) => startSession(trx, orgId, userId));
  const cookie = `sg_session=${token}`;
  const target = app ?? server.app;
  const who = await supertest(target).get("/admin/v1/session").set("Cookie", cookie);
  const csrf = who.status === 200 ? (who.body.csrfToken as string) : undefined;
  return {
    userId,
    userName,
    cookie,
    csrf,
    req: (method, path) => {
      const test = supertest(target)[method](`/admin/v1${path}`).set("Cookie", cookie);
      return csrf ? test.set("X-CSRF-Token", csrf) : test;
    },
  };
}

/** Every write route (any method but GET/HEAD) of the app under /admin/v1, read from the router itself. */
export function adminWriteRoutes(app: Express): { method: string; path: string }[] {
  const out = new Map<string, { method: string; path: string }>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          const m = method === "_all" ? "POST" : method.toUpperCase();
          const path = `${prefix}${layer.route.path}`.replace(/\/$/, "");
          if (m !== "GET" && m !== "HEAD" && path.startsWith("/admin/v1/")) out.set(`${m} ${path}`, { method: m, path });
        }
      } else if (layer.handle?.stack) {
        const raw = typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : "";
        walk(layer.handle.stack, prefix + raw);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "");
  const routes = [...out.values()];
  expect(routes.length, "write routes found under /admin/v1").toBeGreaterThan(10);
  return routes;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

/** Count of an organization's audit events (every write records one). */
export async function auditCount(server: TestServer, orgId: string): Promise<number> {
  const row = await server.database.db
    .selectFrom("audit_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("org_id", "=", orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
