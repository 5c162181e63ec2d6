/**
 * The transcript format (documented in idp-fixtures/README.md): one JSON file
 * per identity provider, an ordered list of the requests that provider sends
 * over a whole lifecycle, each with the response it reads back.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface TranscriptRequest {
  method: HttpMethod;
  /** Path relative to the SCIM base URL, query included, e.g. `/Users?filter=userName eq "{{user.alice.userName}}"`. */
  path: string;
  /** The headers the provider sends that matter (Authorization is added by the replay). */
  headers?: Record<string, string>;
  body?: unknown;
}

export interface TranscriptExpect {
  status: number;
  /** Fields the provider reads back, in the matcher language of matcher.ts; unlisted fields are not checked. */
  body?: unknown;
  headers?: Record<string, unknown>;
}

/**
 * The provider's initial-sync paging: GET path&startIndex=1&count=N, then
 * startIndex += itemsPerPage until totalResults is reached (RFC 7644 §3.4.2.4).
 */
export interface TranscriptPaging {
  /** The page size the provider asks for. A replay may lower it (pageSize) so a few users span pages. */
  count: number;
  /** Ids that must each be seen exactly once across the pages. */
  expectIds: string[];
}

export interface TranscriptStep {
  name: string;
  /** Where this request and response come from, when more precise than the transcript's sources. */
  source?: string;
  /** Why the provider sends it, and anything unusual about it. */
  note?: string;
  request: TranscriptRequest;
  expect: TranscriptExpect;
  /** Values to remember from the response body for later placeholders: {"user.alice.id": "id"}. */
  capture?: Record<string, string>;
  paging?: TranscriptPaging;
}

export interface TranscriptRequires {
  /** Products (our product keys) and the seats each needs. */
  products?: Record<string, number>;
}

export interface Transcript {
  provider: string;
  title: string;
  /** The provider's own published documentation this transcript is built from. */
  source: string[];
  notes?: string[];
  /** Lifecycle steps this provider does not perform, and why (with a source). */
  omits?: { what: string; why: string }[];
  requires: TranscriptRequires;
  steps: TranscriptStep[];
}

export class TranscriptError extends Error {
  override name = "TranscriptError";
}

const METHODS = new Set<string>(["GET", "POST", "PUT", "PATCH", "DELETE"]);

/** Validates a parsed JSON document as a transcript; every problem is reported at once. */
export function parseTranscript(doc: unknown, origin = "transcript"): Transcript {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!isObject(doc)) throw new TranscriptError(`${origin}: must be a JSON object`);
  for (const key of ["provider", "title"]) {
    if (typeof doc[key] !== "string" || !doc[key]) fail(key, "must be a non-empty string");
  }
  if (!Array.isArray(doc.source) || doc.source.length === 0 || !doc.source.every((s) => typeof s === "string" && /^https?:\/\//.test(s))) {
    fail("source", "must be a non-empty list of http(s) URLs: every transcript cites where it comes from");
  }
  const requires = doc.requires ?? {};
  if (!isObject(requires)) fail("requires", "must be an object");
  else if (requires.products !== undefined) {
    const products = requires.products;
    if (!isObject(products) || !Object.values(products).every((n) => Number.isInteger(n) && (n as number) >= 0)) {
      fail("requires.products", 'must map product keys to seat counts, e.g. {"meeting": 5}');
    }
  }
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) fail("steps", "must be a non-empty list");
  else doc.steps.forEach((s, i) => checkStep(s, `steps[${i}]`, fail));
  if (problems.length) throw new TranscriptError(`${origin} is not a valid transcript:\n  ${problems.join("\n  ")}`);
  return doc as unknown as Transcript;
}

function checkStep(step: unknown, where: string, fail: (where: string, what: string) => void): void {
  if (!isObject(step)) return void fail(where, "must be an object");
  if (typeof step.name !== "string" || !step.name) fail(`${where}.name`, "must be a non-empty string");
  const req = step.request;
  if (!isObject(req)) fail(`${where}.request`, "must be an object");
  else {
    if (typeof req.method !== "string" || !METHODS.has(req.method)) fail(`${where}.request.method`, "must be GET, POST, PUT, PATCH or DELETE");
    if (typeof req.path !== "string" || !req.path.startsWith("/")) fail(`${where}.request.path`, 'must start with "/"');
    if (req.headers !== undefined && (!isObject(req.headers) || !Object.values(req.headers).every((v) => typeof v === "string"))) {
      fail(`${where}.request.headers`, "must map header names to strings");
    }
  }
  const exp = step.expect;
  if (!isObject(exp) || !Number.isInteger(exp.status)) fail(`${where}.expect.status`, "must be an HTTP status");
  if (step.capture !== undefined && (!isObject(step.capture) || !Object.values(step.capture).every((v) => typeof v === "string"))) {
    fail(`${where}.capture`, 'must map names to response paths, e.g. {"user.alice.id": "id"}');
  }
  if (step.paging !== undefined) {
    const p = step.paging;
    if (!isObject(p) || !Number.isInteger(p.count) || (p.count as number) < 1 || !Array.isArray(p.expectIds)) {
      fail(`${where}.paging`, 'must be {"count": n, "expectIds": [...]}');
    }
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
