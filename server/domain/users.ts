import type { Kysely, Transaction } from "kysely";
import { isUuid, uuidv7 } from "../lib/ids.ts";
import { hashPassword } from "../lib/password.ts";
import { isUniqueViolation } from "../storage/pg-errors.ts";
import type { Database } from "../storage/tables.ts";
import * as listRepo from "../storage/users-list-repo.ts";
import * as repo from "../storage/users-repo.ts";
import type { Actor } from "./actor.ts";
import { recordAudit, summarizeChange } from "./audit.ts";
import { assertAddressesAllowed } from "./domains.ts";
import { NotFoundError, UniquenessError } from "./errors.ts";
import { assertExpectedVersion, type WriteOptions } from "./write-options.ts";
import type { ListQuery, Page } from "./list-query.ts";
import { DEFAULT_ROLES, type Roles, parseRoles, rolesFromScimValues } from "./roles.ts";
import { releaseUserSeats, syncUserSeats } from "./seats.ts";
import { endUserSessions } from "./sessions.ts";
import { guardLastSuperAdmin } from "./super-admin-guard.ts";
import { addressesChanged, auditView, emailsChanged, inputOf, normalise, type UserInput, validate } from "./user-input.ts";

export type { EmailInput, UserInput } from "./user-input.ts";
export { inputOf } from "./user-input.ts";

export interface User {
  id: string;
  orgId: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  profile: Record<string, unknown>;
  roles: Roles;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserGroupRef {
  id: string;
  displayName: string;
}

export type { WriteOptions } from "./write-options.ts";

const USER_NAME_INDEX = "users_user_name_uq";

export async function getUser(db: Kysely<Database>, orgId: string, id: string): Promise<User> {
  const row = isUuid(id) ? await repo.findUser(db, orgId, id) : undefined;
  if (!row) throw new NotFoundError("User", id);
  return repo.toUser(row);
}

/**
 * A page of users; `options` names the relations (direct groups, seats) to read
 * along in the same query, and the remembered index-paging positions to start from.
 */
export async function listUsers(
  db: Kysely<Database>,
  orgId: string,
  query: ListQuery,
  options: listRepo.ListOptions = {},
): Promise<Page<listRepo.ListedUser>> {
  return listRepo.listUsers(db, orgId, query, options);
}

export async function groupsOfUsers(db: Kysely<Database>, orgId: string, userIds: string[]) {
  return repo.groupsOfMembers(db, orgId, userIds);
}

export async function createUser(db: Kysely<Database>, orgId: string, input: UserInput, actor: Actor): Promise<User> {
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return uniqueUserName(input.userName, () =>
    db.transaction().execute((trx) => insertUser(trx, orgId, input, passwordHash, actor)),
  );
}

/**
 * Creates a user inside the caller's transaction (CSV import runs each row in
 * a savepoint of one transaction). Every rule of createUser applies.
 */
export async function createUserInTransaction(
  trx: Transaction<Database>,
  orgId: string,
  input: UserInput,
  actor: Actor,
): Promise<User> {
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return uniqueUserName(input.userName, () => insertUser(trx, orgId, input, passwordHash, actor));
}

async function insertUser(
  trx: Transaction<Database>,
  orgId: string,
  raw: UserInput,
  passwordHash: string | null,
  actor: Actor,
): Promise<User> {
  const input = normalise(raw);
  validate(input);
  await assertAddressesAllowed(trx, orgId, input);
  const roles = rolesFromScimValues(input.roleValues, DEFAULT_ROLES);
  const now = new Date();
  const row = await repo.insertUserWithEmails(
    trx,
    {
      org_id: orgId,
      id: uuidv7(now.getTime()),
      ...columnsOf(input, roles),
      password_hash: passwordHash,
      created_at: now,
      updated_at: now,
    },
    input.emails,
  );
  // A user created in this transaction is in no group and holds no seat row yet:
  // without entitlements there is nothing to sync (syncUserSeats would read three empty sets).
  if (input.products.length) await syncUserSeats(trx, orgId, row.id, { active: input.active, directProducts: input.products });
  const user = repo.toUser(row);
  await recordAudit(trx, orgId, actor, {
    action: "user.created",
    target: { type: "User", id: user.id, label: user.userName },
    details: { changes: summarizeChange(undefined, auditView(user)) },
  });
  return user;
}

/**
 * Replaces a user inside one transaction. `next` receives the locked current
 * state, so PATCH computes the new document from exactly what it replaces.
 */
export async function updateUser(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  next: (current: User) => UserInput,
  options: WriteOptions,
  actor: Actor,
): Promise<User> {
  if (!isUuid(id)) throw new NotFoundError("User", id);
  let attempted: string | undefined;
  return uniqueUserName(
    () => attempted,
    () =>
      db.transaction().execute(async (trx) => {
        const current = await lockUser(trx, orgId, id, options);
        const input = normalise(next(current));
        attempted = input.userName;
        validate(input);
        // Addresses are checked when they change, so a user whose domain rules
        // changed since can still be suspended or deleted by its identity provider.
        if (addressesChanged(current, input)) await assertAddressesAllowed(trx, orgId, input);
        const roles = rolesFromScimValues(input.roleValues, current.roles);
        return writeUpdate(trx, current, input, roles, actor);
      }),
  );
}

/** Suspend (active=false: seats freed, sign-in refused, data kept) or restore a user. */
export async function setUserActive(db: Kysely<Database>, orgId: string, id: string, active: boolean, actor: Actor) {
  return updateUser(db, orgId, id, (current) => ({ ...inputOf(current), active }), {}, actor);
}

/** Roles set by people (operator, organization admins): the only way to grant super administrator. */
export async function setUserRoles(db: Kysely<Database>, orgId: string, id: string, rolesInput: unknown, actor: Actor) {
  if (!isUuid(id)) throw new NotFoundError("User", id);
  return db.transaction().execute(async (trx) => {
    const current = await lockUser(trx, orgId, id, {});
    const roles = parseRoles(rolesInput, current.roles);
    return writeUpdate(trx, current, inputOf(current), roles, actor);
  });
}

async function writeUpdate(trx: Transaction<Database>, current: User, input: UserInput, roles: Roles, actor: Actor) {
  await guardLastSuperAdmin(trx, current, { active: input.active, adminRole: roles.adminRole });
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  const row = await repo.updateUser(trx, current.orgId, current.id, {
    ...columnsOf(input, roles),
    ...(passwordHash === undefined ? {} : { password_hash: passwordHash }),
    version: current.version + 1,
    updated_at: new Date(),
  });
  // Most updates (suspend, restore, a name change) leave the emails as they are: skip the rewrite.
  if (emailsChanged(current, input)) await repo.replaceEmails(trx, current.orgId, current.id, input.emails);
  await syncUserSeats(trx, current.orgId, current.id, { active: input.active, directProducts: input.products });
  const user = repo.toUser(row);
  if (!user.active) await endUserSessions(trx, current.orgId, current.id); // a suspended user is signed out at once
  const action = current.active === user.active ? "user.updated" : user.active ? "user.restored" : "user.suspended";
  await recordAudit(trx, current.orgId, actor, {
    action,
    target: { type: "User", id: user.id, label: user.userName },
    // That the password changed is worth an auditor's eye; the password itself never is.
    details: {
      changes: summarizeChange(auditView(current), auditView(user)),
      ...(passwordHash === undefined ? {} : { passwordChanged: true }),
    },
  });
  return user;
}

/** Deletes the user, its emails, seats and every membership it holds (RFC 7644 §3.6). */
export async function deleteUser(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  options: WriteOptions,
  actor: Actor,
): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError("User", id);
  await db.transaction().execute(async (trx) => {
    await repo.lockGroupsOf(trx, orgId, id);
    const current = await lockUser(trx, orgId, id, options);
    await guardLastSuperAdmin(trx, current, "deleted");
    await repo.removeFromAllGroups(trx, orgId, id);
    await releaseUserSeats(trx, orgId, id);
    await repo.deleteUser(trx, orgId, id);
    await recordAudit(trx, orgId, actor, {
      action: "user.deleted",
      target: { type: "User", id, label: current.userName },
      details: { changes: summarizeChange(auditView(current), undefined) },
    });
  });
}

async function lockUser(trx: Transaction<Database>, orgId: string, id: string, options: WriteOptions): Promise<User> {
  const row = await repo.findUser(trx, orgId, id, { forUpdate: true });
  if (!row) throw new NotFoundError("User", id);
  assertExpectedVersion("User", id, row.version, options);
  return repo.toUser(row);
}

function columnsOf(input: UserInput, roles: Roles) {
  return {
    user_name: input.userName,
    external_id: input.externalId,
    display_name: input.displayName,
    active: input.active,
    resource: JSON.stringify(input.profile),
    org_role: roles.orgRole,
    admin_role: roles.adminRole,
    manager_scope: JSON.stringify(roles.managerScope),
  };
}

/** Maps the unique index on (org_id, lower(user_name)) to a domain error. */
async function uniqueUserName<T>(userName: string | (() => string | undefined), write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isUniqueViolation(e, USER_NAME_INDEX)) {
      const name = typeof userName === "function" ? userName() : userName;
      throw new UniquenessError(
        `userName ${name ? `"${name}" ` : ""}is already taken in this organization (userName is unique, case-insensitively)`,
      );
    }
    throw e;
  }
}
