import type { AuditEventJson } from "./admin-api-json.ts";
import { Router } from "express";
import type { Kysely } from "kysely";
import { type AuditEvent, listAudit } from "../domain/audit.ts";
import { assertOrg, pageSize } from "../domain/user-search.ts";
import type { Database } from "../storage/tables.ts";
import { HttpError } from "./error-map.ts";
import { limitOf, orgCaller, queryOf } from "./org-request.ts";

export interface AuditRouterDeps {
  db: Kysely<Database>;
}

const PARAMS = ["actor", "target", "action", "since", "until", "cursor", "limit"] as const;

/**
 * The audit trail of one organization, newest first, mounted at
 * /admin/v1/orgs/:org: GET /audit?actor=&target=&action=&since=&until=&cursor=&limit=.
 * `actor` is an actor id (SCIM token id, user id) or kind (operator, scim-token,
 * admin, system); `target` a target id (user id, group id, domain name, product
 * key); `action` an exact action or a prefix ending in "." ("user."); `since`
 * (inclusive) and `until` (exclusive) ISO 8601 dates or date-times.
 * Events never hold secrets: the domain strips them before they are written.
 */
export function auditRouter({ db }: AuditRouterDeps): Router {
  const r = Router({ mergeParams: true });
  r.get("/audit", async (req, res) => {
    const { orgId } = orgCaller(req, res);
    await assertOrg(db, orgId); // first: an unknown organization is 404 whatever else is wrong with the query
    const q = queryOf(req, PARAMS);
    const since = isoParam("since", q.since);
    const until = isoParam("until", q.until);
    if (since && until && since >= until) {
      throw new HttpError(400, "invalid_value", "since must be earlier than until (since is inclusive, until exclusive)");
    }
    const limit = pageSize(limitOf(q.limit));
    const page = await listAudit(db, orgId, {
      actor: q.actor || undefined,
      targetId: q.target || undefined,
      action: q.action || undefined,
      since,
      until,
      cursor: q.cursor || undefined,
      limit,
    });
    res.json({ events: page.events.map(auditEventJson), nextCursor: page.nextCursor });
  });
  return r;
}

export const auditEventJson = (e: AuditEvent): AuditEventJson => ({
  id: e.id,
  at: e.at.toISOString(),
  actor: e.actor,
  action: e.action,
  target: e.target,
  details: e.details,
});

// ISO 8601 calendar date, or date-time with optional seconds, fraction and zone (none means UTC).
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

/** A strict ISO 8601 instant: Date.parse alone would also take "March 7" or roll 2024-02-30 into March. */
export function isoParam(name: string, value: string | undefined): Date | undefined {
  if (value === undefined || value === "") return undefined;
  const m = ISO_8601.exec(value);
  if (m) {
    const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "0", zone = "Z"] = m;
    const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.slice(0, 3).padEnd(3, "0")}${zone.toUpperCase()}`);
    const date = new Date(ms);
    // The round trip catches 2024-02-30 and hour 24, which Date.parse would roll over or refuse inconsistently.
    const sameDay = !Number.isNaN(ms) && new Date(Date.UTC(+y!, +mo! - 1, +d!)).toISOString().slice(0, 10) === `${y}-${mo}-${d}`;
    if (sameDay && +h <= 23 && +mi <= 59 && +s <= 59) return date;
  }
  // In a query string an unencoded "+" arrives as a space: say so rather than "invalid date".
  const plusHint = / \d{2}:\d{2}$/.test(value) ? ' (a "+" in a query string must be sent as %2B)' : "";
  throw new HttpError(
    400,
    "invalid_value",
    `${name} must be an ISO 8601 date or date-time such as 2026-01-31 or 2026-01-31T09:30:00Z, not "${value}"${plusHint}`,
  );
}
