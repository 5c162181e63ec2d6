import type { Kysely, Transaction } from "kysely";
import { isUuid, uuidv7 } from "../lib/ids.ts";
import * as repo from "../storage/groups-repo.ts";
import { lockGroupsOf, removeFromAllGroups } from "../storage/users-repo.ts";
import type { Actor } from "./actor.ts";
import { recordAudit, summarizeChange } from "./audit.ts";
import { reconcileGroupMembers, releaseGroupSeats } from "./seats.ts";
import type { Database, MemberType } from "../storage/tables.ts";
import { InvalidValueError, NotFoundError } from "./errors.ts";
import type { ListQuery, Page } from "./list-query.ts";
import { assertIndexable, assertStorableText } from "./text-rules.ts";
import { assertExpectedVersion, type WriteOptions } from "./write-options.ts";

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  /** The attribute document without members (members are rows of their own). */
  profile: Record<string, unknown>;
}

export interface Group {
  id: string;
  orgId: string;
  displayName: string;
  externalId: string | null;
  profile: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemberRef {
  value: string;
  type?: MemberType | undefined;
}

export interface Member {
  id: string;
  type: MemberType;
  display: string | null;
}

/** A change to a member list, applied as an SQL delta: the list itself is never loaded. */
export type MembershipChange =
  | { kind: "add"; members: MemberRef[] }
  | { kind: "remove"; ids: string[] }
  | { kind: "removeAll" }
  | { kind: "replace"; members: MemberRef[] };

export async function getGroup(db: Kysely<Database>, orgId: string, id: string): Promise<Group> {
  const row = isUuid(id) ? await repo.findGroup(db, orgId, id) : undefined;
  if (!row) throw new NotFoundError("Group", id);
  return repo.toGroup(row);
}

export async function listGroups(db: Kysely<Database>, orgId: string, query: ListQuery): Promise<Page<Group>> {
  return repo.listGroups(db, orgId, query);
}

/** Members of several groups at once (a list page), in one query. */
export async function membersOfGroups(db: Kysely<Database>, orgId: string, groupIds: string[]) {
  return repo.membersOf(db, orgId, groupIds);
}

export async function createGroup(
  db: Kysely<Database>,
  orgId: string,
  input: GroupInput,
  members: MemberRef[],
  actor: Actor,
): Promise<Group> {
  validate(input);
  return db.transaction().execute(async (trx) => {
    const now = new Date();
    const id = uuidv7(now.getTime());
    const row = await repo.insertGroup(trx, {
      org_id: orgId,
      id,
      display_name: input.displayName,
      external_id: input.externalId,
      resource: JSON.stringify(input.profile),
      created_at: now,
      updated_at: now,
    });
    await addMembers(trx, orgId, id, members);
    const group = repo.toGroup(row);
    await recordAudit(trx, orgId, actor, {
      action: "group.created",
      target: { type: "Group", id, label: group.displayName },
      details: { changes: summarizeChange(undefined, auditView(group)), members: membershipSummary([{ kind: "add", members }]) },
    });
    return group;
  });
}

/**
 * Updates a group in one transaction: `next` computes the new attributes from
 * the locked current state; `changes` are applied to the member rows in order.
 */
export async function updateGroup(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  next: (current: Group) => GroupInput,
  changes: MembershipChange[],
  options: WriteOptions,
  actor: Actor,
): Promise<Group> {
  if (!isUuid(id)) throw new NotFoundError("Group", id);
  return db.transaction().execute(async (trx) => {
    const current = await lockGroup(trx, orgId, id, options);
    const input = next(current);
    validate(input);
    for (const change of changes) await applyChange(trx, orgId, id, change);
    // Members joined or left: their seats from this group's products follow (set-based, see seats.ts).
    if (changes.length) await reconcileGroupMembers(trx, orgId, id);
    const row = await repo.updateGroup(trx, orgId, id, {
      display_name: input.displayName,
      external_id: input.externalId,
      resource: JSON.stringify(input.profile),
      version: current.version + 1,
      updated_at: new Date(),
    });
    const group = repo.toGroup(row);
    await recordAudit(trx, orgId, actor, {
      action: "group.updated",
      target: { type: "Group", id, label: group.displayName },
      details: { changes: summarizeChange(auditView(current), auditView(group)), members: membershipSummary(changes) },
    });
    return group;
  });
}

export async function deleteGroup(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  options: WriteOptions,
  actor: Actor,
): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError("Group", id);
  await db.transaction().execute(async (trx) => {
    // A group may itself be a member of other groups: lock those first (see lockGroupsOf).
    await lockGroupsOf(trx, orgId, id);
    const current = await lockGroup(trx, orgId, id, options);
    await removeFromAllGroups(trx, orgId, id);
    // Its members lose the seats they held through it (and pending users move up).
    await releaseGroupSeats(trx, orgId, id);
    await repo.deleteGroup(trx, orgId, id); // its own member and product rows go by cascade
    await recordAudit(trx, orgId, actor, {
      action: "group.deleted",
      target: { type: "Group", id, label: current.displayName },
      details: { changes: summarizeChange(auditView(current), undefined) },
    });
  });
}

function auditView(group: Group): Record<string, unknown> {
  return { ...group.profile, displayName: group.displayName };
}

// The audit trail names at most this many member ids per change; counts are always exact.
const AUDITED_IDS = 50;

/** A short record of membership changes: kinds, counts and the first ids, never a 100,000-member list. */
function membershipSummary(changes: MembershipChange[]) {
  return changes.map((c) => {
    const ids = c.kind === "remove" ? c.ids : c.kind === "removeAll" ? [] : c.members.map((m) => m.value);
    return { kind: c.kind, count: ids.length, ids: ids.slice(0, AUDITED_IDS) };
  });
}

async function applyChange(trx: Transaction<Database>, orgId: string, groupId: string, change: MembershipChange) {
  switch (change.kind) {
    case "add":
      return addMembers(trx, orgId, groupId, change.members);
    case "remove":
      return repo.deleteMembers(trx, orgId, groupId, change.ids.filter(isUuid));
    case "removeAll":
      return repo.deleteAllMembers(trx, orgId, groupId);
    case "replace":
      await repo.deleteAllMembers(trx, orgId, groupId);
      return addMembers(trx, orgId, groupId, change.members);
  }
}

/** Resolves each reference to a user or group of this organization, then inserts (idempotently). */
async function addMembers(trx: Transaction<Database>, orgId: string, groupId: string, refs: MemberRef[]) {
  if (!refs.length) return;
  const ids = [...new Set(refs.map((r) => r.value))];
  const bad = ids.find((v) => !isUuid(v));
  if (bad !== undefined) throw unknownMember(bad);
  if (ids.includes(groupId)) throw new InvalidValueError("members: a group cannot be a member of itself");
  const types = await repo.memberTypes(trx, orgId, ids);
  const rows: { member_id: string; member_type: MemberType }[] = [];
  for (const ref of refs) {
    const type = types.get(ref.value.toLowerCase());
    if (!type) throw unknownMember(ref.value);
    if (ref.type && ref.type !== type) {
      throw new InvalidValueError(`members: "${ref.value}" is a ${type}, not a ${ref.type}`);
    }
    rows.push({ member_id: ref.value.toLowerCase(), member_type: type });
  }
  await repo.insertMembers(trx, orgId, groupId, rows);
}

const unknownMember = (value: string) =>
  new InvalidValueError(`members: no User or Group with id "${value}" exists in this organization`);

async function lockGroup(trx: Transaction<Database>, orgId: string, id: string, options: WriteOptions) {
  const row = await repo.findGroup(trx, orgId, id, { forUpdate: true });
  if (!row) throw new NotFoundError("Group", id);
  assertExpectedVersion("Group", id, row.version, options);
  return repo.toGroup(row);
}

function validate(input: GroupInput): void {
  if (!input.displayName.trim()) throw new InvalidValueError("displayName must not be empty");
  assertIndexable("displayName", input.displayName);
  assertIndexable("externalId", input.externalId);
  assertStorableText(input.profile);
}
