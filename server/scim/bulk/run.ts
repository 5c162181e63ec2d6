/**
 * Runs a bulk request (RFC 7644 §3.7): each operation exactly as its single
 * request would, atomic on its own; a failed operation leaves nothing behind
 * and does not stop the others, unless failOnErrors is reached. Runs of
 * consecutive user creates share a transaction, in chunks, each create in its
 * own savepoint (chunk.ts says why and how a failed chunk is replayed); every
 * other operation has its own transaction. Results come back in the request's
 * order; operations not run are left out.
 */
import type { ScimContext } from "../context.ts";
import { toScimError } from "../error-map.ts";
import { etagOf } from "../etag.ts";
import { ScimError } from "../scim-error.ts";
import { BULK_CHUNK_SIZE, inChunkTransaction } from "./chunk.ts";
import { dispatch, dispatchInTransaction, joinsChunk, type Outcome } from "./dispatch.ts";
import { type BulkOperation, methodOf, validateOperation } from "./operation.ts";
import { planExecution } from "./plan.ts";
import { collectReferences, referenceOf, substituteReferences } from "./references.ts";
import type { BulkRequest, RawOperation } from "./request.ts";

export const BULK_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

export interface OperationResult {
  method?: string;
  bulkId?: string;
  version?: string;
  location?: string;
  /** A string, as in every example of RFC 7644 §3.7.3. */
  status: string;
  /** The SCIM error of a failed operation. */
  response?: ReturnType<ScimError["toJSON"]>;
}

export interface BulkResponse {
  schemas: [typeof BULK_RESPONSE_SCHEMA];
  Operations: OperationResult[];
}

/** Called with an error that is no SCIM or domain error (a bug, an outage); the operation answers 500. */
export type OnUnexpected = (err: unknown, index: number) => void;

interface Prepared {
  raw: RawOperation;
  op?: BulkOperation;
  invalid?: ScimError;
  /** The bulkIds it references, in its path and its data. */
  refs: string[];
}

export async function runBulk(ctx: ScimContext, request: BulkRequest, onUnexpected: OnUnexpected): Promise<BulkResponse> {
  const prepared = request.operations.map(prepare);
  const owners = new Map<string, number>(); // bulkId → the operation carrying it (unique: request.ts)
  request.operations.forEach((raw, i) => {
    if (raw.bulkId !== undefined) owners.set(raw.bulkId, i);
  });
  const declaring = (ref: string) => {
    const i = owners.get(ref);
    return i !== undefined && prepared[i]!.op?.method === "POST" ? i : undefined;
  };
  const { order, circular } = planExecution(
    prepared.map((p) => p.refs.map(declaring).filter((i): i is number => i !== undefined)),
  );

  const created = new Map<string, string>(); // bulkId → id of the resource its POST created
  const results: (OperationResult | undefined)[] = new Array(prepared.length);
  let errors = 0;
  const stopped = () => request.failOnErrors !== undefined && errors >= request.failOnErrors;
  const record = (index: number, result: OperationResult) => {
    if (result.response) errors++;
    results[index] = result;
  };
  const inChunk = (index: number) => {
    const op = prepared[index]!.op;
    return op !== undefined && joinsChunk(op) && !circular.has(index);
  };
  for (let k = 0; k < order.length && !stopped(); ) {
    if (!inChunk(order[k]!)) {
      const index = order[k++]!;
      record(index, await runOne(index));
      continue;
    }
    const chunk: number[] = [];
    while (k < order.length && chunk.length < BULK_CHUNK_SIZE && inChunk(order[k]!)) chunk.push(order[k++]!);
    await runChunk(chunk);
  }
  return { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.filter((r): r is OperationResult => r !== undefined) };

  /** One operation in its own transaction. */
  async function runOne(index: number): Promise<OperationResult> {
    const resolved = resolve(index);
    if ("result" in resolved) return resolved.result;
    const { op, echo } = resolved;
    try {
      const outcome = await dispatch(ctx, op);
      if (op.method === "POST") created.set(op.bulkId!, outcome.id);
      return succeeded(op, echo, outcome);
    } catch (err) {
      const scim = toScimError(err);
      if (scim) return failed(op, echo, scim);
      onUnexpected(err, index);
      return failed(op, echo, new ScimError(500, undefined, "Internal server error"));
    }
  }

  /**
   * User creates in one transaction. Their results (and the ids later
   * operations' references resolve to) count only once it committed; an
   * abandoned chunk is forgotten and replayed one operation at a time.
   */
  async function runChunk(chunk: number[]): Promise<void> {
    const errorsBefore = errors;
    const tentative: [number, OperationResult][] = [];
    const bulkIds: string[] = [];
    const committed = await inChunkTransaction(ctx.db, async (attempt) => {
      for (const index of chunk) {
        if (stopped()) break;
        const resolved = resolve(index);
        let result: OperationResult;
        if ("result" in resolved) result = resolved.result;
        else {
          const { op, echo } = resolved;
          const outcome = await attempt((trx) => dispatchInTransaction(trx, ctx, op));
          if (outcome.ok) {
            // Later creates of this chunk may reference it (the enterprise manager): same transaction, they see it.
            created.set(op.bulkId!, outcome.value.id);
            bulkIds.push(op.bulkId!);
            result = succeeded(op, echo, outcome.value);
          } else result = failed(op, echo, outcome.error);
        }
        if (result.response) errors++;
        tentative.push([index, result]);
      }
    });
    if (committed) {
      for (const [index, result] of tentative) results[index] = result;
      return;
    }
    errors = errorsBefore;
    for (const bulkId of bulkIds) created.delete(bulkId);
    for (const index of chunk) {
      if (stopped()) break;
      record(index, await runOne(index));
    }
  }

  /** The operation ready to run, its references replaced by ids; or its result when it cannot run. */
  function resolve(index: number): { op: BulkOperation; echo: Echo } | { result: OperationResult } {
    const p = prepared[index]!;
    const method = methodOf(p.raw);
    const echo: Echo = { ...(method === undefined ? {} : { method }), ...(p.raw.bulkId === undefined ? {} : { bulkId: p.raw.bulkId }) };
    const fail = (error: ScimError): { result: OperationResult } => ({ result: failure(echo, error) });
    if (!p.op) return fail(p.invalid!);
    if (circular.has(index)) {
      const refs = p.refs.map((r) => `"bulkId:${r}"`).join(", ");
      return fail(conflict(`the references of this operation (${refs}) form a cycle; create the resources first, then link them with PATCH`));
    }
    const unresolved = p.refs.find((ref) => !created.has(ref));
    if (unresolved !== undefined) return fail(conflict(unresolvedDetail(unresolved)));
    const op = p.refs.length
      ? { ...p.op, id: p.op.id === undefined ? undefined : String(substituteReferences(p.op.id, created)), data: substituteReferences(p.op.data, created) }
      : p.op;
    return { op, echo };
  }

  function succeeded(op: BulkOperation, echo: Echo, outcome: Outcome): OperationResult {
    return {
      ...echo,
      ...(outcome.version === undefined ? {} : { version: etagOf(outcome.version) }),
      location: `${ctx.baseUrl}/${op.resource}/${outcome.id}`,
      status: String(outcome.status),
    };
  }

  function failed(op: BulkOperation, echo: Echo, error: ScimError): OperationResult {
    // RFC 7644 §3.7.3: every result has a location but a failed POST's.
    return failure(echo, error, op.id === undefined ? undefined : `${ctx.baseUrl}/${op.resource}/${op.id}`);
  }

  function unresolvedDetail(ref: string): string {
    const owner = owners.get(ref);
    if (owner === undefined) return `"bulkId:${ref}" cannot be resolved: no operation of this request has bulkId "${ref}"`;
    if (declaring(ref) === undefined && prepared[owner]!.op) {
      return `"bulkId:${ref}" cannot be resolved: it belongs to Operations[${owner}], a ${prepared[owner]!.op!.method}; only a POST's bulkId names a new resource`;
    }
    return `"bulkId:${ref}" cannot be resolved: Operations[${owner}], the POST that declares it, failed`;
  }
}

type Echo = Pick<OperationResult, "method" | "bulkId">;

function failure(echo: Echo, error: ScimError, location?: string): OperationResult {
  return { ...echo, ...(location === undefined ? {} : { location }), status: String(error.status), response: error.toJSON() };
}

function prepare(raw: RawOperation): Prepared {
  const refs = new Set<string>();
  let op: BulkOperation;
  try {
    op = validateOperation(raw);
  } catch (err) {
    if (!(err instanceof ScimError)) throw err;
    // An invalid operation runs nothing, so it waits for nothing: it reports its own error in turn.
    return { raw, invalid: err, refs: [] };
  }
  const pathRef = op.id === undefined ? undefined : referenceOf(op.id);
  if (pathRef !== undefined) refs.add(pathRef);
  if (op.method !== "DELETE") collectReferences(op.data, refs);
  return { raw, op, refs: [...refs] };
}

/** RFC 7644 §3.7.1 answers 409 for references that cannot be resolved; the value is what is wrong. */
const conflict = (detail: string) => new ScimError(409, "invalidValue", detail);
