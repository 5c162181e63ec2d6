/**
 * Opaque cursors for RFC 9865 cursor-based pagination. A cursor is the keyset
 * position where the previous page ended (sort value and id), plus what it was
 * issued for (resource type and sort), as base64url JSON: only RFC 3986
 * unreserved characters, as RFC 9865 requires. It holds no secret and no
 * expiry: it names a place in the list, never a snapshot, so it stays valid
 * however long the client waits (ServiceProviderConfig cursorTimeout is a floor).
 * Anything that does not decode to a cursor of this list is 400 invalidCursor.
 */
import type { KeysetPosition } from "../../domain/list-query.ts";
import { ScimError } from "../scim-error.ts";

const VERSION = 1;
/**
 * Advertised as cursorTimeout (RFC 9865 §4: the least time a cursor stays
 * valid). Ours never expire, so any floor is true; a day covers a slow sync.
 */
export const CURSOR_TIMEOUT_SECONDS = 86_400;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest cursor we could have issued is far below this; longer input is refused before decoding. */
const MAX_CURSOR_CHARS = 4096;

/** What a cursor is bound to: resuming it under another resource type or sort would skip or repeat rows. */
export interface CursorScope {
  resource: "User" | "Group";
  sortBy?: string | undefined;
  descending: boolean;
}

interface CursorBody {
  v: number;
  r: string;
  s: string;
  k: [string | null, string] | null;
}

export const invalidCursor = (detail: string) => new ScimError(400, "invalidCursor", detail);

export function encodeCursor(scope: CursorScope, position: KeysetPosition | "start"): string {
  const body: CursorBody = {
    v: VERSION,
    r: scope.resource,
    s: sortOf(scope),
    k: position === "start" ? null : [position.sortValue, position.id],
  };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

/** An empty cursor asks for the first page (RFC 9865). */
export function decodeCursor(scope: CursorScope, raw: string): KeysetPosition | "start" {
  if (raw === "") return "start";
  const body = parse(raw);
  if (body.r !== scope.resource) {
    throw invalidCursor(`This cursor was issued for /${body.r}s, not /${scope.resource}s; start again with cursor=""`);
  }
  if (body.s !== sortOf(scope)) {
    throw invalidCursor(
      "This cursor was issued for another sortBy or sortOrder; repeat the parameters of the first request, changing only cursor",
    );
  }
  if (body.k === null) return "start";
  return { sortValue: body.k[0], id: body.k[1] };
}

function parse(raw: string): CursorBody {
  const malformed = invalidCursor(`"${raw.slice(0, 64)}" is not a cursor issued by this service; start again with cursor=""`);
  if (raw.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(raw)) throw malformed;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw malformed;
  }
  if (!isCursorBody(body)) throw malformed;
  return body;
}

function isCursorBody(b: unknown): b is CursorBody {
  if (typeof b !== "object" || b === null) return false;
  const c = b as Record<string, unknown>;
  if (c.v !== VERSION || typeof c.r !== "string" || typeof c.s !== "string") return false;
  if (c.k === null) return true;
  return (
    Array.isArray(c.k) &&
    c.k.length === 2 &&
    (c.k[0] === null || (typeof c.k[0] === "string" && !c.k[0].includes("\u0000"))) &&
    typeof c.k[1] === "string" &&
    UUID.test(c.k[1])
  );
}

function sortOf(scope: CursorScope): string {
  return scope.sortBy ? `${scope.sortBy.trim().toLowerCase()} ${scope.descending ? "descending" : "ascending"}` : "id";
}

/**
 * A cursor whose sort value was edited to something the sort expression's type
 * cannot read (a date, a number) makes PostgreSQL refuse the query with a
 * data exception (SQLSTATE class 22); that is the client's cursor, not our fault.
 */
export async function withCursorErrors<T>(after: KeysetPosition | "start" | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof after === "object" && typeof code === "string" && code.startsWith("22")) {
      throw invalidCursor('The cursor does not hold a position in this list; start again with cursor=""');
    }
    throw e;
  }
}
