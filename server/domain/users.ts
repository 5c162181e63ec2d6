import type { Expression, Kysely, SqlBool, Transaction } from "kysely";
import { isUuid, uuidv7 } from "../lib/ids.ts";
import { hashPassword } from "../lib/password.ts";
import { isUniqueViolation } from "../storage/pg-errors.ts";
import type { Database } from "../storage/tables.ts";
import * as repo from "../storage/users-repo.ts";
import { InvalidValueError, NotFoundError, UniquenessError, VersionMismatchError } from "./errors.ts";
import type { ListQuery, Page } from "./list-query.ts";

export interface EmailInput {
  value: string;
  type: string | null;
  primary: boolean;
}

/** What a protocol hands the domain to create or replace a user. */
export interface UserInput {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  emails: EmailInput[];
  /** The whole attribute document as the protocol will render it back (no id, meta, password). */
  profile: Record<string, unknown>;
  /** A new password to store (hashed), or undefined to keep the current one. */
  password?: string | undefined;
}

export interface User {
  id: string;
  orgId: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  profile: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserGroupRef {
  id: string;
  displayName: string;
}

export interface WriteOptions {
  /** The versions the caller accepts (If-Match); the write fails unless the current one is among them. */
  expectedVersions?: readonly number[] | undefined;
}

const USER_NAME_INDEX = "users_user_name_uq";

export async function getUser(db: Kysely<Database>, orgId: string, id: string): Promise<User> {
  const row = isUuid(id) ? await repo.findUser(db, orgId, id) : undefined;
  if (!row) throw new NotFoundError("User", id);
  return repo.toUser(row);
}

export async function listUsers(
  db: Kysely<Database>,
  orgId: string,
  query: ListQuery,
): Promise<Page<User>> {
  return repo.listUsers(db, orgId, query);
}

export async function groupsOfUsers(
  db: Kysely<Database>,
  orgId: string,
  userIds: string[],
): Promise<Map<string, UserGroupRef[]>> {
  return repo.groupsOfMembers(db, orgId, userIds);
}

export async function createUser(db: Kysely<Database>, orgId: string, input: UserInput): Promise<User> {
  validate(input);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return uniqueUserName(input.userName, () =>
    db.transaction().execute(async (trx) => {
      const now = new Date();
      const row = await repo.insertUser(trx, {
        org_id: orgId,
        id: uuidv7(now.getTime()),
        ...columnsOf(input),
        password_hash: passwordHash,
        created_at: now,
        updated_at: now,
      });
      await repo.replaceEmails(trx, orgId, row.id, input.emails);
      return repo.toUser(row);
    }),
  );
}

/**
 * Replaces a user inside one transaction. `next` receives the locked current
 * state, so PATCH can compute the new document from exactly what it replaces.
 */
export async function updateUser(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  next: (current: User) => UserInput,
  options: WriteOptions = {},
): Promise<User> {
  if (!isUuid(id)) throw new NotFoundError("User", id);
  return uniqueUserName(undefined, () =>
    db.transaction().execute(async (trx) => {
      const current = await lockUser(trx, orgId, id, options);
      const input = next(current);
      validate(input);
      const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
      const row = await repo.updateUser(trx, orgId, id, {
        ...columnsOf(input),
        ...(passwordHash === undefined ? {} : { password_hash: passwordHash }),
        version: current.version + 1,
        updated_at: new Date(),
      });
      await repo.replaceEmails(trx, orgId, id, input.emails);
      return repo.toUser(row);
    }),
  );
}

/** Deletes the user, its emails and every membership it holds (RFC 7644 §3.6). */
export async function deleteUser(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  options: WriteOptions = {},
): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError("User", id);
  await db.transaction().execute(async (trx) => {
    await repo.lockGroupsOf(trx, orgId, id);
    await lockUser(trx, orgId, id, options);
    await repo.removeFromAllGroups(trx, orgId, id);
    await repo.deleteUser(trx, orgId, id);
  });
}

async function lockUser(trx: Transaction<Database>, orgId: string, id: string, options: WriteOptions): Promise<User> {
  const row = await repo.findUser(trx, orgId, id, { forUpdate: true });
  if (!row) throw new NotFoundError("User", id);
  if (options.expectedVersions !== undefined && !options.expectedVersions.includes(row.version)) {
    throw new VersionMismatchError("User", id, row.version);
  }
  return repo.toUser(row);
}

function validate(input: UserInput): void {
  if (!input.userName.trim()) throw new InvalidValueError("userName must not be empty");
  for (const e of input.emails) {
    if (!e.value.trim()) throw new InvalidValueError("emails[].value must not be empty");
  }
  assertIndexable("userName", input.userName);
  assertIndexable("externalId", input.externalId);
  assertIndexable("displayName", input.displayName);
  input.emails.forEach((e, i) => assertIndexable(`emails[${i}].value`, e.value));
  assertStorableText(input.profile);
}

/**
 * Longest value of a column with a btree index (userName, externalId,
 * displayName, emails.value, a group's displayName and externalId). PostgreSQL
 * refuses index entries above about 2.7 kB; 512 UTF-16 code units are at most
 * 1.5 kB of UTF-8.
 */
export const MAX_INDEXED_LENGTH = 512;

export function assertIndexable(name: string, value: string | null): void {
  if (value !== null && value.length > MAX_INDEXED_LENGTH) {
    throw new InvalidValueError(`${name} is ${value.length} characters long; the limit is ${MAX_INDEXED_LENGTH}`);
  }
}

// An unpaired UTF-16 surrogate: a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses strings PostgreSQL cannot store, anywhere in an attribute document:
 * U+0000 (text and jsonb both reject it) and unpaired surrogates (jsonb rejects
 * them; text would silently store U+FFFD instead). Both are valid JSON escapes
 * (\u0000, \ud800), so they arrive through the protocol untouched.
 */
export function assertStorableText(value: unknown, path = ""): void {
  if (typeof value === "string") {
    const where = path || "a value";
    if (value.includes("\u0000")) throw new InvalidValueError(`${where} contains the NUL character (U+0000), which cannot be stored`);
    if (LONE_SURROGATE.test(value)) {
      throw new InvalidValueError(`${where} contains an unpaired UTF-16 surrogate (not valid Unicode text), which cannot be stored`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertStorableText(v, `${path}[${i}]`));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      assertStorableText(k, path ? `${path}.${k}` : k);
      assertStorableText(v, path ? `${path}.${k}` : k);
    }
  }
}

function columnsOf(input: UserInput) {
  return {
    user_name: input.userName,
    external_id: input.externalId,
    display_name: input.displayName,
    active: input.active,
    resource: JSON.stringify(input.profile),
  };
}

/** Maps the unique index on (org_id, lower(user_name)) to a domain error. */
async function uniqueUserName<T>(userName: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isUniqueViolation(e, USER_NAME_INDEX)) {
      throw new UniquenessError(
        userName
          ? `userName "${userName}" is already taken in this organization (userName is unique, case-insensitively)`
          : "userName is already taken in this organization (userName is unique, case-insensitively)",
      );
    }
    throw e;
  }
}

export type { ListQuery, Page };
export type UserFilter = Expression<SqlBool>;
