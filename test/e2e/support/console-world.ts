// A real scim-gate app listening on loopback for the browser, on a real
// migrated database (PGlite, or PostgreSQL when TEST_DATABASE_URL is set),
// with the test DNS server as its resolver and a loopback SAML IdP configured
// for one organization whose people arrive over SCIM, as in production.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { createApp } from "../../../server/app.ts";
import { ScimRequestLog } from "../../../server/domain/scim-request-log.ts";
import type { DatabaseHandle } from "../../../server/storage/database.ts";
import { startDnsServer, type TestDnsServer } from "../../support/dns-server.ts";
import { type Engine, openTestDatabase } from "../../support/engines.ts";
import { type LoopbackIdp, startLoopbackIdp } from "./loopback-idp.ts";

export const ADMIN_TOKEN = "e2e-operator-token-0123456789abcdef";
export const DOMAIN = "acme.test";

export interface ConsoleWorld {
  /** http://127.0.0.1:<port>: PUBLIC_URL, and where the browser goes. */
  url: string;
  database: DatabaseHandle;
  dns: TestDnsServer;
  idp: LoopbackIdp;
  org: { id: string; name: string; token: string; tokenId: string };
  /** Operator call to the admin API (Bearer ADMIN_TOKEN); throws unless 2xx. */
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** SCIM call with the organization's token; resolves to the raw response. */
  scim(method: string, path: string, body?: unknown): Promise<Response>;
  /** Provisions `local@acme.test` over SCIM with optional SCIM role values; its id. */
  provision(local: string, options?: { roles?: string[]; entitlements?: string[]; displayName?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startConsoleWorld(engine: Engine): Promise<ConsoleWorld> {
  const database = await openTestDatabase(engine);
  const dns = await startDnsServer();
  const idp = await startLoopbackIdp();
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const scimRequestLog = new ScimRequestLog(database.db, { flushIntervalMs: 50 });
  const app = createApp({
    config: { publicUrl: url, adminToken: ADMIN_TOKEN, dnsServers: [dns.address] },
    database,
    logger: pino({ level: "silent" }),
    scimRequestLog,
  });
  http.on("request", app);

  const call = async (method: string, path: string, auth: string, body: unknown, contentType: string) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { "Content-Type": contentType }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res;
  };
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await call(method, `/admin/v1${path}`, ADMIN_TOKEN, body, "application/json");
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const created = await admin<{ id: string; name: string }>("POST", "/orgs", { name: "Acme" });
  await admin("POST", `/orgs/${created.id}/domains`, { name: DOMAIN, verified: true });
  const token = await admin<{ id: string; token: string }>("POST", `/orgs/${created.id}/scim-tokens`, { label: "Entra ID" });
  await admin("PUT", `/orgs/${created.id}/saml`, { entityId: idp.idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.idp.key.certificatePem] });
  await admin("PUT", `/orgs/${created.id}/products/meeting`, { seats: 5 });
  await admin("PUT", `/orgs/${created.id}/products/webinar`, { seats: 2 });
  const org = { id: created.id, name: created.name, token: token.token, tokenId: token.id };

  const scim = (method: string, path: string, body?: unknown) => call(method, `/scim/v2${path}`, org.token, body, "application/scim+json");
  const provision: ConsoleWorld["provision"] = async (local, options = {}) => {
    const res = await scim("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: `${local}@${DOMAIN}`,
      displayName: options.displayName,
      name: { givenName: local, familyName: "Test" },
      emails: [{ value: `${local}@${DOMAIN}`, type: "work", primary: true }],
      active: true,
      ...(options.roles ? { roles: options.roles.map((value) => ({ value })) } : {}),
      ...(options.entitlements ? { entitlements: options.entitlements.map((value) => ({ value })) } : {}),
    });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 201 || !body.id) throw new Error(`provisioning ${local} answered ${res.status}: ${JSON.stringify(body)}`);
    return body.id;
  };

  return {
    url,
    database,
    dns,
    idp,
    org,
    admin,
    scim,
    provision,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await scimRequestLog.flush();
      await Promise.all([idp.close(), dns.stop()]);
      await database.close();
    },
  };
}
