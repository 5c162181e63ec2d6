import { Work } from "./driver.ts";
import type { Measurement } from "./measure.ts";

/**
 * Scenario 6: the same N user creates, once one POST /Users at a time and once
 * as POST /Bulk requests (RFC 7644 §3.7) of up to 1,000 operations, `workers`
 * requests in flight in both. The figure is creates per second; each bulk
 * operation whose status is not 201 counts as a failure.
 */
export const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

export interface BulkSupport {
  supported: boolean;
  maxOperations: number;
  maxPayloadSize: number;
}

export interface CreatesOptions {
  serverUrl: string;
  token: string;
  domain: string;
  creates: number;
  workers: number;
  /** Distinguishes the users of each series and round. */
  run: string;
}

function userBody(userName: string, i: number) {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: "Bulk", familyName: `User ${i}` },
    displayName: `Bulk User ${i}`,
    emails: [{ value: userName, type: "work", primary: true }],
    active: true,
  };
}

function work(o: CreatesOptions) {
  return new Work(`${o.serverUrl}/scim/v2`, { authorization: `Bearer ${o.token}`, "content-type": "application/scim+json" });
}

export async function createsOneByOne(o: CreatesOptions): Promise<Measurement> {
  const w = work(o);
  const result = await w.run(o.workers, o.creates, async (i, r) => {
    await r.send({ method: "POST", path: "/Users", body: userBody(`one${o.run}.${i}@${o.domain}`, i) });
  });
  return result.measurement;
}

/** Operations per bulk request: 1,000, or fewer if the server advertises less (operations or bytes). */
export function operationsPerRequest(support: BulkSupport, sampleDomain: string): number {
  const perOperation = JSON.stringify(bulkOperation(`bulk-sample.999999@${sampleDomain}`, 999_999)).length + 1;
  const byPayload = support.maxPayloadSize > 0 ? Math.floor((support.maxPayloadSize - 200) / perOperation) : 1000;
  return Math.max(1, Math.min(1000, support.maxOperations || 1000, byPayload));
}

function bulkOperation(userName: string, i: number) {
  return { method: "POST", path: "/Users", bulkId: `u${i}`, data: userBody(userName, i) };
}

export async function createsInBulk(o: CreatesOptions, perRequest: number): Promise<Measurement> {
  const w = work(o);
  const requests = Math.ceil(o.creates / perRequest);
  const result = await w.run(
    o.workers,
    requests,
    async (k, r) => {
      const from = k * perRequest;
      const to = Math.min(o.creates, from + perRequest);
      const Operations = [];
      for (let i = from; i < to; i++) Operations.push(bulkOperation(`bulk${o.run}.${i}@${o.domain}`, i));
      const res = await r.send({ method: "POST", path: "/Bulk", body: { schemas: [BULK_REQUEST], Operations } });
      if (res.status !== 200) return;
      const ops = (res.body as { Operations?: { status?: unknown; response?: unknown }[] } | undefined)?.Operations ?? [];
      const failed = ops.filter((op) => String(op.status) !== "201");
      if (ops.length !== to - from) r.fail(`POST /Bulk: ${to - from} operations sent, ${ops.length} results`);
      else if (failed.length) r.fail(`POST /Bulk: ${failed.length} of ${ops.length} operations failed, first: ${JSON.stringify(failed[0]).slice(0, 300)}`);
    },
    o.creates,
  );
  return result.measurement;
}
