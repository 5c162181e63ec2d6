import { type Recorder, Work } from "./driver.ts";
import type { Measurement } from "./measure.ts";

/**
 * Scenario 5: an initial sync as Microsoft Entra ID runs it, with the request
 * shapes of idp-fixtures/entra-id/transcript.json: for each user, look it up
 * by userName (200, empty ListResponse), then create it (with the enterprise
 * extension, as Entra sends it); then for each group, look it up by displayName
 * with excludedAttributes=members, create it (with Entra's ADSCIM schema URN),
 * and add its members with PATCH "Add" "members" in batches. `workers`
 * requests at a time, as Entra's provisioning service runs several at once.
 * The figure is the wall time of the whole sync and its requests per second.
 */
export const ENTRA_MEMBER_BATCH = 100;

const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ADSCIM_GROUP = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export interface SyncOptions {
  serverUrl: string;
  token: string;
  domain: string;
  users: number;
  groups: number;
  workers: number;
  /** Distinguishes the users and groups of each run (round). */
  run: string;
}

export interface SyncResult {
  measurement: Measurement;
  wallSeconds: number;
  usersPhaseSeconds: number;
  groupsPhaseSeconds: number;
}

export async function entraInitialSync(o: SyncOptions): Promise<SyncResult> {
  const work = new Work(`${o.serverUrl}/scim/v2`, { authorization: `Bearer ${o.token}`, "content-type": "application/scim+json" });
  const userIds: string[] = new Array(o.users);
  const started = performance.now();

  const users = await work.run(o.workers, o.users, async (i, r) => {
    const userName = `sync${o.run}.${i}@${o.domain}`;
    await expectEmpty(r, `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    const created = await r.send({ method: "POST", path: "/Users", body: entraUser(userName, `sync${o.run}-${i}`, i) });
    const id = (created.body as { id?: unknown } | undefined)?.id;
    if (created.status === 201 && typeof id === "string") userIds[i] = id;
  });

  const groupsStarted = performance.now();
  await work.run(o.workers, o.groups, async (g, r) => {
    const displayName = `Sync ${o.run} group ${g}`;
    await expectEmpty(r, `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`);
    const created = await r.send({
      method: "POST",
      path: "/Groups",
      body: { schemas: [GROUP_SCHEMA, ADSCIM_GROUP], externalId: `sync-${o.run}-group-${g}`, displayName, meta: { resourceType: "Group" } },
    });
    const groupId = (created.body as { id?: unknown } | undefined)?.id;
    if (created.status !== 201 || typeof groupId !== "string") return;
    // Members of group g: every user i with i % groups === g.
    const members = userIds.filter((id, i) => id !== undefined && i % o.groups === g);
    for (let from = 0; from < members.length; from += ENTRA_MEMBER_BATCH) {
      const value = members.slice(from, from + ENTRA_MEMBER_BATCH).map((id) => ({ $ref: null, value: id }));
      await r.send({ method: "PATCH", path: `/Groups/${groupId}`, body: { schemas: [PATCH_OP], Operations: [{ op: "Add", path: "members", value }] } });
    }
  });
  const finished = performance.now();
  const wallSeconds = (finished - started) / 1000;
  const measurement = work.measurement(wallSeconds, 0);
  return {
    measurement: { ...measurement, reqPerSec: Math.round((measurement.requests / wallSeconds) * 10) / 10 },
    wallSeconds,
    usersPhaseSeconds: users.wallSeconds,
    groupsPhaseSeconds: (finished - groupsStarted) / 1000,
  };
}

/** Entra's match-before-create lookup: 200 with an empty ListResponse is the only right answer. */
async function expectEmpty(r: Recorder, path: string): Promise<void> {
  const res = await r.send({ method: "GET", path });
  const total = (res.body as { totalResults?: unknown } | undefined)?.totalResults;
  if (res.status === 200 && total !== 0) r.fail(`GET ${path}: expected an empty ListResponse, got totalResults ${String(total)}`);
}

function entraUser(userName: string, externalId: string, i: number) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId,
    userName,
    active: true,
    displayName: `Sync User ${i}`,
    emails: [{ primary: true, type: "work", value: userName }],
    meta: { resourceType: "User" },
    name: { formatted: `Sync User ${i}`, familyName: `User ${i}`, givenName: "Sync" },
    title: "Engineer",
    [ENTERPRISE]: { department: "R&D", employeeNumber: String(100_000 + i) },
  };
}
