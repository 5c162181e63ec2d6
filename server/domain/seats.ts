/**
 * Product seats: each product of an organization has a number of licensed
 * seats; a user holds a product directly (SCIM entitlements) or through a group
 * the product is assigned to. The rules, each with its reason:
 *
 * 1. Wanted set = direct products ∪ products of the groups the user is a DIRECT
 *    member of; ∅ while the user is suspended (active=false). Suspending frees
 *    the seats at once (a suspended person must not block a paid licence);
 *    restoring requests them again. Nested groups pass nothing on: membership of
 *    a group inside a group is not what the identity provider assigned.
 * 2. One seat per (product, user), however many ways the user wants it
 *    (seat_assignments' primary key): a licence is per person.
 * 3. A direct want is checked against capacity once, when it is first asked for
 *    (not in user_products before this write) by an active user: beyond capacity
 *    it is refused with SeatLimitError (409, a state conflict; 403 would read as
 *    a permission problem) and the caller's transaction rolls back, so nothing of
 *    that request is applied. Refusing is right here because the caller asked for
 *    this one assignment and can act on the answer.
 * 4. Group-granted wants beyond capacity wait as pending, first come first
 *    served by requested_at (then user_id): one group change can touch thousands
 *    of users, and refusing all of it for the last seat would block every other
 *    member. Pending requests are granted automatically whenever seats are freed
 *    (suspend, delete, removal from a group, product removed from a group, direct
 *    want dropped) or bought (seats raised).
 * 5. Restoring a user (active=true again) requests ALL its wants again, direct
 *    ones included, at the back of the queue: what fits is granted, the rest waits
 *    as pending. A restore is never refused, because an identity provider that is
 *    told "no" to a re-activation keeps retrying it and cannot fix it (rule 3 then
 *    applies only to entitlements the user never had before).
 * 6. Lowering seats below the number granted is refused (ConflictError, 409,
 *    saying how many are assigned): taking a seat away from someone is a decision
 *    for the customer (suspend or unassign first), never a side effect.
 * 7. An unknown product key in a direct want or a group assignment is an
 *    InvalidValueError naming the key: silently dropping it would hide a typo.
 *
 * Concurrency (several processes on one PostgreSQL): every change to a product's
 * seat rows happens while holding that product's row lock (SELECT … FOR UPDATE,
 * keys in sorted order so two transactions never wait on each other). Grants are
 * counted after the lock is held; under READ COMMITTED that count sees every
 * committed grant and no other transaction can be granting meanwhile, so a
 * product is never over-assigned. Lock order everywhere: group row (taken by
 * the group write), user rows, product rows. Group-driven changes are set-based
 * SQL: a group's member list is never loaded into memory.
 */
import type { Kysely, Transaction } from "kysely";
import { isUuid } from "../lib/ids.ts";
import { findGroup } from "../storage/groups-repo.ts";
import * as repo from "../storage/seats-repo.ts";
import type { Database } from "../storage/tables.ts";
import type { Actor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { ConflictError, InvalidValueError, NotFoundError, SeatLimitError } from "./errors.ts";

export interface ProductUsage {
  key: string;
  seats: number;
  /** Seats granted. */
  assigned: number;
  /** Requests waiting for a seat. */
  pending: number;
}

export interface UserSeats {
  granted: string[];
  pending: string[];
}

const PRODUCT_KEY = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MAX_SEATS = 1_000_000;

type Trx = Transaction<Database>;

/** Creates the product or changes its seats; raising them grants pending requests in FIFO order. */
export async function setProductSeats(
  db: Kysely<Database>,
  orgId: string,
  key: string,
  seats: number,
  actor: Actor,
): Promise<ProductUsage> {
  if (typeof key !== "string" || !PRODUCT_KEY.test(key)) {
    throw new InvalidValueError(
      `product key "${String(key)}" is not valid: 1 to 64 characters among a-z 0-9 . _ -, starting with a letter or digit`,
    );
  }
  if (!Number.isInteger(seats) || seats < 0 || seats > MAX_SEATS) {
    throw new InvalidValueError(`seats must be an integer from 0 to ${MAX_SEATS}`);
  }
  return db.transaction().execute(async (trx) => {
    await assertOrg(trx, orgId);
    // ON CONFLICT DO NOTHING waits for a concurrent creator, then the lock serializes us behind it.
    const created = await repo.insertProduct(trx, orgId, key, seats);
    const [product] = await repo.lockProducts(trx, orgId, [key]);
    const before = created ? null : product!.seats;
    const assigned = (await repo.seatCounts(trx, orgId, [key])).get(key)?.granted ?? 0;
    if (seats < assigned) {
      // Rule 6: never leaves a product over-assigned, never takes a seat away silently.
      throw new ConflictError(
        `product "${key}" has ${assigned} seats assigned; seats cannot be lowered to ${seats}: ` +
          `free ${assigned - seats} seat(s) first (suspend or unassign users) or keep at least ${assigned}`,
      );
    }
    if (before !== null && before !== seats) await repo.updateProductSeats(trx, orgId, key, seats);
    const counts = await fill(trx, orgId, [{ key, seats }]);
    if (before !== seats) {
      await recordAudit(trx, orgId, actor, {
        action: "product.seats_set",
        target: { type: "product", id: key, label: key },
        details: { before: before === null ? null : { seats: before }, after: { seats } },
      });
    }
    const c = counts.get(key)!;
    return { key, seats, assigned: c.granted, pending: c.pending };
  });
}

export async function listProducts(db: Kysely<Database>, orgId: string): Promise<ProductUsage[]> {
  await assertOrg(db, orgId);
  return (await repo.listUsage(db, orgId)).map((r) => ({ key: r.key, seats: r.seats, assigned: r.assigned, pending: r.pending }));
}

export async function getGroupProducts(db: Kysely<Database>, orgId: string, groupId: string): Promise<string[]> {
  if (!isUuid(orgId) || !isUuid(groupId) || !(await findGroup(db, orgId, groupId))) throw new NotFoundError("Group", groupId);
  return repo.groupProductKeys(db, orgId, groupId);
}

/** Replaces the group's products and reconciles its members' seats (set-based) in one transaction. */
export async function setGroupProducts(
  db: Kysely<Database>,
  orgId: string,
  groupId: string,
  keys: string[],
  actor: Actor,
): Promise<string[]> {
  if (!isUuid(orgId) || !isUuid(groupId)) throw new NotFoundError("Group", groupId);
  const after = normalizeKeys(keys);
  return db.transaction().execute(async (trx) => {
    // Same lock as a membership change: products and members of one group change one at a time.
    const group = await findGroup(trx, orgId, groupId, { forUpdate: true });
    if (!group) throw new NotFoundError("Group", groupId);
    await assertProductsExist(trx, orgId, after, "products");
    const before = await repo.groupProductKeys(trx, orgId, groupId);
    const removed = before.filter((k) => !after.includes(k));
    const added = after.filter((k) => !before.includes(k));
    if (!removed.length && !added.length) return after;
    await reconcile(trx, orgId, groupId, { stale: removed, fresh: added }, () =>
      repo.replaceGroupProducts(trx, orgId, groupId, after),
    );
    await recordAudit(trx, orgId, actor, {
      action: "group.products_set",
      target: { type: "group", id: groupId, label: group.display_name },
      details: { before, after },
    });
    return after;
  });
}

/**
 * Call inside the user-write transaction, AFTER the user row is written (create,
 * replace, patch, suspend, restore). Stores the direct wants and brings the
 * user's seat rows in line with its wanted set (rules 1–5). Throws
 * SeatLimitError for a new direct want that finds no free seat (let it roll back).
 */
export async function syncUserSeats(
  trx: Trx,
  orgId: string,
  userId: string,
  want: { active: boolean; directProducts: string[] },
): Promise<void> {
  const direct = normalizeKeys(want.directProducts);
  await assertProductsExist(trx, orgId, direct, "entitlements");
  const before = await repo.directProductsOf(trx, orgId, userId);
  // Rule 3: only wants never stored before are checked; stored ones (e.g. kept through a suspension) wait instead.
  const newlyDirect = want.active ? direct.filter((k) => !before.includes(k)) : [];

  const wanted = async () => (want.active ? new Set([...direct, ...(await repo.groupProductsOfUser(trx, orgId, userId))]) : new Set<string>());
  const firstRows = await repo.seatRowsOfUser(trx, orgId, userId);
  const keys = [...new Set([...before, ...direct, ...firstRows.map((r) => r.product_key), ...(await wanted())])].sort();
  if (!keys.length) return;
  // Every product this write references is locked before any row pointing at it is
  // written: the foreign keys of user_products and seat_assignments share-lock the
  // product row, and a share lock taken before our FOR UPDATE would deadlock with
  // a concurrent transaction doing the same.
  const locked = await repo.lockProducts(trx, orgId, keys);
  const lockedKeys = new Set(locked.map((p) => p.key));
  await repo.replaceDirectProducts(trx, orgId, userId, direct);

  // Read again under the locks: a group write may have committed while we waited.
  // Products we did not lock were added by such a write, which inserted their rows itself.
  const rows = await repo.seatRowsOfUser(trx, orgId, userId);
  const target = await wanted();
  const held = new Set(rows.map((r) => r.product_key));
  await repo.deleteUserSeats(trx, orgId, userId, [...held].filter((k) => lockedKeys.has(k) && !target.has(k)));
  await repo.insertPendingSeats(trx, orgId, userId, [...target].filter((k) => lockedKeys.has(k) && !held.has(k)));
  const counts = await fill(trx, orgId, locked);

  if (!newlyDirect.length) return;
  const status = new Map((await repo.seatRowsOfUser(trx, orgId, userId)).map((r) => [r.product_key, r.status]));
  for (const k of newlyDirect) {
    if (status.get(k) === "pending") {
      throw new SeatLimitError(k, counts.get(k)?.granted ?? 0, locked.find((p) => p.key === k)!.seats);
    }
  }
}

/**
 * Call inside the group-write transaction after member rows changed (add,
 * remove, replace), with the group row locked. No-op when the group has no products.
 */
export async function reconcileGroupMembers(trx: Trx, orgId: string, groupId: string): Promise<void> {
  const keys = await repo.groupProductKeys(trx, orgId, groupId);
  if (!keys.length) return;
  await reconcile(trx, orgId, groupId, { stale: keys, fresh: keys });
}

/**
 * Call inside the group-delete transaction BEFORE deleting the group: the
 * cascade would drop group_products and group_members but leave the members'
 * seats held. Removes the group's products and frees (and refills) those seats.
 */
export async function releaseGroupSeats(trx: Trx, orgId: string, groupId: string): Promise<void> {
  const keys = await repo.groupProductKeys(trx, orgId, groupId);
  if (!keys.length) return;
  await reconcile(trx, orgId, groupId, { stale: keys, fresh: [] }, () => repo.replaceGroupProducts(trx, orgId, groupId, []));
}

/** Call inside the user-delete transaction BEFORE deleting the user: frees its seats and grants them to the queue. */
export async function releaseUserSeats(trx: Trx, orgId: string, userId: string): Promise<void> {
  const rows = await repo.seatRowsOfUser(trx, orgId, userId);
  if (!rows.length) return;
  const locked = await repo.lockProducts(trx, orgId, rows.map((r) => r.product_key).sort());
  await repo.deleteUserSeats(trx, orgId, userId, locked.map((p) => p.key));
  await fill(trx, orgId, locked);
}

/** Granted and pending products of each user (every id gets an entry), for rendering a page at once. */
export async function seatsOfUsers(db: Kysely<Database>, orgId: string, userIds: string[]): Promise<Map<string, UserSeats>> {
  const ids = [...new Set(userIds.filter(isUuid))];
  const byUser = new Map<string, UserSeats>(userIds.map((id) => [id, { granted: [], pending: [] }]));
  if (!ids.length || !isUuid(orgId)) return byUser;
  for (const r of await repo.seatsOfUsers(db, orgId, ids)) byUser.get(r.user_id)?.[r.status].push(r.product_key);
  return byUser;
}

/**
 * Set-based reconciliation of one group's members for some products: deletes
 * seat rows nobody wants any more (`stale` products), inserts pending requests
 * for members lacking one (`fresh` products), then grants what fits.
 * `write` changes group_products once the products are locked: its foreign key
 * share-locks the product rows, and a share lock taken before our FOR UPDATE
 * would deadlock with a concurrent transaction doing the same.
 */
async function reconcile(
  trx: Trx,
  orgId: string,
  groupId: string,
  keys: { stale: string[]; fresh: string[] },
  write?: () => Promise<void>,
) {
  await repo.lockMembersLackingSeats(trx, orgId, groupId, keys.fresh);
  const locked = await repo.lockProducts(trx, orgId, [...new Set([...keys.stale, ...keys.fresh])].sort());
  const lockedKeys = locked.map((p) => p.key);
  await write?.();
  await repo.deleteUnwantedSeats(trx, orgId, keys.stale.filter((k) => lockedKeys.includes(k)));
  await repo.insertGroupSeats(trx, orgId, groupId, keys.fresh.filter((k) => lockedKeys.includes(k)));
  await fill(trx, orgId, locked);
}

/** Grants pending requests of locked products while seats are free; returns the resulting counts. */
async function fill(trx: Trx, orgId: string, locked: repo.LockedProduct[]): Promise<Map<string, repo.SeatCount>> {
  const counts = await repo.seatCounts(trx, orgId, locked.map((p) => p.key));
  for (const p of locked) {
    const c = counts.get(p.key) ?? { granted: 0, pending: 0 };
    const n = await repo.grantPending(trx, orgId, p.key, Math.min(p.seats - c.granted, c.pending));
    counts.set(p.key, { granted: c.granted + n, pending: c.pending - n });
  }
  return counts;
}

function normalizeKeys(keys: string[]): string[] {
  return [...new Set(keys)].sort();
}

async function assertProductsExist(db: Kysely<Database> | Trx, orgId: string, keys: string[], field: string) {
  const existing = await repo.existingProductKeys(db, orgId, keys);
  const unknown = keys.filter((k) => !existing.has(k));
  if (unknown.length) {
    const names = unknown.map((k) => `"${k}"`).join(", ");
    throw new InvalidValueError(
      `${field}: ${unknown.length === 1 ? `product ${names} does not` : `products ${names} do not`} exist in this organization`,
    );
  }
}

async function assertOrg(db: Kysely<Database> | Trx, orgId: string) {
  if (!isUuid(orgId) || !(await repo.orgExists(db, orgId))) throw new NotFoundError("Organization", orgId);
}
