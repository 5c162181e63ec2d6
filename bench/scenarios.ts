import { userNameOf, type LoadedData } from "./load.ts";
import type { Probe } from "./measure.ts";

/**
 * The scenarios, in the order of the performance issue. Each names its series
 * (one autocannon probe each, against the server or the baseline) and the
 * targets it is judged by; a scenario not built yet says so and is listed as
 * "not implemented" in the output, never silently skipped.
 */
export type Metric = "reqPerSec" | "p99Ms";

export interface SeriesSpec {
  key: string;
  label: string;
  target: "server" | "baseline";
  probe: Probe;
  /** Key of the series this one's ratio is computed against. */
  vs?: string;
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
        key: "baseline",
        label: "baseline insert (user + email)",
        target: "baseline",
        probe: {
          method: "POST",
          headers: JSON_HEADERS,
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
        key: "baseline",
        label: "baseline lookup by lower(user_name)",
        target: "baseline",
        probe: { method: "GET", connections: t.connections, step: (k) => ({ path: `/users?userName=${encodeURIComponent(nameOf(k))}` }) },
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

/** Scenarios 5, 6 and 8: not built yet, listed as such. */
export function notImplementedScenarios(bulkAdvertised: boolean): NotImplemented[] {
  return [
    { id: "5", title: "Entra-style sync replay", notImplemented: "not implemented" },
    {
      id: "6",
      title: "Bulk (/Bulk)",
      notImplemented: `not implemented (the server ${bulkAdvertised ? "advertises" : "does not advertise"} bulk in /ServiceProviderConfig)`,
    },
    { id: "8", title: "PGlite comparison", notImplemented: "not implemented" },
  ];
}

export const RSS_TARGET_MB = 300;
