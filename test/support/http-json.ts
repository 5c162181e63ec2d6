// A JSON request to a server process over real HTTP (fetch), with a deadline so
// a hung server fails the test instead of stalling it. Network failures (a
// killed server) are thrown as they come: callers decide what they mean.

export interface JsonAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export interface JsonRequest {
  token?: string;
  body?: unknown;
  contentType?: string;
  cookie?: string;
  timeoutMs?: number;
}

export async function callJson(url: string, method: string, request: JsonRequest = {}): Promise<JsonAnswer> {
  const headers: Record<string, string> = {};
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.cookie) headers.Cookie = request.cookie;
  if (request.body !== undefined) headers["Content-Type"] = request.contentType ?? "application/json";
  const res = await fetch(url, {
    method,
    headers,
    redirect: "manual",
    signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    ...(request.body === undefined ? {} : { body: typeof request.body === "string" ? request.body : JSON.stringify(request.body) }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the text itself is the body.
  }
  return { status: res.status, body, headers: res.headers };
}
