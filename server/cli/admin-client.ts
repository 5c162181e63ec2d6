import { CliFailure } from "./io.ts";

/** The operator API's shapes (server/http/admin-routes.ts). */
export interface OrgJson {
  id: string;
  name: string;
  createdAt: string;
}

export interface TokenJson {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedTokenJson extends TokenJson {
  token: string;
  scimUrl: string;
}

export interface AdminClientOptions {
  baseUrl: string;
  adminToken: string;
  fetch: typeof fetch;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export interface SendInit {
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
}

/**
 * A client of /admin/v1 over HTTP, so the CLI works against any deployment.
 * Every failure becomes a CliFailure carrying the server's own message.
 */
export function adminClient({ baseUrl, adminToken, fetch, timeoutMs = DEFAULT_TIMEOUT_MS }: AdminClientOptions) {
  /**
   * One call, answered with the raw response for callers that read the body
   * themselves (CSV, NDJSON streams); any non-2xx answer is a CliFailure.
   */
  async function send(method: string, path: string, init: SendInit = {}): Promise<Response> {
    const url = `${baseUrl}/admin/v1${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          accept: init.accept ?? "application/json",
          ...(init.contentType === undefined ? {} : { "content-type": init.contentType }),
        },
        body: init.body,
        signal: AbortSignal.timeout(init.timeoutMs ?? timeoutMs),
      });
    } catch (e) {
      throw new CliFailure(`cannot reach ${baseUrl}: ${networkReason(e, init.timeoutMs ?? timeoutMs)}`, "unreachable");
    }
    if (!res.ok) {
      const { error, message } = (parseJson(await res.text()) ?? {}) as { error?: unknown; message?: unknown };
      throw new CliFailure(
        typeof message === "string" ? message : `HTTP ${res.status} ${res.statusText} from ${url}`,
        typeof error === "string" ? error : "http_error",
        res.status,
      );
    }
    return res;
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await send(method, path, body === undefined ? {} : { body: JSON.stringify(body), contentType: "application/json" });
    if (res.status === 204) return undefined as T;
    const parsed = parseJson(await res.text());
    if (parsed === undefined) {
      throw new CliFailure(`${baseUrl}/admin/v1${path} did not answer JSON: is --url a scim-gate server?`, "bad_response", res.status);
    }
    return parsed as T;
  }

  const org = (id: string) => `/orgs/${encodeURIComponent(id)}`;
  return {
    /** Any operator API call; the typed calls of users, groups, domains, products and audit are in org-model-client.ts. */
    request: call,
    send,
    createOrg: (name: string) => call<OrgJson>("POST", "/orgs", { name }),
    getOrg: (id: string) => call<OrgJson>("GET", org(id)),
    listOrgs: async () => (await call<{ orgs: OrgJson[] }>("GET", "/orgs")).orgs,
    createToken: (orgId: string, label: string) => call<CreatedTokenJson>("POST", `${org(orgId)}/scim-tokens`, { label }),
    listTokens: async (orgId: string) => (await call<{ tokens: TokenJson[] }>("GET", `${org(orgId)}/scim-tokens`)).tokens,
    revokeToken: (orgId: string, tokenId: string) =>
      call<void>("DELETE", `${org(orgId)}/scim-tokens/${encodeURIComponent(tokenId)}`),
  };
}

export type AdminClient = ReturnType<typeof adminClient>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** fetch reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in its cause. */
function networkReason(e: unknown, timeoutMs: number): string {
  if ((e as { name?: string }).name === "TimeoutError") return `no answer within ${timeoutMs / 1000}s`;
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
