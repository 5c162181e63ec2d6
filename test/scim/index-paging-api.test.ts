// Index paging (startIndex, RFC 7644 §3.4.2.4) of an unfiltered user list
// starts from positions seen on earlier pages (pagination/index-positions.ts)
// and takes totalResults from the organization's maintained count (migration
// 0006). Both are shortcuts: every page must be exactly what OFFSET over the
// id-ordered list gives, and totalResults exactly count(*), also after users
// are added and removed between pages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { IndexPositions } from "../../server/scim/pagination/index-positions.ts";
import { type KnownPosition, listUsers, type PositionHints } from "../../server/storage/users-list-repo.ts";
import { type TestOrg, type TestServer, startTestServer, userBody } from "../support/server.ts";

type Doc = Record<string, any>;

describe.each(ENGINES)("index paging on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let ids: string[] = [];

  const create = async (name: string) => (await org.scim("post", "/Users").send(userBody(name)).expect(201)).body.id as string;
  const page = async (startIndex: number, count: number, o: TestOrg = org) =>
    (await o.scim("get", `/Users?startIndex=${startIndex}&count=${count}`).expect(200)).body as Doc;
  const pageIds = (body: Doc) => (body.Resources as Doc[]).map((u) => u.id as string);
  /** What OFFSET over the id-ordered list answers, computed here from the ids alone. */
  const expected = (startIndex: number, count: number) => ids.slice(startIndex - 1, startIndex - 1 + count);

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Pagers");
    for (let i = 0; i < 23; i++) ids.push(await create(`pager${String(i).padStart(2, "0")}`));
    ids.sort();
  });
  afterAll(async () => {
    await server.close();
  });

  it("a full walk returns every user once, in id order, each page with the exact totalResults", async () => {
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= ids.length; startIndex += 5) {
      const body = await page(startIndex, 5);
      expect(body.totalResults).toBe(ids.length);
      expect(body.startIndex).toBe(startIndex);
      expect(pageIds(body)).toEqual(expected(startIndex, 5));
      seen.push(...pageIds(body));
    }
    expect(seen).toEqual(ids);
  });

  it("after a walk, any page (a retry, a jump back, between known positions, past the end) is what OFFSET gives", async () => {
    for (const [startIndex, count] of [[6, 5], [6, 5], [1, 5], [13, 4], [21, 5], [23, 1], [22, 10], [24, 5], [40, 5], [2, 21]] as const) {
      const body = await page(startIndex, count);
      expect(pageIds(body), `startIndex=${startIndex}&count=${count}`).toEqual(expected(startIndex, count));
      expect(body.totalResults).toBe(ids.length);
    }
  });

  it("a user removed before a known position shifts the later pages as OFFSET does, and totalResults follows", async () => {
    await page(1, 5);
    await page(6, 5);
    // The last row of the first page, a position the walk remembered.
    const removed = ids[4]!;
    await org.scim("delete", `/Users/${removed}`).expect(204);
    ids = ids.filter((id) => id !== removed);
    for (const startIndex of [6, 1, 11, 16]) {
      const body = await page(startIndex, 5);
      expect(pageIds(body), `startIndex=${startIndex}`).toEqual(expected(startIndex, 5));
      expect(body.totalResults).toBe(ids.length);
    }
  });

  it("a user added between pages is counted at once and found where OFFSET puts it", async () => {
    await page(16, 5);
    ids = [...ids, await create("pager-late")].sort();
    for (const startIndex of [16, 21, 11]) {
      const body = await page(startIndex, 5);
      expect(pageIds(body), `startIndex=${startIndex}`).toEqual(expected(startIndex, 5));
      expect(body.totalResults).toBe(ids.length);
    }
  });

  it("count=0 answers the total alone; filtered lists count only their matches", async () => {
    const none = await page(1, 0);
    expect(none.totalResults).toBe(ids.length);
    expect(none.Resources ?? []).toEqual([]);
    const filtered = (await org.scim("get", `/Users?filter=${encodeURIComponent('userName sw "pager1"')}&count=3`).expect(200)).body;
    expect(filtered.totalResults).toBe(10); // pager10 … pager19
    expect(filtered.Resources).toHaveLength(3);
  });

  it("the repository seeks from a remembered position only at the change count it was seen at", async () => {
    const db = server.database.db;
    const offsetPage = { offset: 10, limit: 5 };
    const truth = (await listUsers(db, org.id, offsetPage)).items.map((u) => u.id);
    expect(truth).toEqual(expected(11, 5));
    // Learn the current change count from a real walk's record.
    const learned = new IndexPositions();
    await listUsers(db, org.id, { offset: 0, limit: 5 }, { positions: learned });
    const changes = learned.nearest(org.id, 0)!.changes;
    expect(learned.nearest(org.id, 4)).toEqual({ position: 4, id: ids[4], changes });
    // A hint claiming ids[12] is at position 10: followed (proving the seek is used) only when its count is current.
    const hint = (c: number): PositionHints & { asked: number[]; recorded: number } => ({
      asked: [],
      recorded: 0,
      nearest(_org: string, offset: number): KnownPosition {
        this.asked.push(offset);
        return { position: 10, id: ids[12]!, changes: c };
      },
      record() {
        this.recorded++;
      },
    });
    const current = hint(changes);
    expect((await listUsers(db, org.id, offsetPage, { positions: current })).items.map((u) => u.id)).toEqual(ids.slice(12, 17));
    expect(current.asked).toEqual([10]);
    const stale = hint(changes - 1);
    expect((await listUsers(db, org.id, offsetPage, { positions: stale })).items.map((u) => u.id)).toEqual(truth);
    expect(stale.recorded).toBe(1);
  });

  it("another organization's users count for it alone", async () => {
    const other = await server.newOrg("Elsewhere");
    for (let i = 0; i < 3; i++) await other.scim("post", "/Users").send(userBody(`else${i}@${other.domain}`, {}, other.domain)).expect(201);
    expect((await page(1, 2, other)).totalResults).toBe(3);
    expect((await page(1, 2)).totalResults).toBe(ids.length);
  });
});
