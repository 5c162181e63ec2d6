/**
 * Replays a transcript against a SCIM endpoint over HTTP, as the identity
 * provider would: substitutes placeholders, sends each step with fetch, checks
 * the status and the fields the provider reads back, captures ids for later
 * steps. A client only: it knows nothing of the server behind the URL.
 */
import { readPath } from "./json-path.ts";
import { type Difference, match, show } from "./matcher.ts";
import { MissingValueError, runId, Variables } from "./placeholders.ts";
import type { Transcript, TranscriptStep } from "./transcript.ts";

export interface ReplayOptions {
  transcript: Transcript;
  /** SCIM base URL, e.g. https://scim.example.com/scim/v2 */
  url: string;
  /** The organization's SCIM bearer token. */
  token: string;
  /** A verified domain of the organization: `{{domain}}`. */
  domain: string;
  fetch?: typeof fetch;
  /** Overrides the page size of paging steps, so that a handful of users spans several pages. */
  pageSize?: number;
  /** `{{run}}`; random by default. */
  run?: string;
  timeoutMs?: number;
  /** Called as each step finishes, for live output. */
  onStep?: (result: StepResult) => void;
}

export interface StepResult {
  /** 1-based, as printed. */
  index: number;
  name: string;
  method: string;
  /** The path with placeholders substituted, as a person reads it (sent percent-encoded), or as written when it could not be built. */
  path: string;
  passed: boolean;
  expectedStatus: number;
  status?: number;
  differences: Difference[];
  /** Why the step could not be sent or read (missing capture, network, non-JSON body). */
  error?: string;
  /** The server's own error detail, when it answered with a SCIM error. */
  serverDetail?: string;
  /** Requests sent (paging steps send one per page). */
  requests: number;
}

export interface ReplayResult {
  provider: string;
  run: string;
  steps: StepResult[];
  passed: number;
  failed: number;
}

const MAX_PAGES = 1000;
const DEFAULT_TIMEOUT_MS = 30_000;

export async function replayTranscript(options: ReplayOptions): Promise<ReplayResult> {
  const { transcript, onStep } = options;
  const run = options.run ?? runId();
  const baseUrl = options.url.replace(/\/+$/, "");
  const vars = new Variables({ domain: options.domain, baseUrl, run });
  const steps: StepResult[] = [];
  for (const [i, step] of transcript.steps.entries()) {
    const result = await runStep(step, i + 1, vars, { ...options, url: baseUrl });
    steps.push(result);
    onStep?.(result);
  }
  const passed = steps.filter((s) => s.passed).length;
  return { provider: transcript.provider, run, steps, passed, failed: steps.length - passed };
}

type Options = ReplayOptions & { url: string };

async function runStep(step: TranscriptStep, index: number, vars: Variables, options: Options): Promise<StepResult> {
  const base = {
    index,
    name: step.name,
    method: step.request.method,
    path: step.request.path,
    expectedStatus: step.expect.status,
    requests: 0,
  };
  let request: TranscriptStep["request"];
  let expect: TranscriptStep["expect"];
  let paging: TranscriptStep["paging"];
  try {
    ({ request, expect, paging } = vars.substitute({ request: step.request, expect: step.expect, paging: step.paging }));
  } catch (e) {
    if (!(e instanceof MissingValueError)) throw e;
    return { ...base, passed: false, differences: [], error: `not sent: ${e.message}` };
  }
  if (paging) return runPaging({ ...base, path: request.path }, request, expect, paging, options);

  const sent = await send(options, request.method, request.path, request.headers, request.body);
  const result: StepResult = { ...base, path: request.path, requests: 1, passed: false, differences: [] };
  if (sent.error !== undefined) return { ...result, error: sent.error };
  const differences = checkResponse(expect, sent);
  for (const [name, path] of Object.entries(step.capture ?? {})) {
    const value = readPath(sent.body, path);
    if (value === undefined) differences.push({ path: `body.${path}`, expected: `a value to capture as {{${name}}}`, actual: "absent" });
    else vars.set(name, value);
  }
  return {
    ...result,
    status: sent.status,
    differences,
    passed: differences.length === 0,
    ...(sent.status !== expect.status ? { serverDetail: scimDetail(sent.body) } : {}),
  };
}

/** One page after another, as the provider's initial sync reads every resource (RFC 7644 §3.4.2.4). */
async function runPaging(
  base: Omit<StepResult, "passed" | "differences">,
  request: TranscriptStep["request"],
  expect: TranscriptStep["expect"],
  paging: NonNullable<TranscriptStep["paging"]>,
  options: Options,
): Promise<StepResult> {
  const count = options.pageSize ?? paging.count;
  const differences: Difference[] = [];
  const seen = new Map<string, number>();
  let startIndex = 1;
  let requests = 0;
  let status: number | undefined;
  const sep = request.path.includes("?") ? "&" : "?";
  const firstPath = `${request.path}${sep}startIndex=1&count=${count}`;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const sent = await send(options, "GET", `${request.path}${sep}startIndex=${startIndex}&count=${count}`, request.headers, undefined);
    requests++;
    if (sent.error !== undefined) return { ...base, path: firstPath, requests, passed: false, differences, error: sent.error };
    status = sent.status;
    const where = `page ${page} (startIndex=${startIndex})`;
    const pageDiffs = checkResponse(expect, sent).map((d) => ({ ...d, path: `${where} ${d.path}` }));
    differences.push(...pageDiffs);
    if (sent.status !== expect.status) break;
    const body = (sent.body ?? {}) as Record<string, unknown>;
    const resources = Array.isArray(body.Resources) ? (body.Resources as Record<string, unknown>[]) : [];
    const total = body.totalResults;
    if (typeof total !== "number") {
      differences.push({ path: `${where} body.totalResults`, expected: "a number", actual: show(total) });
      break;
    }
    if (body.startIndex !== startIndex) differences.push({ path: `${where} body.startIndex`, expected: String(startIndex), actual: show(body.startIndex) });
    if (body.itemsPerPage !== resources.length) {
      differences.push({ path: `${where} body.itemsPerPage`, expected: `${resources.length} (the number of Resources)`, actual: show(body.itemsPerPage) });
    }
    if (resources.length > count) differences.push({ path: `${where} body.Resources`, expected: `at most ${count}`, actual: `${resources.length}` });
    for (const r of resources) seen.set(String(r.id), (seen.get(String(r.id)) ?? 0) + 1);
    if (resources.length === 0 || startIndex + resources.length > total) break;
    startIndex += resources.length;
  }
  for (const [id, n] of seen) if (n > 1) differences.push({ path: `pages`, expected: `id ${id} once`, actual: `${n} times` });
  for (const id of paging.expectIds) {
    if (!seen.has(id)) differences.push({ path: "pages", expected: `id ${id} on some page`, actual: "not seen" });
  }
  return {
    ...base,
    path: `${firstPath} … (${requests} page${requests === 1 ? "" : "s"} of ${count})`,
    requests,
    passed: differences.length === 0,
    differences,
    ...(status === undefined ? {} : { status }),
  };
}

interface Sent {
  status: number;
  headers: Headers;
  body: unknown;
  error?: string;
}

async function send(options: Options, method: string, rawPath: string, headers: Record<string, string> | undefined, body: unknown): Promise<Sent> {
  const path = encodePath(rawPath);
  const hasBody = body !== undefined;
  const merged: Record<string, string> = {
    accept: "application/scim+json",
    ...(hasBody ? { "content-type": "application/scim+json" } : {}),
    ...lowerKeys(headers ?? {}),
    authorization: `Bearer ${options.token}`,
  };
  const empty = { status: 0, headers: new Headers(), body: undefined };
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(`${options.url}${path}`, {
      method,
      headers: merged,
      ...(hasBody ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (e) {
    return { ...empty, error: `cannot reach ${options.url}: ${networkReason(e)}` };
  }
  const text = await res.text();
  if (text === "") return { status: res.status, headers: res.headers, body: undefined };
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, headers: res.headers, body: undefined, error: `HTTP ${res.status} with a body that is not JSON: ${show(text)}` };
  }
}

function checkResponse(expect: TranscriptStep["expect"], sent: Sent): Difference[] {
  const differences: Difference[] = [];
  if (sent.status !== expect.status) differences.push({ path: "status", expected: String(expect.status), actual: String(sent.status) });
  for (const [name, want] of Object.entries(expect.headers ?? {})) {
    differences.push(...match(want, sent.headers.get(name) ?? undefined, `header ${name.toLowerCase()}`));
  }
  if (expect.body !== undefined && sent.status === expect.status) differences.push(...match(expect.body, sent.body, "body"));
  return differences;
}

/**
 * Transcripts write paths as a person reads them (`/Users?filter=userName eq "a@b.c"`);
 * each path segment and query value is percent-encoded here, once.
 */
export function encodePath(raw: string): string {
  const q = raw.indexOf("?");
  const pathname = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? "" : raw.slice(q + 1);
  const encodedPath = pathname.split("/").map((s) => encodeURIComponent(decodeLoosely(s))).join("/");
  if (!query) return encodedPath;
  const params = query.split("&").filter(Boolean).map((pair) => {
    const eq = pair.indexOf("=");
    const [k, v] = eq === -1 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
    return `${encodeURIComponent(decodeLoosely(k))}=${encodeURIComponent(decodeLoosely(v))}`;
  });
  return `${encodedPath}?${params.join("&")}`;
}

function decodeLoosely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const lowerKeys = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

function scimDetail(body: unknown): string | undefined {
  const b = body as { detail?: unknown; scimType?: unknown } | undefined;
  if (typeof b?.detail !== "string") return undefined;
  return typeof b.scimType === "string" ? `${b.scimType}: ${b.detail}` : b.detail;
}

function networkReason(e: unknown): string {
  if ((e as { name?: string }).name === "TimeoutError") return "no answer in time";
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
