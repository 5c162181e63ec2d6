import { type BulkSupport, createsInBulk, createsOneByOne, operationsPerRequest } from "./bulk.ts";
import { userNameOf, type LoadedData } from "./load.ts";
import type { Measurement, Probe } from "./measure.ts";
import { ENTRA_MEMBER_BATCH, entraInitialSync } from "./sync-replay.ts";

/**
 * The scenarios, in the order of the performance issue. Each names its series
 * (one autocannon probe each, against the server or the baseline) and the
 * targets it is judged by; a scenario not built yet says so and is listed as
 * "not implemented" in the output, never silently skipped.
 */
export type Metric = "reqPerSec" | "p99Ms";

export type Target = "server" | "baseline" | "pglite";

export interface SeriesSpec {
  key: string;
  label: string;
  target: Target;
  /** The autocannon probe; absent when the scenario measures its rounds itself (runRound) or copies them. */
  probe?: Probe;
  /** Key of the series this one's ratio is computed against. */
  vs?: string;
  /** "scenario/series" measured elsewhere and shown here beside this scenario's own series (not run again). */
  copyOf?: string;
}

export interface TargetSpec {
  label: string;
  series: string;
  metric: Metric;
  /** ratio vs `vs` at least / at most `value`, or the figure itself at most `value`. */
  kind: "ratioAtLeast" | "ratioAtMost" | "atMost";
  value: number;
  vs?: string;
}

export interface Scenario {
  id: string;
  title: string;
  series: SeriesSpec[];
  targets: TargetSpec[];
  notes: string[];
  /** A scenario that drives its own fixed amount of work: one call per round, a measurement per series key. */
  runRound?: (round: number) => Promise<{ measurements: Record<string, Measurement>; note?: string }>;
}

export interface NotImplemented {
  id: string;
  title: string;
  notImplemented: string;
}

export interface BenchTargets {
  serverUrl: string;
  token: string;
  baselineUrl: string;
  domain: string;
  data: LoadedData;
  users: number;
  groupMembers: number;
  connections: number;
}

/** The embedded-PGlite server of scenario 8 and the users loaded into it. */
export interface PgliteTarget {
  url: string;
  token: string;
  domain: string;
  users: number;
}

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const PAGE = 100;

/** Spreads step k over [0, n) in a fixed, repeatable order (a multiplicative hash). */
export function spread(k: number, n: number): number {
  return Number((BigInt(k) * 2654435761n) % BigInt(n));
}

function scimHeaders(t: BenchTargets): Record<string, string> {
  return { authorization: `Bearer ${t.token}`, "content-type": "application/scim+json" };
}
const JSON_HEADERS = { "content-type": "application/json" };

export function postUsers(t: BenchTargets): Scenario {
  return {
    id: "1",
    title: `POST /Users, new users, ${t.connections} connections`,
    series: [
      {
        key: "bare",
        label: "bare insert (user + email only; no target)",
        target: "baseline",
        probe: {
          method: "POST",
          headers: JSON_HEADERS,
          connections: t.connections,
          step: (k) => {
            const userName = `bare-new-${k}@${t.domain}`;
            return { path: "/bare/users", body: JSON.stringify({ userName, email: userName }) };
          },
        },
      },
      {
        key: "baseline",
        label: "baseline: the server's SQL (token + limits, domain check, user + emails, audit)",
        target: "baseline",
        probe: {
          method: "POST",
          headers: { ...JSON_HEADERS, authorization: `Bearer ${t.token}` },
          connections: t.connections,
          step: (k) => {
            const userName = `baseline-new-${k}@${t.domain}`;
            return { path: "/users", body: JSON.stringify({ userName, email: userName }) };
          },
        },
      },
      {
        key: "server",
        label: "server POST /Users",
        target: "server",
        vs: "baseline",
        probe: {
          method: "POST",
          headers: scimHeaders(t),
          connections: t.connections,
          step: (k) => {
            const userName = `scim-new-${k}@${t.domain}`;
            return {
              path: "/scim/v2/Users",
              body: JSON.stringify({
                schemas: [USER_SCHEMA],
                userName,
                name: { givenName: "Bench", familyName: `New ${k}` },
                displayName: `Bench New ${k}`,
                emails: [{ value: userName, type: "work", primary: true }],
                active: true,
              }),
            };
          },
        },
      },
    ],
    targets: [{ label: "POST throughput >= 0.7x baseline", series: "server", metric: "reqPerSec", kind: "ratioAtLeast", value: 0.7, vs: "baseline" }],
    notes: [],
  };
}

export function filterByUserName(t: BenchTargets): Scenario {
  const nameOf = (k: number) => userNameOf(spread(k, t.users), t.domain);
  return {
    id: "2",
    title: `GET /Users?filter=userName eq "…" at ${t.users.toLocaleString("en")} users, ${t.connections} connections`,
    series: [
      {
        key: "bare",
        label: "bare lookup by lower(user_name) (no target)",
        target: "baseline",
        probe: { method: "GET", connections: t.connections, step: (k) => ({ path: `/bare/users?userName=${encodeURIComponent(nameOf(k))}` }) },
      },
      {
        key: "baseline",
        label: "baseline: the server's SQL (token + limits, page with relations)",
        target: "baseline",
        probe: {
          method: "GET",
          headers: { authorization: `Bearer ${t.token}` },
          connections: t.connections,
          step: (k) => ({ path: `/users?userName=${encodeURIComponent(nameOf(k))}` }),
        },
      },
      {
        key: "server",
        label: "server filtered GET /Users",
        target: "server",
        vs: "baseline",
        probe: {
          method: "GET",
          headers: scimHeaders(t),
          connections: t.connections,
          step: (k) => ({ path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${nameOf(k)}"`)}` }),
        },
      },
    ],
    targets: [
      { label: "filtered GET throughput >= 0.7x baseline", series: "server", metric: "reqPerSec", kind: "ratioAtLeast", value: 0.7, vs: "baseline" },
      { label: "filtered GET p99 <= 2x baseline", series: "server", metric: "p99Ms", kind: "ratioAtMost", value: 2, vs: "baseline" },
    ],
    notes: [],
  };
}

export interface CursorSupport {
  supported: boolean;
  /** A cursor pointing at 90% depth, and the first-page request, when supported. */
  deepCursor?: string;
}

/**
 * One connection: the latency of one page as an identity provider walking the
 * list sees it, without queueing behind other deep pages.
 */
export function deepPage(t: BenchTargets, cursor: CursorSupport, baselineAfterId: string): Scenario {
  const depth = Math.floor(t.users * 0.9);
  const get = (path: string, target: "server" | "baseline"): Probe => ({
    method: "GET",
    connections: 1,
    ...(target === "server" ? { headers: scimHeaders(t) } : {}),
    step: () => ({ path }),
  });
  const series: SeriesSpec[] = [
    { key: "index1", label: `server startIndex=1&count=${PAGE}`, target: "server", probe: get(`/scim/v2/Users?startIndex=1&count=${PAGE}`, "server") },
    {
      key: "indexDeep",
      label: `server startIndex=${depth + 1}&count=${PAGE}`,
      target: "server",
      vs: "index1",
      probe: get(`/scim/v2/Users?startIndex=${depth + 1}&count=${PAGE}`, "server"),
    },
  ];
  const targets: TargetSpec[] = [
    { label: "deep index page p99 <= 50 ms", series: "indexDeep", metric: "p99Ms", kind: "atMost", value: 50 },
    { label: "deep index page p99 <= 1.5x page 1", series: "indexDeep", metric: "p99Ms", kind: "ratioAtMost", value: 1.5, vs: "index1" },
  ];
  const notes: string[] = [];
  if (cursor.supported && cursor.deepCursor !== undefined) {
    series.push(
      { key: "cursor1", label: `server cursor (first page)&count=${PAGE}`, target: "server", probe: get(`/scim/v2/Users?cursor=&count=${PAGE}`, "server") },
      {
        key: "cursorDeep",
        label: `server cursor at ${depth.toLocaleString("en")}&count=${PAGE}`,
        target: "server",
        vs: "cursor1",
        probe: get(`/scim/v2/Users?cursor=${encodeURIComponent(cursor.deepCursor)}&count=${PAGE}`, "server"),
      },
    );
    targets.push(
      { label: "deep cursor page p99 <= 50 ms", series: "cursorDeep", metric: "p99Ms", kind: "atMost", value: 50 },
      { label: "deep cursor page p99 <= 1.5x page 1", series: "cursorDeep", metric: "p99Ms", kind: "ratioAtMost", value: 1.5, vs: "cursor1" },
    );
  } else {
    notes.push(
      cursor.supported
        ? "cursor pagination is advertised but no cursor at 90% depth could be reached; cursor series not measured"
        : "cursor pagination (RFC 9865) not advertised in /ServiceProviderConfig: cursor series not measured",
    );
  }
  series.push(
    { key: "keyset1", label: `baseline keyset page 1 (${PAGE})`, target: "baseline", probe: get(`/users/page?count=${PAGE}`, "baseline") },
    {
      key: "keysetDeep",
      label: `baseline keyset at ${depth.toLocaleString("en")}`,
      target: "baseline",
      vs: "keyset1",
      probe: get(`/users/page?after=${baselineAfterId}&count=${PAGE}`, "baseline"),
    },
  );
  return { id: "3", title: `A page of ${PAGE} at depth 90% of ${t.users.toLocaleString("en")} users, 1 connection`, series, targets, notes };
}

/**
 * Alternating add and remove of one member (step 2j adds pool user j, step
 * 2j+1 removes it), so the group keeps its size. One connection: a group's
 * PATCHes serialize on the group row anyway.
 */
export function memberPatch(t: BenchTargets): Scenario {
  // Users not in the large group (the small group's members are among the large group's).
  const poolStart = t.groupMembers;
  const poolSize = t.users - t.groupMembers;
  const poolUser = (k: number) => t.data.userIds[poolStart + (Math.floor(k / 2) % poolSize)]!;
  const scimPatch = (groupId: string): Probe => ({
    method: "PATCH",
    headers: scimHeaders(t),
    connections: 1,
    step: (k) => {
      const id = poolUser(k);
      const op = k % 2 === 0 ? { op: "add", path: "members", value: [{ value: id }] } : { op: "remove", path: `members[value eq "${id}"]` };
      return { path: `/scim/v2/Groups/${groupId}`, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [op] }) };
    },
  });
  const big = t.groupMembers.toLocaleString("en");
  return {
    id: "4",
    title: `PATCH add one member / remove one member (alternating), ${big}-member group vs ${t.data.smallGroupMembers}-member group, 1 connection`,
    series: [
      { key: "small", label: `server PATCH ${t.data.smallGroupMembers}-member group`, target: "server", probe: scimPatch(t.data.smallGroupId) },
      { key: "big", label: `server PATCH ${big}-member group`, target: "server", vs: "small", probe: scimPatch(t.data.bigGroupId) },
      {
        key: "baselineBig",
        label: `baseline member insert/delete, ${big}-member group`,
        target: "baseline",
        probe: {
          method: "POST",
          headers: JSON_HEADERS,
          connections: 1,
          step: (k) => {
            const id = poolUser(k);
            return { path: `/groups/${t.data.bigGroupId}/members/${k % 2 === 0 ? "add" : "remove"}`, body: JSON.stringify({ memberId: id }) };
          },
        },
      },
    ],
    targets: [{ label: `member PATCH p99 on ${big} <= 1.5x ${t.data.smallGroupMembers}-member group`, series: "big", metric: "p99Ms", kind: "ratioAtMost", value: 1.5, vs: "small" }],
    notes: poolSize < 2 ? ["fewer than 2 users outside the large group: every add re-adds the same user"] : [],
  };
}

/**
 * Scenario 5: an Entra ID-style initial sync (bench/sync-replay.ts), once per
 * round with its own users and groups. Reported, not judged: there is no
 * baseline for a whole sync.
 */
export function entraSync(t: BenchTargets, size: { users: number; groups: number }): Scenario {
  const users = size.users.toLocaleString("en");
  return {
    id: "5",
    title: `Entra-style initial sync: ${users} users and ${size.groups} groups (lookup + POST each; groups POST + PATCH add members by ${ENTRA_MEMBER_BATCH}), ${t.connections} at a time`,
    series: [{ key: "sync", label: `server, requests/s over the whole sync`, target: "server" }],
    targets: [],
    notes: [],
    runRound: async (round) => {
      const r = await entraInitialSync({ serverUrl: t.serverUrl, token: t.token, domain: t.domain, ...size, workers: t.connections, run: `r${round}` });
      const note = `round ${round}: ${r.wallSeconds.toFixed(1)} s wall (users ${r.usersPhaseSeconds.toFixed(1)} s, groups ${r.groupsPhaseSeconds.toFixed(1)} s), ${r.measurement.requests.toLocaleString("en")} requests, ${(size.users / r.usersPhaseSeconds).toFixed(0)} users/s`;
      return { measurements: { sync: r.measurement }, note };
    },
  };
}

/**
 * Scenario 6: the same creates one by one and through /Bulk (bench/bulk.ts),
 * when /ServiceProviderConfig advertises bulk; otherwise "not supported".
 */
export function bulkCreates(t: BenchTargets, support: BulkSupport | undefined, creates: number): Scenario | NotImplemented {
  const title = "Bulk (/Bulk) vs the same creates one by one";
  if (!support?.supported) {
    return { id: "6", title, notImplemented: "not supported: /ServiceProviderConfig does not advertise bulk.supported" };
  }
  const perRequest = operationsPerRequest(support, t.domain);
  const n = creates.toLocaleString("en");
  const base = { serverUrl: t.serverUrl, token: t.token, domain: t.domain, creates, workers: t.connections };
  return {
    id: "6",
    title: `${title}: ${n} user creates, ${t.connections} requests in flight (figures in creates/s)`,
    series: [
      { key: "one", label: `server ${n} x POST /Users (creates/s)`, target: "server" },
      { key: "bulk", label: `server POST /Bulk, ${Math.min(perRequest, creates).toLocaleString("en")} operations a request (creates/s)`, target: "server", vs: "one" },
    ],
    targets: [{ label: "Bulk creates/s >= 3x one by one", series: "bulk", metric: "reqPerSec", kind: "ratioAtLeast", value: 3, vs: "one" }],
    notes: [],
    runRound: async (round) => {
      const one = await createsOneByOne({ ...base, run: `r${round}` });
      const bulk = await createsInBulk({ ...base, run: `r${round}` }, perRequest);
      return { measurements: { one, bulk } };
    },
  };
}

/**
 * Scenario 8: scenarios 1 and 2 against a second server on the embedded
 * PGlite default, shown beside the PostgreSQL server's figures (copied from
 * scenarios 1 and 2, not measured again). Reported, not judged.
 */
export function pgliteComparison(t: BenchTargets, lite: PgliteTarget): Scenario {
  const liteTargets: BenchTargets = { ...t, serverUrl: lite.url, token: lite.token, domain: lite.domain, users: lite.users };
  const post = postUsers(liteTargets).series.find((x) => x.key === "server")!;
  const get = filterByUserName(liteTargets).series.find((x) => x.key === "server")!;
  return {
    id: "8",
    title: `The same POST and lookup on the embedded PGlite default (${lite.users.toLocaleString("en")} users loaded), ${t.connections} connections`,
    series: [
      { key: "pgPost", label: "PostgreSQL server POST /Users (scenario 1)", target: "server", copyOf: "1/server" },
      { key: "litePost", label: "PGlite server POST /Users", target: "pglite", vs: "pgPost", probe: post.probe! },
      { key: "pgGet", label: "PostgreSQL server filtered GET /Users (scenario 2)", target: "server", copyOf: "2/server" },
      { key: "liteGet", label: "PGlite server filtered GET /Users", target: "pglite", vs: "pgGet", probe: get.probe! },
    ],
    targets: [],
    notes: ["PGlite is one in-process connection: requests queue on it, so 10 connections measure its throughput, not parallelism"],
  };
}

export const RSS_TARGET_MB = 300;
