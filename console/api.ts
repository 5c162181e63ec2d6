/**
 * The one way the console talks to the server: the admin API under
 * /admin/v1, with the session cookie (same origin) and, on every write, the
 * CSRF token the session handed out. Errors come back as ApiError with the
 * server's code and message, which pages show as they are: the server is the
 * authority on what is allowed (a read-only admin is refused there, not here).
 */
export const API = "/admin/v1";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrfToken: string | undefined;
let onUnauthenticated: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the server answers 401: the session ended (expired, signed out elsewhere). */
export function onSessionLost(handler: () => void): void {
  onUnauthenticated = handler;
}

export interface RequestOptions {
  /** A JSON value, or raw text with `contentType`. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

/** A raw response (2xx only); errors are thrown as ApiError. */
export async function request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: options.accept ?? "application/json" };
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    if (options.contentType) {
      headers["Content-Type"] = options.contentType;
      body = options.body as BodyInit;
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
  }
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const res = await fetch(`${API}${path}`, {
    method,
    headers,
    body,
    credentials: "same-origin",
    cache: "no-store",
    redirect: "error",
    signal: options.signal,
  });
  if (res.ok) return res;
  const err = await errorOf(res);
  if (res.status === 401 && !path.startsWith("/session")) onUnauthenticated?.();
  throw err;
}

export async function errorOf(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = `The server answered ${res.status} ${res.statusText}`.trim();
  try {
    const json = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof json.error === "string") code = json.error;
    if (typeof json.message === "string") message = json.message;
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  return new ApiError(res.status, code, message);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request("GET", path, { signal })).json() as Promise<T>;
}

/** A write with a JSON body; resolves to the JSON answer, or undefined for 204. */
export async function send<T = unknown>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, { body });
  if (res.status === 204) return undefined as T;
  return res.json() as Promise<T>;
}

/** A query string from the non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const enc = encodeURIComponent;
