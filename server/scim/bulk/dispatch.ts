/**
 * Runs one validated, resolved bulk operation through the very functions the
 * single /Users and /Groups requests use (userWrites, groupWrites): same
 * parsing, same domain call, same transaction, audit, seats and checks. Only
 * the rendering is skipped: a bulk response carries location and version.
 */
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
