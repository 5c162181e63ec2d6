/**
 * The SCIM PATCH engine (RFC 7644 §3.5.2), pure: no I/O, no clock.
 *
 * A handler runs, in this order, and writes nothing until all three succeed:
 *   const ops = parsePatchRequest(body);                       // body shape, op names
 *   const { memberDeltas, otherOps } = splitMemberOps(ops);    // Groups only
 *   const next = applyPatch(stored, otherOps, schema);         // every other attribute
 * then stores `next` and runs memberDeltas in order as SQL on group_members.
 */
import { applyStepsInPlace } from "./apply.ts";
import { compileOperation } from "./compile.ts";
import { inOperation } from "./op-context.ts";
import type { PatchOperation, SchemaDefinition } from "./types.ts";

export type { MemberDelta, MemberRef, PatchOperation, SchemaDefinition } from "./types.ts";
export { parsePatchRequest, PATCH_OP_SCHEMA } from "./parse-request.ts";
export { splitMemberOps } from "./members.ts";

/**
 * Applies ops to a copy of the resource (the stored SCIM attributes, without id,
 * meta, schemas); never mutates the input. Every op is validated before any is
 * applied; on error nothing is returned (throws a ScimError).
 */
export function applyPatch(
  resource: Record<string, unknown>,
  ops: PatchOperation[],
  schema: SchemaDefinition,
): Record<string, unknown> {
  const steps = ops.map((op, i) => inOperation(i, () => compileOperation(op, schema)));
  // State-dependent checks (immutable values, filters matching nothing) still say which op failed.
  const doc = structuredClone(resource);
  steps.forEach((s, i) => inOperation(i, () => applyStepsInPlace(doc, s)));
  return doc;
}
