import { isBlankRecord, parseCsv } from "./csv-parser.ts";
import { ImportFileError, TooManyRowsError } from "./import-errors.ts";

/** The most users one import creates; a larger file is refused as a whole, asking to split it. */
export const MAX_IMPORT_ROWS = 100;

export type ImportFormat = "csv" | "paste";

/** One person to create, as read from the file, before any rule is checked. */
export interface ImportRow {
  /** Where the person finds it: the CSV row (header = 1) or the position in a pasted list (first = 1). */
  row: number;
  firstName: string;
  lastName: string;
  email: string;
  products: string[];
  /** What made the row unreadable (e.g. more fields than columns); such a row is never written. */
  problems: string[];
}

export interface ImportFile {
  format: ImportFormat;
  rows: ImportRow[];
  /** Records in the file, header and blank lines included (for the audit trail). */
  fileRows: number;
}

export const IMPORT_COLUMNS = ["firstName", "lastName", "email", "products"] as const;
type Column = (typeof IMPORT_COLUMNS)[number];
const REQUIRED: readonly Column[] = ["firstName", "lastName", "email"];
const EXPECTED = IMPORT_COLUMNS.join(",");

/**
 * A CSV file: a header row naming the columns (case-insensitively, in any
 * order; `products` may be left out), then one user per row. `products` holds
 * product keys separated by ";". Blank rows are skipped but counted, so row
 * numbers match what a spreadsheet shows.
 */
export function readCsvImport(text: string): ImportFile {
  if (!text.replace(/^\uFEFF/, "").trim()) throw emptyFile("file");
  const records = parseCsv(text);
  const headerIndex = records.findIndex((r) => !isBlankRecord(r.fields));
  // Only commas and spaces (",,,"): as empty as an empty file, and there is no header to read.
  if (headerIndex === -1) throw emptyFile("file");
  const header = records[headerIndex]!;
  const data = records.slice(headerIndex + 1);
  const columns = mapHeader(header, data.map((r) => r.fields));

  const rows = data
    .filter((r) => !isBlankRecord(r.fields))
    .map((r): ImportRow => {
      const value = (name: Column) => {
        const at = columns.get(name);
        return at === undefined ? "" : (r.fields[at] ?? "").trim();
      };
      const problems =
        r.fields.length > header.fields.length
          ? [
              `the row has ${r.fields.length} fields but the header has ${header.fields.length} columns ` +
                "(a value containing a comma must be in double quotes)",
            ]
          : [];
      return {
        row: r.row,
        firstName: value("firstName"),
        lastName: value("lastName"),
        email: value("email"),
        products: splitProducts(value("products")),
        problems,
      };
    });
  assertRowCount(rows.length, "file");
  return { format: "csv", rows, fileRows: records.length };
}

/**
 * The "paste a list" form: `first last email` entries separated by ";" or line
 * breaks. Within an entry, words are separated by spaces or tabs; the first
 * word is the first name, the last word the email, and every word between them
 * the last name. So a first name cannot contain a space ("Mary Ann" must be
 * written "Mary-Ann", or use a CSV file) but a last name can ("Jean van der
 * Berg jean@acme.com" → Jean / van der Berg). No products: use a CSV file for
 * those. Entries are numbered 1, 2, … in the order given, empty ones skipped.
 */
export function readPastedList(text: string): ImportFile {
  const entries = text.replace(/^\uFEFF/, "").split(/;|\r\n|\n|\r/).map((e) => e.trim()).filter(Boolean);
  if (!entries.length) throw emptyFile("list");
  assertRowCount(entries.length, "list");
  const rows = entries.map((entry, i): ImportRow => {
    const words = entry.split(/\s+/);
    if (words.length < 3) {
      return {
        row: i + 1,
        firstName: "",
        lastName: "",
        email: words.find((w) => w.includes("@")) ?? "",
        products: [],
        problems: [
          `"${entry}" is not "first last email": write a first name, a last name and an email address separated by spaces`,
        ],
      };
    }
    return {
      row: i + 1,
      firstName: words[0]!,
      lastName: words.slice(1, -1).join(" "),
      email: words[words.length - 1]!,
      products: [],
      problems: [],
    };
  });
  return { format: "paste", rows, fileRows: entries.length };
}

/** Header cells → column positions; every naming problem is reported at once. */
function mapHeader(header: { row: number; fields: string[] }, data: string[][]): Map<Column, number> {
  const cells = header.fields;
  // Excel in many European locales saves "CSV" with ";" between fields.
  if (cells.length === 1 && cells[0]!.includes(";")) {
    throw new ImportFileError(
      `the header row (row ${header.row}) is separated by ";"; save the file with commas between fields ` +
        `(in Excel: "CSV UTF-8 (Comma delimited)"), with the columns ${EXPECTED}`,
    );
  }
  const byLowerName = new Map(IMPORT_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const columns = new Map<Column, number>();
  const unknown: string[] = [];
  const repeated: string[] = [];
  cells.forEach((cell, at) => {
    const name = cell.trim();
    // Spreadsheets often save trailing empty columns: ignore an unnamed column while it holds nothing.
    if (!name) {
      if (data.some((fields) => (fields[at] ?? "").trim())) unknown.push(`(unnamed column ${at + 1})`);
      return;
    }
    const column = byLowerName.get(name.toLowerCase());
    if (!column) unknown.push(`"${name}"`);
    else if (columns.has(column)) repeated.push(`"${name}"`);
    else columns.set(column, at);
  });
  const missing = REQUIRED.filter((c) => !columns.has(c));
  const problems = [
    ...(unknown.length ? [`unknown column${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}`] : []),
    ...(repeated.length ? [`column${repeated.length === 1 ? "" : "s"} ${repeated.join(", ")} given twice`] : []),
    ...(missing.length ? [`missing column${missing.length === 1 ? "" : "s"} ${missing.map((c) => `"${c}"`).join(", ")}`] : []),
  ];
  if (problems.length) {
    throw new ImportFileError(
      `the header row (row ${header.row}) is not valid: ${problems.join("; ")}. ` +
        `Expected the columns ${EXPECTED} (names are case-insensitive, "products" is optional); download the template to start from`,
    );
  }
  return columns;
}

function splitProducts(cell: string): string[] {
  return [...new Set(cell.split(";").map((p) => p.trim()).filter(Boolean))];
}

function assertRowCount(count: number, what: "file" | "list"): void {
  if (count === 0) {
    throw new ImportFileError(`the ${what} has a header row but no users: add one user per row below the header`);
  }
  if (count > MAX_IMPORT_ROWS) {
    throw new TooManyRowsError(
      `the ${what} has ${count} users; at most ${MAX_IMPORT_ROWS} can be imported at once: ` +
        `split the ${what} into ${what}s of at most ${MAX_IMPORT_ROWS} users and import each one`,
    );
  }
}

function emptyFile(what: "file" | "list"): ImportFileError {
  return new ImportFileError(
    what === "file"
      ? `the file is empty: send a CSV file with the header row ${EXPECTED} and one user per row`
      : 'the list is empty: send entries "first last email" separated by ";" or line breaks',
  );
}
