import { ScimError, invalidValue } from "./scim-error.ts";

/** Paging limits, advertised in /ServiceProviderConfig (filter.maxResults, pagination). */
export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

export interface ListParams {
  filter?: string | undefined;
  sortBy?: string | undefined;
  descending: boolean;
  /** 1-based, as in RFC 7644 §3.4.2.4. */
  startIndex: number;
  /**
   * RFC 9865 cursor pagination: the cursor as sent ("" for the first page), or
   * undefined for index pagination (the default, see ServiceProviderConfig).
   */
  cursor?: string | undefined;
  count: number;
  projection: Projection;
}

export interface Projection {
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
}

type Raw = Record<string, unknown>;

/** Reads list parameters from a GET query or a POST /.search body (RFC 7644 §3.4.3). */
export function parseListParams(raw: Raw): ListParams {
  const filter = optionalString(raw, "filter");
  if (filter !== undefined && !filter.trim()) throw new ScimError(400, "invalidFilter", "filter must not be empty");
  // PostgreSQL text cannot hold U+0000 (the query would fail), and no stored value contains one.
  if (filter?.includes("\u0000")) throw new ScimError(400, "invalidFilter", "filter must not contain the NUL character (U+0000)");
  const sortOrder = optionalString(raw, "sortOrder")?.toLowerCase();
  if (sortOrder !== undefined && sortOrder !== "ascending" && sortOrder !== "descending") {
    throw invalidValue(`sortOrder must be "ascending" or "descending", got "${sortOrder}"`);
  }
  const cursor = optionalString(raw, "cursor");
  const rawStartIndex = optionalInteger(raw, "startIndex");
  if (cursor !== undefined && rawStartIndex !== undefined) {
    // RFC 9865: a request pages by index or by cursor; both would contradict each other.
    throw invalidValue("startIndex and cursor cannot be used together: page by index (startIndex) or by cursor, not both");
  }
  // RFC 7644 §3.4.2.4: startIndex < 1 is read as 1; a negative count as 0.
  const startIndex = Math.max(1, rawStartIndex ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, optionalInteger(raw, "count") ?? DEFAULT_COUNT));
  return {
    filter,
    sortBy: optionalString(raw, "sortBy"),
    descending: sortOrder === "descending",
    startIndex,
    cursor,
    count,
    projection: parseProjection(raw),
  };
}

export function parseProjection(raw: Raw): Projection {
  const attributes = attributeList(raw, "attributes");
  const excludedAttributes = attributeList(raw, "excludedAttributes");
  return { attributes, excludedAttributes };
}

function attributeList(raw: Raw, name: string): string[] | undefined {
  const v = valueOf(raw, name);
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : typeof v === "string" ? v.split(",") : undefined;
  if (!list || list.some((a) => typeof a !== "string")) {
    throw invalidValue(`${name} must be a comma-separated list of attribute names`);
  }
  const names = (list as string[]).map((a) => a.trim()).filter(Boolean);
  return names.length ? names : undefined;
}

function optionalString(raw: Raw, name: string): string | undefined {
  const v = valueOf(raw, name);
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw invalidValue(`${name} must be a string`);
  return v;
}

function optionalInteger(raw: Raw, name: string): number | undefined {
  const v = valueOf(raw, name);
  if (v === undefined || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw invalidValue(`${name} must be an integer, got "${String(v)}"`);
  return n;
}

/** Parameter names are case-insensitive (RFC 7644 §3.4.2 uses camelCase; clients vary). */
function valueOf(raw: Raw, name: string): unknown {
  if (name in raw) return raw[name];
  const key = Object.keys(raw).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : raw[key];
}
