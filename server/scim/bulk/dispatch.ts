/**
 * Runs one validated, resolved bulk operation through the very functions the
 * single /Users and /Groups requests use (userWrites, groupWrites): same
 * parsing, same domain call, same transaction, audit, seats and checks. Only
 * the rendering is skipped: a bulk response carries location and version.
 */
import type { Transaction } from "kysely";
import type { Database } from "../../storage/tables.ts";
import type { ScimContext } from "../context.ts";
import { groupWrites } from "../groups-routes.ts";
import { userWrites } from "../users-routes.ts";
import type { BulkOperation } from "./operation.ts";

export interface Outcome {
  /** The status the single request would have answered. */
  status: number;
  id: string;
  /** The new version; none after DELETE. */
  version?: number;
}

export async function dispatch(ctx: ScimContext, op: BulkOperation): Promise<Outcome> {
  const writes = op.resource === "Users" ? userWrites : groupWrites;
  switch (op.method) {
    case "POST": {
      const created = await writes.create(ctx, op.data);
      return { status: 201, id: created.id, version: created.version };
    }
    case "PUT": {
      const replaced = await writes.replace(ctx, op.id!, op.data, op.version);
      return { status: 200, id: replaced.id, version: replaced.version };
    }
    case "PATCH": {
      const patched = await writes.patch(ctx, op.id!, op.data, op.version);
      // A single group PATCH answers 204 (groups-routes.ts), a user PATCH 200 with the user.
      return { status: op.resource === "Groups" ? 204 : 200, id: patched.id, version: patched.version };
    }
    case "DELETE":
      await writes.remove(ctx, op.id!, op.version);
      return { status: 204, id: op.id! };
  }
}

/**
 * Whether an operation can share a chunk's transaction (chunk.ts): user
 * creates, the bulk of a provisioning run, whose domain write has a variant
 * that runs in the caller's transaction. The other operations run as above.
 */
export function joinsChunk(op: BulkOperation): boolean {
  return op.method === "POST" && op.resource === "Users";
}

/** dispatch for an operation that joinsChunk, inside the chunk's transaction. */
export async function dispatchInTransaction(trx: Transaction<Database>, ctx: ScimContext, op: BulkOperation): Promise<Outcome> {
  if (!joinsChunk(op)) throw new Error(`${op.method} /${op.resource} does not run in a bulk chunk`);
  const created = await userWrites.createInTransaction(trx, ctx, op.data);
  return { status: 201, id: created.id, version: created.version };
}
