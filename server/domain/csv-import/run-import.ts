import type { ControlledTransaction, Kysely } from "kysely";
import type { Database } from "../../storage/tables.ts";
import type { Actor } from "../actor.ts";
import { recordAudit } from "../audit.ts";
import { normaliseEmail } from "../domains.ts";
import { DomainError, InvalidValueError, SeatLimitError, UniquenessError } from "../errors.ts";
import { getOrg } from "../orgs.ts";
import { createUserInTransaction, type UserInput } from "../users.ts";
import type { ImportFile, ImportRow } from "./import-rows.ts";
import { checkRows } from "./row-checks.ts";

export type ImportMode = "preview" | "apply";

export interface ImportRowResult {
  row: number;
  email: string;
  status: "ok" | "error";
  errors: string[];
  /** The created user (apply only: a preview creates nobody). */
  userId?: string;
}

export interface ImportReport {
  mode: ImportMode;
  total: number;
  ok: number;
  failed: number;
  rows: ImportRowResult[];
}

export interface ImportOptions {
  mode: ImportMode;
  /** Called after each row, with the rows done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Creates the users of a file, all or nothing, or says what would happen.
 *
 * One transaction; each row runs in its own savepoint through
 * createUserInTransaction, so every rule of a user write applies exactly as it
 * would for that user alone (verified domains, unique userName, product keys,
 * seats, audit) and sees the rows before it: three free seats and five rows
 * asking for the product fail rows 4 and 5. A failed row is rolled back to its
 * savepoint and the next row goes on, so every row is reported. At the end a
 * preview rolls everything back; an apply commits only when every row
 * succeeded, so what the preview reported is what the apply does (barring
 * changes made in between by others).
 *
 * Checks that need no database run first; a row failing them is not tried.
 * The database rules stop at the first one broken, so such a row reports one
 * database error. An error that is not a rule of the domain (the database went
 * away) rolls everything back and is thrown.
 */
export async function runImport(
  db: Kysely<Database>,
  orgId: string,
  file: ImportFile,
  { mode, onProgress }: ImportOptions,
  actor: Actor,
): Promise<ImportReport> {
  await getOrg(db, orgId);
  const total = file.rows.length;
  const checks = checkRows(file.rows);
  const results: ImportRowResult[] = [];
  const trx = await db.startTransaction().execute();
  try {
    for (const [i, row] of file.rows.entries()) {
      const errors = checks[i]!;
      const result: ImportRowResult = { row: row.row, email: row.email, status: "ok", errors };
      if (!errors.length) {
        const outcome = await tryRow(trx, orgId, row, actor);
        if ("error" in outcome) errors.push(outcome.error);
        else if (mode === "apply") result.userId = outcome.userId;
      }
      if (errors.length) result.status = "error";
      results.push(result);
      onProgress?.(i + 1, total);
    }
    const ok = results.filter((r) => r.status === "ok").length;
    const report: ImportReport = { mode, total, ok, failed: total - ok, rows: results };
    if (mode === "apply" && report.failed === 0) {
      await recordAudit(trx, orgId, actor, {
        action: "import.applied",
        target: { type: "import", label: file.format },
        // Counts only: the file holds personal data, which the user.created events already record per user.
        details: { format: file.format, fileRows: file.fileRows, users: total, created: ok },
      });
      await trx.commit().execute();
    } else {
      await trx.rollback().execute();
      // Nothing was created: ids of rolled-back rows must not be shown as users.
      for (const r of results) delete r.userId;
    }
    return report;
  } catch (e) {
    if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => undefined);
    throw e;
  }
}

async function tryRow(
  trx: ControlledTransaction<Database>,
  orgId: string,
  row: ImportRow,
  actor: Actor,
): Promise<{ userId: string } | { error: string }> {
  const name = `row_${row.row}`;
  const sp = await trx.savepoint(name).execute();
  try {
    const user = await createUserInTransaction(sp, orgId, userInputOf(row), actor);
    await sp.releaseSavepoint(name).execute();
    return { userId: user.id };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    await sp.rollbackToSavepoint(name).execute();
    await sp.releaseSavepoint(name).execute();
    return { error: rowMessage(e, row) };
  }
}

/** What createUser receives for a row: userName and the one work email are the address. */
function userInputOf(row: ImportRow): UserInput {
  const email = normaliseEmail(row.email);
  const displayName = `${row.firstName} ${row.lastName}`;
  const emails = [{ value: email, type: "work", primary: true }];
  return {
    userName: email,
    externalId: null,
    displayName,
    active: true,
    emails,
    profile: {
      userName: email,
      name: { givenName: row.firstName, familyName: row.lastName },
      displayName,
      emails,
      active: true,
      ...(row.products.length ? { entitlements: row.products.map((value) => ({ value })) } : {}),
    },
    products: row.products,
    roleValues: [],
  };
}

/**
 * The domain's messages speak SCIM (userName, entitlements); a row's reader
 * knows the file's columns, so the field names are translated.
 */
function rowMessage(e: DomainError, row: ImportRow): string {
  if (e instanceof UniquenessError) return `a user with the email "${row.email}" already exists in this organization`;
  if (e instanceof SeatLimitError) {
    return `product "${e.product}" has no free seat (${e.assigned} of ${e.seats} assigned, counting the rows above in this file); free a seat or buy more`;
  }
  if (e instanceof InvalidValueError) return e.message.replace(/^userName /, "email ").replace(/^entitlements: /, "");
  return e.message;
}
