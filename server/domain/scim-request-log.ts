/**
 * The recent SCIM requests of each token, for the console's provisioning page:
 * what the identity provider sent (method, path with query string) and what it
 * got back (status, scimType, the error detail it received). Never bodies or
 * headers: those carry personal data and the bearer token.
 *
 * Recording must cost no database round trip in the request path (identity
 * providers push thousands of users in a burst), so entries are buffered in
 * memory per process and written with one multi-row INSERT when the first
 * entry has waited `flushIntervalMs`, or as soon as `batchSize` are waiting.
 * The log is advisory: when the database refuses a batch, the batch is dropped
 * and reported, never retried in a loop; when the buffer outgrows `maxBuffered`
 * (a database outage), the oldest entries go first. After each write the
 * tokens written keep their newest `keepPerToken` rows, and about once a minute
 * rows older than `maxAgeMs` go for every token (revoked ones included).
 */
import type { Kysely } from "kysely";
import { isUuid, uuidv7 } from "../lib/ids.ts";
import * as repo from "../storage/scim-requests-repo.ts";
import type { Database } from "../storage/tables.ts";
import { InvalidValueError } from "./errors.ts";

export interface ScimRequestRecord {
  orgId: string;
  tokenId: string;
  at: Date;
  method: string;
  /** Path with query string, as the client sent it. */
  path: string;
  status: number;
  scimType: string | null;
  detail: string | null;
  durationMs: number;
}

export interface ScimRequestEntry extends ScimRequestRecord {
  id: string;
}

export interface ScimRequestLogOptions {
  flushIntervalMs?: number;
  batchSize?: number;
  keepPerToken?: number;
  maxAgeMs?: number;
  maxBuffered?: number;
  /** A batch could not be written (it is dropped), or entries were dropped from a full buffer. */
  onError?: (err: unknown, dropped: number) => void;
}

const MAX_PATH = 2048;
const MAX_DETAIL = 1000;
// PostgreSQL takes at most 65,535 parameters per statement; a row has 10.
const ROWS_PER_INSERT = 1000;
const AGE_PRUNE_EVERY_MS = 60_000;

export class ScimRequestLog {
  readonly #db: Kysely<Database>;
  readonly #flushIntervalMs: number;
  readonly #batchSize: number;
  readonly #keepPerToken: number;
  readonly #maxAgeMs: number;
  readonly #maxBuffered: number;
  readonly #onError: (err: unknown, dropped: number) => void;
  #buffer: repo.NewScimRequestRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #timerImmediate = false;
  #writing: Promise<void> = Promise.resolve();
  #lastAgePrune = 0;

  constructor(db: Kysely<Database>, options: ScimRequestLogOptions = {}) {
    this.#db = db;
    this.#flushIntervalMs = options.flushIntervalMs ?? 250;
    this.#batchSize = options.batchSize ?? 200;
    this.#keepPerToken = options.keepPerToken ?? 1000;
    this.#maxAgeMs = options.maxAgeMs ?? 7 * 24 * 60 * 60 * 1000;
    this.#maxBuffered = options.maxBuffered ?? 10_000;
    this.#onError = options.onError ?? (() => {});
  }

  /** Buffers one entry (synchronous, no I/O). */
  record(r: ScimRequestRecord): void {
    this.#buffer.push({
      id: uuidv7(),
      org_id: r.orgId,
      token_id: r.tokenId,
      at: r.at,
      method: r.method.slice(0, 16),
      path: r.path.slice(0, MAX_PATH),
      status: r.status,
      scim_type: r.scimType?.slice(0, 64) ?? null,
      detail: r.detail?.slice(0, MAX_DETAIL) ?? null,
      duration_ms: Math.max(0, Math.round(r.durationMs)),
    });
    const excess = this.#buffer.length - this.#maxBuffered;
    if (excess > 0) {
      this.#buffer.splice(0, excess);
      this.#onError(new Error("SCIM request log buffer full: the database is not keeping up"), excess);
    }
    if (this.#buffer.length >= this.#batchSize) {
      this.#schedule(0);
    } else if (!this.#timer) {
      this.#schedule(this.#flushIntervalMs);
    }
  }

  /** Writes everything buffered so far; resolves when it is in the database (or dropped on error). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerImmediate = false;
    // One write at a time: batches land in order and never compete for connections.
    this.#writing = this.#writing.then(() => this.#writeAll());
    return this.#writing;
  }

  /** Entries waiting to be written (for tests and shutdown logs). */
  get pending(): number {
    return this.#buffer.length;
  }

  #schedule(ms: number): void {
    if (this.#timer && (ms > 0 || this.#timerImmediate)) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerImmediate = ms === 0;
    // unref: a pending flush never keeps the process alive; shutdown calls flush() itself.
    this.#timer = setTimeout(() => void this.flush(), ms).unref();
  }

  async #writeAll(): Promise<void> {
    const tokens = new Set<string>();
    while (this.#buffer.length) {
      const batch = this.#buffer.splice(0, ROWS_PER_INSERT);
      try {
        await repo.insertScimRequests(this.#db, batch);
        for (const row of batch) tokens.add(row.token_id);
      } catch (err) {
        this.#onError(err, batch.length);
      }
    }
    try {
      if (tokens.size) await repo.pruneTokensToNewest(this.#db, [...tokens], this.#keepPerToken);
      const now = Date.now();
      if (tokens.size && now - this.#lastAgePrune >= AGE_PRUNE_EVERY_MS) {
        this.#lastAgePrune = now;
        await repo.deleteOlderThanId(this.#db, lowestUuidv7At(now - this.#maxAgeMs));
      }
    } catch (err) {
      this.#onError(err, 0);
    }
  }
}

/** The smallest UUIDv7 of a millisecond: every id made at or after `ms` sorts above it. */
export function lowestUuidv7At(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

export interface ScimRequestListQuery {
  token?: string | undefined;
  status?: string | undefined;
  before?: string | undefined;
  limit?: number | undefined;
}

/** A page of an organization's logged SCIM requests, newest first; `next` is the `before` of the next page. */
export async function listScimRequests(
  db: Kysely<Database>,
  orgId: string,
  query: ScimRequestListQuery,
): Promise<{ requests: ScimRequestEntry[]; next: string | null }> {
  if (query.token !== undefined && !isUuid(query.token)) throw new InvalidValueError(`token must be a SCIM token id, not "${query.token}"`);
  if (query.before !== undefined && !isUuid(query.before)) {
    throw new InvalidValueError(`before must be the id of a logged request (the "next" of the previous page), not "${query.before}"`);
  }
  const status = query.status ?? "all";
  if (status !== "all" && status !== "errors") throw new InvalidValueError(`status must be "errors" or "all", not "${status}"`);
  const limit = query.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new InvalidValueError(`limit must be an integer from 1 to ${MAX_PAGE}`);
  const rows = await repo.listScimRequests(db, {
    orgId,
    tokenId: query.token?.toLowerCase(),
    errorsOnly: status === "errors",
    before: query.before?.toLowerCase(),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    requests: page.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      tokenId: r.token_id,
      at: new Date(r.at),
      method: r.method,
      path: r.path,
      status: r.status,
      scimType: r.scim_type,
      detail: r.detail,
      durationMs: r.duration_ms,
    })),
    next: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
