/**
 * One transaction for several bulk operations, each in its own savepoint.
 *
 * Why: a create on its own costs a BEGIN and a COMMIT, and the COMMIT waits for
 * the WAL to reach the disk, the more so on a busy machine. Sharing the COMMIT
 * among the operations of a chunk removes most of those flushes (bench scenario
 * 6: 2.3× → 2.6× the rate of the same creates one by one on a quiet machine,
 * 1.6× → 2.6–2.8× on a busy one; bench/README.md), while a savepoint per operation keeps
 * each one atomic on its own: a refused operation is rolled back to its
 * savepoint and its chunk-mates go on, as they would have without it.
 *
 * Why not one transaction for the whole request: the locks a write takes (a
 * product's seat row, the unique userName index entries, the user-count shard)
 * are held until COMMIT, so a 1,000-operation request would make concurrent
 * writers of the same organization wait seconds. BULK_CHUNK_SIZE bounds that
 * to the time of 50 writes (tens of milliseconds on PostgreSQL) while already
 * sharing each COMMIT among enough operations that it no longer dominates.
 * It also stays below the 64 subtransaction ids PostgreSQL keeps per backend
 * (PGPROC_MAX_CACHED_SUBXIDS; each savepoint that writes takes one): past
 * that, every other session's snapshots must look them up in pg_subtrans.
 *
 * A chunk is all or nothing at its COMMIT. When the COMMIT fails, or an
 * operation fails with something that is not a refusal of that operation (a
 * deadlock, a serialization failure, an outage, a bug), the chunk is abandoned:
 * rolled back whole, and the caller runs its operations again one by one, each
 * in its own transaction, so nothing is reported as done that was not
 * committed, and each such failure is reported by the operation it belongs to.
 */
import type { ControlledTransaction, Kysely, Transaction } from "kysely";
import { isTransientConflict } from "../../domain/errors.ts";
import type { Database } from "../../storage/tables.ts";
import { toScimError } from "../error-map.ts";
import type { ScimError } from "../scim-error.ts";

/** At most this many operations share one transaction (see above for why 50). */
export const BULK_CHUNK_SIZE = 50;

export type Attempted<T> = { ok: true; value: T } | { ok: false; error: ScimError };

/** Runs `write` in a savepoint of the chunk's transaction; a refusal rolls back to it. */
export type Attempt = <T>(write: (trx: Transaction<Database>) => Promise<T>) => Promise<Attempted<T>>;

/**
 * Runs `body` in one transaction and commits it. true: committed, every
 * successful attempt is durable. false: abandoned and rolled back, nothing of
 * it is (see above); the caller replays the chunk one operation at a time.
 */
export async function inChunkTransaction(db: Kysely<Database>, body: (attempt: Attempt) => Promise<void>): Promise<boolean> {
  let trx: ControlledTransaction<Database>;
  try {
    trx = await db.startTransaction().execute();
  } catch {
    return false; // no connection: the replay meets (and reports) the same outage per operation
  }
  let n = 0;
  const attempt: Attempt = async (write) => {
    const name = `op_${++n}`;
    const sp = await trx.savepoint(name).execute();
    // No RELEASE SAVEPOINT: it would be one more round trip per operation (a
    // fifth of a create's statements) for nothing, as COMMIT ends them all. The
    // next savepoint nests in this one; a rollback to this one keeps it open.
    try {
      return { ok: true, value: await write(sp) };
    } catch (err) {
      const refusal = refusalOf(err);
      if (!refusal) throw err; // abandons the chunk
      await sp.rollbackToSavepoint(name).execute();
      return { ok: false, error: refusal };
    }
  };
  try {
    await body(attempt);
    await trx.commit().execute();
    return true;
  } catch {
    if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => undefined);
    return false;
  }
}

/**
 * The SCIM error of a failure that belongs to the operation alone (bad input,
 * a rule of the domain): what its single request would have answered. A
 * transient conflict is not one: retried on its own, the operation may succeed.
 */
function refusalOf(err: unknown): ScimError | undefined {
  return isTransientConflict(err) ? undefined : toScimError(err);
}
