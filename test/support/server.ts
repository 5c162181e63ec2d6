import { pino } from "pino";
import supertest from "supertest";
import type { Express } from "express";
import { createApp } from "../../server/app.ts";
import type { DatabaseHandle } from "../../server/storage/database.ts";
import { type Engine, openTestDatabase } from "./engines.ts";

export const ADMIN_TOKEN = "test-admin-token-0123456789";
export const PUBLIC_URL = "https://scim.test";
export const SCIM_BASE = `${PUBLIC_URL}/scim/v2`;

export interface TestServer {
  engine: Engine;
  app: Express;
  database: DatabaseHandle;
  /** supertest agent with the operator token. */
  admin(method: "get" | "post" | "put" | "delete" | "patch", path: string): supertest.Test;
  /**
   * Creates an organization with one SCIM token and one verified domain: the
   * first organization of a server verifies example.com (what userBody uses),
   * later ones a domain of their own unless one is given.
   */
  newOrg(name?: string, options?: { domain?: string }): Promise<TestOrg>;
  close(): Promise<void>;
}

export interface TestOrg {
  id: string;
  /** A verified email domain of this organization (the first org of a server gets example.com). */
  domain: string;
  token: string;
  tokenId: string;
  /** supertest request against /scim/v2 with this org's token and a SCIM content type. */
  scim(method: "get" | "post" | "put" | "delete" | "patch", path: string): supertest.Test;
}

/** A real app on a real, migrated database (no mocks), driven over HTTP by supertest. */
export async function startTestServer(engine: Engine): Promise<TestServer> {
  const database = await openTestDatabase(engine);
  const app = createApp({
    config: { publicUrl: PUBLIC_URL, adminToken: ADMIN_TOKEN },
    database,
    logger: pino({ level: "silent" }),
  });
  const agent = supertest(app);
  let orgs = 0;
  const admin: TestServer["admin"] = (method, path) =>
    agent[method](`/admin/v1${path}`).set("Authorization", `Bearer ${ADMIN_TOKEN}`);
  return {
    engine,
    app,
    database,
    admin,
    async newOrg(name = "Acme", options = {}) {
      orgs++;
      const domain = options.domain ?? (orgs === 1 ? "example.com" : `org${orgs}-${Math.random().toString(36).slice(2, 8)}.test`);
      const org = await admin("post", "/orgs").send({ name }).expect(201);
      await admin("post", `/orgs/${org.body.id}/domains`).send({ name: domain, verified: true }).expect(201);
      const tok = await admin("post", `/orgs/${org.body.id}/scim-tokens`).send({ label: "test" }).expect(201);
      const token = tok.body.token as string;
      return {
        id: org.body.id,
        domain,
        token,
        tokenId: tok.body.id,
        scim: (method, path) =>
          agent[method](`/scim/v2${path}`)
            .set("Authorization", `Bearer ${token}`)
            .set("Content-Type", "application/scim+json"),
      };
    },
    close: () => database.close(),
  };
}

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** A minimal valid User body; its work email is in `domain` (example.com: the first test org's verified domain). */
export function userBody(userName: string, extra: Record<string, unknown> = {}, domain = "example.com") {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: "Test", familyName: "User" },
    emails: [{ value: userName.includes("@") ? userName : `${userName}@${domain}`, type: "work", primary: true }],
    active: true,
    ...extra,
  };
}

export function patchBody(...Operations: Record<string, unknown>[]) {
  return { schemas: [PATCH_SCHEMA], Operations };
}
