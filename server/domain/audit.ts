import { type Kysely, sql, type Transaction } from "kysely";
import { isUuid, uuidv7 } from "../lib/ids.ts";
import type { AuditEventRow, Database } from "../storage/tables.ts";
import type { Actor } from "./actor.ts";
import { InvalidValueError } from "./errors.ts";

export interface AuditEntry {
  /** Dotted verb, e.g. "user.created", "user.suspended", "signin.refused". */
  action: string;
  target: { type: string; id?: string | null; label?: string | null };
  /** A before/after summary or a reason; never secrets (see summarizeChange). */
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  id: string;
  at: Date;
  /** `label`: the token's label or the admin's userName when the event was written. */
  actor: { kind: string; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string | null; label: string | null };
  details: Record<string, unknown>;
}

/** Records an event in the caller's transaction, so it exists exactly when the change does. */
export async function recordAudit(
  trx: Transaction<Database> | Kysely<Database>,
  orgId: string,
  actor: Actor,
  entry: AuditEntry,
): Promise<void> {
  await trx
    .insertInto("audit_events")
    .values({
      org_id: orgId,
      id: uuidv7(),
      actor_kind: actor.kind,
      actor_id: actorId(actor),
      actor_label: actorLabel(actor),
      action: entry.action,
      target_type: entry.target.type,
      target_id: entry.target.id ?? null,
      target_label: entry.target.label ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

function actorLabel(actor: Actor): string | null {
  if (actor.kind === "scim-token") return actor.label ?? null;
  if (actor.kind === "admin") return actor.userName ?? null;
  return null;
}

function actorId(actor: Actor): string | null {
  switch (actor.kind) {
    case "scim-token":
      return actor.tokenId;
    case "admin":
      return actor.userId;
    default:
      return null;
  }
}

export interface AuditQuery {
  /** An actor id (token id, user id) or an actor kind ("operator", "scim-token", "admin", "system"). */
  actor?: string | undefined;
  targetId?: string | undefined;
  /** Exact action, or a prefix ending in "." ("user." matches every user event). */
  action?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Opaque cursor from the previous page (newest first). */
  cursor?: string | undefined;
  limit: number;
}

/** Newest first, keyset-paginated on the time-ordered id, so deep pages cost the same as the first. */
export async function listAudit(
  db: Kysely<Database>,
  orgId: string,
  q: AuditQuery,
): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
  if (q.cursor !== undefined && !isUuid(q.cursor)) throw new InvalidValueError("cursor is not valid; use nextCursor from the previous page");
  let query = db.selectFrom("audit_events").selectAll().where("org_id", "=", orgId);
  if (q.actor) {
    const a = q.actor;
    query = query.where((eb) => eb.or([eb("actor_id", "=", a), eb("actor_kind", "=", a)]));
  }
  if (q.targetId) query = query.where("target_id", "=", q.targetId);
  if (q.action) {
    query = q.action.endsWith(".")
      ? query.where("action", "like", `${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      : query.where("action", "=", q.action);
  }
  if (q.since) query = query.where("at", ">=", q.since);
  if (q.until) query = query.where("at", "<", q.until);
  if (q.cursor) query = query.where("id", "<", q.cursor);
  const rows = await query.orderBy("id", "desc").limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  return {
    events: page.map(toEvent),
    nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
  };
}

function toEvent(r: AuditEventRow): AuditEvent {
  return {
    id: r.id,
    at: new Date(r.at),
    actor: { kind: r.actor_kind, id: r.actor_id, label: r.actor_label },
    action: r.action,
    target: { type: r.target_type, id: r.target_id, label: r.target_label },
    details: (typeof r.details === "string" ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
  };
}

// Never copied into the audit trail, whatever the caller passes.
const SECRET_KEYS = new Set(["password", "token", "secret", "passwordhash", "password_hash"]);

/**
 * A before/after summary of the top-level fields that changed, secrets removed.
 * Values are kept as they were so an auditor can read exactly what changed.
 */
export function summarizeChange(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): Record<string, { from?: unknown; to?: unknown }> {
  const changes: Record<string, { from?: unknown; to?: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    if (SECRET_KEYS.has(key.toLowerCase())) continue;
    const from = before?.[key];
    const to = after?.[key];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    changes[key] = { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
  }
  return changes;
}

