/**
 * Runs a bulk request (RFC 7644 §3.7): each operation on its own, in its own
 * transaction, exactly as the single request would; a failed operation leaves
 * nothing behind and does not stop the others, unless failOnErrors is reached.
 * Results come back in the request's order; operations not run are left out.
 */
import type { ScimContext } from "../context.ts";
import { toScimError } from "../error-map.ts";
import { etagOf } from "../etag.ts";
import { ScimError } from "../scim-error.ts";
import { dispatch } from "./dispatch.ts";
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
  for (const i of order) {
    if (request.failOnErrors !== undefined && errors >= request.failOnErrors) break;
    const result = await runOne(prepared[i]!, i);
    if (result.response) errors++;
    results[i] = result;
  }
  return { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.filter((r): r is OperationResult => r !== undefined) };

  async function runOne(p: Prepared, index: number): Promise<OperationResult> {
    const method = methodOf(p.raw);
    const echo = { ...(method === undefined ? {} : { method }), ...(p.raw.bulkId === undefined ? {} : { bulkId: p.raw.bulkId }) };
    const fail = (error: ScimError, location?: string): OperationResult => ({
      ...echo,
      ...(location === undefined ? {} : { location }),
      status: String(error.status),
      response: error.toJSON(),
    });
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
    try {
      const outcome = await dispatch(ctx, op);
      if (op.method === "POST") created.set(op.bulkId!, outcome.id);
      return {
        ...echo,
        ...(outcome.version === undefined ? {} : { version: etagOf(outcome.version) }),
        location: `${ctx.baseUrl}/${op.resource}/${outcome.id}`,
        status: String(outcome.status),
      };
    } catch (err) {
      // RFC 7644 §3.7.3: every result has a location but a failed POST's.
      const location = op.id === undefined ? undefined : `${ctx.baseUrl}/${op.resource}/${op.id}`;
      const scim = toScimError(err);
      if (scim) return fail(scim, location);
      onUnexpected(err, index);
      return fail(new ScimError(500, undefined, "Internal server error"), location);
    }
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
