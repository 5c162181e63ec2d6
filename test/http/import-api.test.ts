// Bulk import of users over the operator API (/admin/v1/orgs/:org/imports), on a
// real database: the template, preview (nothing written), apply (all or nothing),
// the row limit, the NDJSON progress stream and the refusals of bad requests.
import { randomUUID } from "node:crypto";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { startTestServer, type TestOrg, type TestServer, userBody } from "../support/server.ts";

interface RowJson {
  row: number;
  email: string;
  status: "ok" | "error";
  errors: string[];
  userId?: string;
}
interface ReportJson {
  mode: string;
  total: number;
  ok: number;
  failed: number;
  rows: RowJson[];
}

const HEADER = "firstName,lastName,email,products";

/** Reads a streamed body whole, as text (superagent buffers only the types it knows). */
const asText = (res: unknown, done: (err: Error | null, body: string) => void) => {
  // In Node, superagent hands a parser the IncomingMessage itself.
  const stream = res as NodeJS.ReadableStream;
  let data = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => (data += chunk));
  stream.on("end", () => done(null, data));
};

describe.each(ENGINES)("user import API on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
    await server.newOrg("First"); // takes example.com; every test below uses an org of its own
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (org: TestOrg | string, mode: string, body: string, type = "text/csv") =>
    server
      .admin("post", `/orgs/${typeof org === "string" ? org : org.id}/imports?mode=${mode}`)
      .set("Content-Type", type)
      .send(body);
  const csv = (...rows: string[]) => [HEADER, ...rows].join("\r\n") + "\r\n";
  const setSeats = (org: TestOrg, key: string, seats: number) =>
    server.admin("put", `/orgs/${org.id}/products/${key}`).send({ seats }).expect(200);

  /** What an import could have written: users, seats, audit events. */
  async function footprint(org: TestOrg) {
    const db = server.database.db;
    const users = await db.selectFrom("users").select("user_name").where("org_id", "=", org.id).orderBy("user_name").execute();
    const seats = await db.selectFrom("seat_assignments").select(["product_key", "status"]).where("org_id", "=", org.id).execute();
    const audit = await db.selectFrom("audit_events").select(["action", "details"]).where("org_id", "=", org.id).orderBy("id").execute();
    return {
      users: users.map((u) => u.user_name),
      seats: seats.length,
      audit: audit.map((a) => a.action).filter((a) => a.startsWith("user.") || a.startsWith("import.")),
      importEvents: audit.filter((a) => a.action === "import.applied"),
    };
  }

  describe("template", () => {
    it("downloads a CSV with the header row and one example, as an attachment", async () => {
      const org = await server.newOrg("Template Co");
      const res = await server.admin("get", `/orgs/${org.id}/imports/template.csv`).expect(200);
      expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
      expect(res.headers["content-disposition"]).toBe('attachment; filename="users-template.csv"');
      const lines = res.text.split("\r\n");
      expect(lines[0]).toBe(HEADER);
      expect(lines[1]).toMatch(/^[^,]+,[^,]+,[^,@]+@[^,]+,[a-z]+;[a-z]+$/);
      expect(lines.slice(2)).toEqual([""]);
    });

    it("answers 404 for an unknown organization and 401 without the operator token", async () => {
      await server.admin("get", `/orgs/${randomUUID()}/imports/template.csv`).expect(404);
      const org = await server.newOrg("Closed Co");
      await supertest(server.app).get(`/admin/v1/orgs/${org.id}/imports/template.csv`).expect(401);
    });
  });

  describe("preview", () => {
    it("reports each kind of row error with its row number and writes nothing", async () => {
      const org = await server.newOrg("Preview Co");
      const d = org.domain;
      await setSeats(org, "meeting", 2);
      await setSeats(org, "webinar", 5);
      await server.admin("post", `/orgs/${org.id}/domains`).send({ name: "pending-claim.test" }).expect(201);
      await org.scim("post", "/Users").send(userBody(`existing@${d}`, {}, d)).expect(201);
      const before = await footprint(org);

      const file = csv(
        `Ada,Lovelace,ada@${d},meeting;webinar`, // 2 ok: takes a meeting seat
        `${"F".repeat(33)},Long,first@${d},`, // 3
        `Long,${"L".repeat(33)},last@${d},`, // 4
        `Long,Email,${"e".repeat(60)}@${"x".repeat(60)}.${d},`, // 5
        "Bad,Email,not-an-email,", // 6
        "Un,Verified,someone@unverified-domain.test,", // 7
        "Pen,Ding,someone@pending-claim.test,", // 8
        `Ada,Again,ADA@${d},`, // 9 duplicate of row 2
        `Old,Timer,Existing@${d},`, // 10 existing user, case-insensitively
        `No,Product,noproduct@${d},nosuch`, // 11
        `Grace,Hopper,grace@${d},meeting`, // 12 ok: takes the second meeting seat
        `Late,Comer,late@${d},meeting`, // 13 no seat left
        ",,,", // 14 blank: skipped
        `Alan,Turing,alan@${d},webinar`, // 15 ok
      );
      const res = await post(org, "preview", file).expect(200);
      const report = res.body as ReportJson;
      expect(report).toMatchObject({ mode: "preview", total: 13, ok: 3, failed: 10 });
      const byRow = new Map(report.rows.map((r) => [r.row, r]));
      expect([...byRow.keys()]).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15]);
      expect(byRow.get(2)).toEqual({ row: 2, email: `ada@${d}`, status: "ok", errors: [] });
      expect(byRow.get(3)!.errors).toEqual(["firstName is longer than 32 characters"]);
      expect(byRow.get(4)!.errors).toEqual(["lastName is longer than 32 characters"]);
      expect(byRow.get(5)!.errors).toEqual(["email is longer than 128 characters"]);
      expect(byRow.get(6)!.errors).toEqual([expect.stringMatching(/^email "not-an-email" is not a valid email address/)]);
      expect(byRow.get(7)!.errors).toEqual([
        expect.stringMatching(/^email "someone@unverified-domain\.test": domain unverified-domain\.test is not a verified domain of this organization/),
      ]);
      expect(byRow.get(8)!.errors).toEqual([expect.stringMatching(/domain pending-claim\.test is not verified yet/)]);
      expect(byRow.get(9)!.errors).toEqual([`email "ADA@${d}" is a duplicate of row 2 (each user once per file)`]);
      expect(byRow.get(10)!.errors).toEqual([`a user with the email "Existing@${d}" already exists in this organization`]);
      expect(byRow.get(11)!.errors).toEqual(['product "nosuch" does not exist in this organization']);
      expect(byRow.get(12)!.status).toBe("ok");
      expect(byRow.get(13)!.errors).toEqual([expect.stringMatching(/^product "meeting" has no free seat \(2 of 2 assigned, counting the rows above/)]);
      expect(byRow.get(15)!.status).toBe("ok");
      for (const r of report.rows) expect(r).not.toHaveProperty("userId");

      expect(await footprint(org)).toEqual(before);
      await server.admin("get", `/orgs/${org.id}/products`).expect(200, {
        products: [
          { key: "meeting", seats: 2, assigned: 0, pending: 0 },
          { key: "webinar", seats: 5, assigned: 0, pending: 0 },
        ],
      });
    });

    it("applies the seat rule cumulatively: 3 free seats and 5 rows asking fail the 4th and 5th", async () => {
      const org = await server.newOrg("Seats Co");
      await setSeats(org, "meeting", 3);
      const rows = ["a", "b", "c", "d", "e"].map((n) => `${n},${n},${n}@${org.domain},meeting`);
      const report = (await post(org, "preview", csv(...rows)).expect(200)).body as ReportJson;
      expect(report.rows.map((r) => [r.row, r.status])).toEqual([
        [2, "ok"],
        [3, "ok"],
        [4, "ok"],
        [5, "error"],
        [6, "error"],
      ]);
      expect(report.rows[3]!.errors[0]).toMatch(/^product "meeting" has no free seat \(3 of 3 assigned/);
    });

    it("reads the pasted-list form (text/plain), a last name with spaces included", async () => {
      const org = await server.newOrg("Paste Co");
      const d = org.domain;
      const res = await post(org, "preview", `Jane Doe jane@${d}; Jean van der Berg jean@${d}\nOnlyone only@${d}`, "text/plain").expect(200);
      expect(res.body).toMatchObject({ mode: "preview", total: 3, ok: 2, failed: 1 });
      expect((res.body as ReportJson).rows[2]).toMatchObject({ row: 3, email: `only@${d}`, errors: [expect.stringContaining('is not "first last email"')] });
    });
  });

  describe("apply", () => {
    it("creates every user with its products granted, visible over SCIM, and records one import event", async () => {
      const org = await server.newOrg("Apply Co");
      const d = org.domain;
      await setSeats(org, "meeting", 3);
      await setSeats(org, "webinar", 3);
      const file = "\uFEFF" + csv(`Ada,Lovelace,ada@${d},meeting;webinar`, `"Hopper, Jr.",Grace,grace@${d},meeting`, `Alan,Turing,Alan@${d.toUpperCase()},`);
      const res = await post(org, "apply", file).expect(201);
      const report = res.body as ReportJson;
      expect(report).toMatchObject({ mode: "apply", total: 3, ok: 3, failed: 0 });
      expect(report.rows.map((r) => r.userId)).toEqual([expect.any(String), expect.any(String), expect.any(String)]);

      const ada = (await org.scim("get", `/Users/${report.rows[0]!.userId}`).expect(200)).body;
      expect(ada).toMatchObject({
        userName: `ada@${d}`,
        displayName: "Ada Lovelace",
        name: { givenName: "Ada", familyName: "Lovelace" },
        emails: [{ value: `ada@${d}`, type: "work", primary: true }],
        active: true,
      });
      expect(ada.entitlements).toEqual([{ value: "meeting" }, { value: "webinar" }]);
      const grace = (await org.scim("get", `/Users/${report.rows[1]!.userId}`).expect(200)).body;
      expect(grace).toMatchObject({ name: { givenName: "Hopper, Jr.", familyName: "Grace" }, entitlements: [{ value: "meeting" }] });
      const alan = (await org.scim("get", `/Users/${report.rows[2]!.userId}`).expect(200)).body;
      expect(alan.userName).toBe(`Alan@${d}`); // the domain in canonical (lower-case) form, the local part as written
      await server.admin("get", `/orgs/${org.id}/products`).expect(200, {
        products: [
          { key: "meeting", seats: 3, assigned: 2, pending: 0 },
          { key: "webinar", seats: 3, assigned: 1, pending: 0 },
        ],
      });

      const after = await footprint(org);
      expect(after.audit).toEqual(["user.created", "user.created", "user.created", "import.applied"]);
      expect(after.importEvents).toHaveLength(1);
      const details = after.importEvents[0]!.details;
      expect(typeof details === "string" ? JSON.parse(details) : details).toEqual({ format: "csv", fileRows: 4, users: 3, created: 3 });
      expect(JSON.stringify(details)).not.toContain(d); // counts only, never the file's contents
    });

    it("creates users from a pasted list", async () => {
      const org = await server.newOrg("Paste Apply Co");
      const res = await post(org, "apply", `Jean van der Berg jean@${org.domain}`, "text/plain; charset=utf-8").expect(201);
      const user = (await org.scim("get", `/Users/${(res.body as ReportJson).rows[0]!.userId}`).expect(200)).body;
      expect(user.name).toEqual({ givenName: "Jean", familyName: "van der Berg" });
    });

    it("refuses the whole file with 422 when one row fails: no users, no seats, no audit events", async () => {
      const org = await server.newOrg("All Or Nothing Co");
      const d = org.domain;
      await setSeats(org, "meeting", 10);
      const before = await footprint(org);
      const res = await post(org, "apply", csv(`A,A,a@${d},meeting`, `B,B,b@${d},meeting`, `C,${"C".repeat(40)},c@${d},meeting`, `D,D,d@${d},meeting`)).expect(422);
      const report = res.body as ReportJson;
      expect(report).toMatchObject({ mode: "apply", total: 4, ok: 3, failed: 1 });
      expect(report.rows[2]).toEqual({ row: 4, email: `c@${d}`, status: "error", errors: ["lastName is longer than 32 characters"] });
      for (const r of report.rows) expect(r).not.toHaveProperty("userId");
      expect(await footprint(org)).toEqual(before);
      expect(before).toMatchObject({ users: [], seats: 0, audit: [] });
      await org.scim("get", "/Users").expect(200).expect((r) => expect(r.body.totalResults).toBe(0));
    });

    it("refuses with 422 when a row fails a database rule late in the file, rolling back the rows before it", async () => {
      const org = await server.newOrg("Late Failure Co");
      const d = org.domain;
      await setSeats(org, "meeting", 1);
      const res = await post(org, "apply", csv(`A,A,a@${d},meeting`, `B,B,b@${d},meeting`)).expect(422);
      expect((res.body as ReportJson).rows.map((r) => r.status)).toEqual(["ok", "error"]);
      expect(await footprint(org)).toMatchObject({ users: [], seats: 0, audit: [] });
      await server.admin("get", `/orgs/${org.id}/products`).expect(200, { products: [{ key: "meeting", seats: 1, assigned: 0, pending: 0 }] });
    });
  });

  describe("refusals of the whole request", () => {
    it("refuses 101 rows with 400 asking to split the file, and writes nothing", async () => {
      const org = await server.newOrg("Big File Co");
      const rows = Array.from({ length: 101 }, (_, i) => `U${i},L,u${i}@${org.domain},`);
      for (const mode of ["preview", "apply"]) {
        const res = await post(org, mode, csv(...rows)).expect(400);
        expect(res.body).toEqual({
          error: "too_many_rows",
          message: expect.stringContaining("split the file into files of at most 100 users"),
        });
      }
      expect(await footprint(org)).toMatchObject({ users: [], audit: [] });
      // 100 is allowed.
      await post(org, "preview", csv(...rows.slice(0, 100))).expect(200);
    });

    it.each([
      ["an empty file", "", /the file is empty/],
      ["a header without users", `${HEADER}\r\n`, /header row but no users/],
      ["an unknown column", "firstName,lastName,email,phone\r\nA,B,a@x.com,1\r\n", /unknown column "phone"/],
      ["an unclosed quote", `${HEADER}\r\n"A,B,a@x.com,\r\n`, /row 2: a quoted field is not closed/],
    ])("answers 400 invalid_file for %s", async (_what, body, message) => {
      const org = await server.newOrg("Bad File Co");
      const res = await post(org, "apply", body).expect(400);
      expect(res.body).toEqual({ error: "invalid_file", message: expect.stringMatching(message) });
    });

    it("refuses a file that is not UTF-8, saying how to save it", async () => {
      const org = await server.newOrg("Latin1 Co");
      const latin1 = Buffer.from(`${HEADER}\r\nJos\xe9,B,jose@${org.domain},\r\n`, "latin1");
      const res = await server.admin("post", `/orgs/${org.id}/imports?mode=preview`).set("Content-Type", "text/csv").send(latin1).expect(400);
      expect(res.body.message).toMatch(/not valid UTF-8 .*CSV UTF-8/);
    });

    it("answers 400 without a valid mode, 415 for another content type, 404 for an unknown organization", async () => {
      const org = await server.newOrg("Mode Co");
      const body = csv(`A,B,a@${org.domain},`);
      expect((await post(org, "", body).expect(400)).body.message).toMatch(/add \?mode=preview .* or \?mode=apply/);
      await post(org, "dry-run", body).expect(400);
      await server.admin("post", `/orgs/${org.id}/imports?mode=apply&force=1`).set("Content-Type", "text/csv").send(body).expect(400);
      const json = await server.admin("post", `/orgs/${org.id}/imports?mode=apply`).send({ rows: [] }).expect(415);
      expect(json.body).toEqual({ error: "unsupported_media_type", message: expect.stringContaining("text/csv") });
      await post(org, "apply", body, "text/csv; charset=windows-1252").expect(415);
      await post(randomUUID(), "apply", body).expect(404);
      expect(await footprint(org)).toMatchObject({ users: [] });
    });
  });

  describe("progress stream (Accept: application/x-ndjson)", () => {
    const streamed = (org: TestOrg, mode: string, body: string) =>
      post(org, mode, body).set("Accept", "application/x-ndjson").buffer(true).parse(asText);
    const linesOf = (body: unknown) => (body as string).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

    it("streams one progress line per row, then the result, with status 200", async () => {
      const org = await server.newOrg("Stream Co");
      const rows = Array.from({ length: 5 }, (_, i) => `U${i},L,u${i}@${org.domain},`);
      const res = await streamed(org, "apply", csv(...rows)).expect(200);
      expect(res.headers["content-type"]).toBe("application/x-ndjson; charset=utf-8");
      const lines = linesOf(res.body);
      expect(lines.slice(0, -1)).toEqual([0, 1, 2, 3, 4, 5].map((done) => ({ type: "progress", done, total: 5 })));
      const result = lines.at(-1)!;
      expect(result).toMatchObject({ type: "result", ok: true, status: 201, report: { mode: "apply", total: 5, ok: 5, failed: 0 } });
      expect((await footprint(org)).users).toHaveLength(5);
    });

    it("reports a refused apply as ok:false with status 422 in the result line, and writes nothing", async () => {
      const org = await server.newOrg("Stream Refused Co");
      const res = await streamed(org, "apply", csv(`A,B,a@${org.domain},`, "C,D,bad,")).expect(200);
      const result = linesOf(res.body).at(-1)!;
      expect(result).toMatchObject({ type: "result", ok: false, status: 422, report: { failed: 1, rows: [{ status: "ok" }, { status: "error" }] } });
      expect(await footprint(org)).toMatchObject({ users: [], audit: [] });
    });

    it("streams a preview too, and answers a file-level problem with a plain 400 before any line", async () => {
      const org = await server.newOrg("Stream Preview Co");
      const ok = await streamed(org, "preview", csv(`A,B,a@${org.domain},`)).expect(200);
      expect(linesOf(ok.body).at(-1)).toMatchObject({ type: "result", ok: true, status: 200, report: { mode: "preview", ok: 1 } });
      const bad = await post(org, "preview", "nope\r\n").set("Accept", "application/x-ndjson").expect(400);
      expect(bad.body).toMatchObject({ error: "invalid_file" });
    });
  });
});
