// Property-based tests of the CSV user import with fast-check: the RFC 4180
// reader reads back exactly what was written in any layout (BOM, CRLF / LF /
// CR, quoting), reading a file fails only with the import's own named errors,
// and over real HTTP any file is answered with a report or a 4xx that says
// what to fix (never a 5xx, never a hang) while every valid file previews as
// all-ok and applies as written.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../server/domain/csv-import/csv-parser.ts";
import { ImportFileError, TooManyRowsError } from "../../server/domain/csv-import/import-errors.ts";
import { readCsvImport } from "../../server/domain/csv-import/import-rows.ts";
import { ENGINES } from "../support/engines.ts";
import { startTestServer, type TestOrg, type TestServer } from "../support/server.ts";
import { layout, nearValidImport, records, toCsv, validImport } from "./csv-arbitraries.ts";

const REQUEST_DEADLINE_MS = 15_000;

describe("CSV reading (pure)", () => {
  it("parseCsv reads back the records written in any layout, numbered 1, 2, …", () => {
    fc.assert(
      fc.property(records, layout, (written, l) => {
        const read = parseCsv(toCsv(written, l));
        expect(read.map((r) => r.fields)).toEqual(written);
        expect(read.map((r) => r.row)).toEqual(written.map((_, i) => i + 1));
      }),
      { numRuns: 3_000 },
    );
  });

  it("readCsvImport returns rows or throws ImportFileError / TooManyRowsError for any text", () => {
    fc.assert(
      fc.property(nearValidImport, (text) => {
        try {
          const file = readCsvImport(text);
          expect(file.rows.length).toBeGreaterThan(0);
          expect(file.rows.length).toBeLessThanOrEqual(100);
        } catch (err) {
          if (!(err instanceof ImportFileError || err instanceof TooManyRowsError)) throw err;
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it("refuses a file of only commas and spaces as empty (found by the property above: it was a TypeError)", () => {
    for (const text of [",,,", " , \n ,", "\uFEFF,"]) {
      expect(() => readCsvImport(text)).toThrow(ImportFileError);
      expect(() => readCsvImport(text)).toThrow(/the file is empty/);
    }
  });
});

describe.each(ENGINES)("CSV import over HTTP on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let runs = 0;
  const prefix = () => `r${++runs}`;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Imports"); // verifies example.com
  });
  afterAll(() => server.close());

  const post = (mode: string, body: string | Buffer, type = "text/csv") =>
    server
      .admin("post", `/orgs/${org.id}/imports?mode=${mode}`)
      .set("Content-Type", type)
      .send(body)
      .timeout({ deadline: REQUEST_DEADLINE_MS });

  it("answers any file with a report or a 4xx that names the problem, never 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 5, arbitrary: nearValidImport.map((t) => Buffer.from(t, "utf8")) },
          // Bytes that are not UTF-8 (a spreadsheet's legacy "CSV" encoding).
          { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)) },
        ),
        async (bytes) => {
          const res = await post("preview", bytes);
          const context = `${JSON.stringify(bytes.toString("utf8").slice(0, 300))} answered ${res.status} ${JSON.stringify(res.body).slice(0, 600)}`;
          if (res.status === 200) {
            expect(res.body.mode, context).toBe("preview");
            expect(res.body.ok + res.body.failed, context).toBe(res.body.total);
            for (const row of res.body.rows) if (row.status === "error") expect(row.errors.length, context).toBeGreaterThan(0);
            return;
          }
          expect(res.status, context).toBe(400);
          expect(["invalid_file", "too_many_rows"], context).toContain(res.body.error);
          expect(res.body.message, context).toMatch(/\w/);
        },
      ),
      { numRuns: 150 },
    );
    // A preview writes nothing, whatever it was sent.
    const users = await server.database.db.selectFrom("users").select("id").where("org_id", "=", org.id).execute();
    expect(users).toEqual([]);
  });

  it("previews every valid file as all-ok, in any layout and column order", async () => {
    await fc.assert(
      fc.asyncProperty(validImport(org.domain, prefix), async ({ csv, count }) => {
        const res = await post("preview", csv);
        expect(res.status, `${JSON.stringify(csv.slice(0, 300))} answered ${res.status} ${JSON.stringify(res.body).slice(0, 600)}`).toBe(200);
        expect({ total: res.body.total, ok: res.body.ok, failed: res.body.failed }).toEqual({ total: count, ok: count, failed: 0 });
      }),
      { numRuns: 100 },
    );
  });

  it("applies every valid file: 201 and exactly its people exist", async () => {
    await fc.assert(
      fc.asyncProperty(validImport(org.domain, prefix), async ({ csv, count }) => {
        const res = await post("apply", csv);
        expect(res.status, JSON.stringify(res.body).slice(0, 600)).toBe(201);
        expect(res.body.ok).toBe(count);
        const ids = res.body.rows.map((r: { userId: string }) => r.userId);
        const stored = await server.database.db.selectFrom("users").select("id").where("org_id", "=", org.id).where("id", "in", ids).execute();
        expect(stored.length).toBe(count);
      }),
      { numRuns: 15 },
    );
  });
});
