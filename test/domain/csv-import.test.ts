// Reading import files: the RFC 4180 parser, the header and row mapping, the
// pasted-list form, and the checks that need no database. Pure functions, no I/O.
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../server/domain/csv-import/csv-parser.ts";
import { ImportFileError, TooManyRowsError } from "../../server/domain/csv-import/import-errors.ts";
import { readCsvImport, readPastedList } from "../../server/domain/csv-import/import-rows.ts";
import { IMPORT_TEMPLATE_CSV } from "../../server/domain/csv-import/import-template.ts";
import { checkRows, isEmailAddress } from "../../server/domain/csv-import/row-checks.ts";

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe("parseCsv (RFC 4180)", () => {
  it("splits fields on commas and records on LF, CRLF and a lone CR", () => {
    expect(fields("a,b\nc,d")).toEqual([["a", "b"], ["c", "d"]]);
    expect(fields("a,b\r\nc,d\r\n")).toEqual([["a", "b"], ["c", "d"]]);
    expect(fields("a,b\rc,d\r")).toEqual([["a", "b"], ["c", "d"]]);
  });

  it("keeps commas, line breaks and doubled quotes inside quoted fields", () => {
    expect(fields('"Doe, Jane","say ""hi""",x\r\n"two\r\nlines",y')).toEqual([
      ["Doe, Jane", 'say "hi"', "x"],
      ["two\r\nlines", "y"],
    ]);
    expect(fields('""')).toEqual([[""]]);
    expect(fields('a,""\n')).toEqual([["a", ""]]);
  });

  it("numbers rows by record, as a spreadsheet does: a quoted line break stays in its row, blank lines count", () => {
    expect(parseCsv('h\n"a\nb"\n\nc\n').map((r) => r.row)).toEqual([1, 2, 3, 4]);
    expect(parseCsv('h\n"a\nb"\n\nc\n').map((r) => r.fields)).toEqual([["h"], ["a\nb"], [""], ["c"]]);
  });

  it("drops a UTF-8 byte order mark", () => {
    expect(fields("\uFEFFfirstName,email\nJ,j@x.com")).toEqual([["firstName", "email"], ["J", "j@x.com"]]);
  });

  it("keeps empty trailing fields and reads an empty text as no records", () => {
    expect(fields("a,b,\n,,")).toEqual([["a", "b", ""], ["", "", ""]]);
    expect(parseCsv("")).toEqual([]);
  });

  it("tolerates spaces after a closing quote and a quote inside an unquoted field", () => {
    expect(fields('"a" ,b')).toEqual([["a", "b"]]);
    expect(fields('John "JJ" Smith,x')).toEqual([['John "JJ" Smith', "x"]]);
  });

  it("refuses an unclosed quoted field, naming the row", () => {
    expect(() => parseCsv('a\n"b,c\n')).toThrow(ImportFileError);
    expect(() => parseCsv('a\n"b,c\n')).toThrow(/row 2: a quoted field is not closed/);
  });

  it("refuses text after a closing quote, saying how to write a quote", () => {
    expect(() => parseCsv('"ab"c,d')).toThrow(/row 1: unexpected text after a closing quote; .*two quotes/);
  });
});

describe("readCsvImport", () => {
  it("maps columns by header name, case-insensitively and in any order, and splits products on ';'", () => {
    const file = readCsvImport("EMAIL,LastName,firstname,Products\r\njane@acme.com,Doe,Jane, meeting ; webinar;;meeting\r\n");
    expect(file).toEqual({
      format: "csv",
      fileRows: 2,
      rows: [{ row: 2, firstName: "Jane", lastName: "Doe", email: "jane@acme.com", products: ["meeting", "webinar"], problems: [] }],
    });
  });

  it("reads the template as one user", () => {
    expect(readCsvImport(IMPORT_TEMPLATE_CSV).rows).toEqual([
      expect.objectContaining({ row: 2, firstName: "Jane", lastName: "Doe", products: ["meeting", "webinar"] }),
    ]);
  });

  it("accepts a file without a products column", () => {
    expect(readCsvImport("firstName,lastName,email\nA,B,a@acme.com").rows[0]!.products).toEqual([]);
  });

  it("keeps quoted commas in names and row numbers of a file with a BOM, blank lines and a multi-line field", () => {
    const text = '\uFEFFfirstName,lastName,email\r\n"Anne, Marie","O\'Neil",a@acme.com\r\n\r\nBob,"Two\nLines",b@acme.com\r\nCid,C,c@acme.com\r\n';
    const rows = readCsvImport(text).rows;
    expect(rows.map((r) => [r.row, r.firstName, r.lastName])).toEqual([
      [2, "Anne, Marie", "O'Neil"],
      [4, "Bob", "Two\nLines"],
      [5, "Cid", "C"],
    ]);
  });

  it("flags a row with more fields than the header has columns, hinting at quotes", () => {
    const rows = readCsvImport("firstName,lastName,email\nJane,Doe,Smith,jane@acme.com").rows;
    expect(rows[0]!.problems).toEqual([expect.stringMatching(/4 fields but the header has 3 columns .*double quotes/)]);
  });

  it("ignores empty unnamed trailing columns, as spreadsheets save them", () => {
    expect(readCsvImport("firstName,lastName,email,,\nA,B,a@acme.com,,").rows).toHaveLength(1);
  });

  it("refuses unknown columns, naming each of them and the expected ones", () => {
    const read = () => readCsvImport("firstName,lastName,email,phone,Department\nA,B,a@acme.com,1,2");
    expect(read).toThrow(ImportFileError);
    expect(read).toThrow(/unknown columns "phone", "Department".*Expected the columns firstName,lastName,email,products/);
  });

  it("recognises a file separated by semicolons and says how to save it with commas", () => {
    expect(() => readCsvImport("firstName;lastName;email\nA;B;a@acme.com")).toThrow(/separated by ";"; save the file with commas/);
  });

  it("refuses missing and repeated columns and values under an unnamed column", () => {
    expect(() => readCsvImport("firstName,email\nA,a@acme.com")).toThrow(/missing column "lastName"/);
    expect(() => readCsvImport("firstName,lastName,email,Email\nA,B,a@acme.com,x")).toThrow(/column "Email" given twice/);
    expect(() => readCsvImport("firstName,lastName,email,\nA,B,a@acme.com,oops")).toThrow(/unnamed column 4/);
  });

  it("refuses an empty file and a file with only a header", () => {
    for (const text of ["", "\uFEFF", " \r\n \n"]) expect(() => readCsvImport(text)).toThrow(/the file is empty/);
    expect(() => readCsvImport("firstName,lastName,email\r\n\r\n")).toThrow(/header row but no users/);
  });

  it("takes 100 users and refuses 101, asking to split the file", () => {
    const file = (n: number) =>
      ["firstName,lastName,email", ...Array.from({ length: n }, (_, i) => `U${i},L,u${i}@acme.com`)].join("\n");
    expect(readCsvImport(file(100)).rows).toHaveLength(100);
    expect(() => readCsvImport(file(101))).toThrow(TooManyRowsError);
    expect(() => readCsvImport(file(101))).toThrow(/101 users; at most 100 .*split the file into files of at most 100 users/);
  });
});

describe("readPastedList (first last email; …)", () => {
  it("reads entries separated by ';' or line breaks; the first word is the first name, the last the email", () => {
    const { rows, format } = readPastedList("Jane Doe jane@acme.com; Jean van der Berg jean@acme.com\r\n\tAli\tBaba\tali@acme.com ;\n");
    expect(format).toBe("paste");
    expect(rows.map((r) => [r.row, r.firstName, r.lastName, r.email, r.problems])).toEqual([
      [1, "Jane", "Doe", "jane@acme.com", []],
      [2, "Jean", "van der Berg", "jean@acme.com", []],
      [3, "Ali", "Baba", "ali@acme.com", []],
    ]);
  });

  it("flags an entry with fewer than three words, keeping its email for the report", () => {
    const rows = readPastedList("Jane jane@acme.com;Bob Smith bob@acme.com").rows;
    expect(rows[0]).toMatchObject({ row: 1, email: "jane@acme.com", problems: [expect.stringContaining('is not "first last email"')] });
    expect(rows[1]).toMatchObject({ row: 2, problems: [] });
  });

  it("refuses an empty list and more than 100 entries", () => {
    expect(() => readPastedList(" ; \n ")).toThrow(/the list is empty/);
    const list = Array.from({ length: 101 }, (_, i) => `A B a${i}@acme.com`).join(";");
    expect(() => readPastedList(list)).toThrow(/split the list into lists of at most 100 users/);
  });
});

describe("checkRows (the checks that need no database)", () => {
  const row = (n: number, firstName: string, lastName: string, email: string) => ({ row: n, firstName, lastName, email, products: [], problems: [] });

  it("passes a good row and reports every problem of a bad one", () => {
    expect(checkRows([row(2, "Jane", "Doe", "jane@acme.com")])).toEqual([[]]);
    expect(checkRows([row(2, "", "x".repeat(33), "")])).toEqual([["firstName is required", "lastName is longer than 32 characters", "email is required"]]);
  });

  it("counts characters as a person does: 32 accented letters or emoji are allowed", () => {
    expect(checkRows([row(2, "é".repeat(32), "😀".repeat(32), "a@acme.com")])).toEqual([[]]);
    expect(checkRows([row(2, "é".repeat(33), "B", "a@acme.com")])).toEqual([["firstName is longer than 32 characters"]]);
  });

  it("refuses an email longer than 128 characters and malformed addresses", () => {
    const long = `${"a".repeat(60)}@${"b".repeat(60)}.acme.com`;
    expect(checkRows([row(2, "A", "B", long)])).toEqual([["email is longer than 128 characters"]]);
    expect(checkRows([row(2, "A", "B", "jane.acme.com")])).toEqual([[expect.stringMatching(/^email "jane\.acme\.com" is not a valid email address/)]]);
  });

  it("reports a later duplicate (case-insensitive) and names the first row", () => {
    const errors = checkRows([row(2, "A", "B", "Jane@acme.com"), row(3, "C", "D", "x@acme.com"), row(4, "E", "F", "jane@ACME.com")]);
    expect(errors).toEqual([[], [], ['email "jane@ACME.com" is a duplicate of row 2 (each user once per file)']]);
  });

  it("reports only the reading problem of an unreadable row", () => {
    expect(checkRows([{ ...row(2, "", "", ""), problems: ["the row has 5 fields but the header has 4 columns"] }])).toEqual([
      ["the row has 5 fields but the header has 4 columns"],
    ]);
  });

  it("refuses control characters in names (a quoted line break in a CSV cell)", () => {
    expect(checkRows([row(2, "A", "Two\nLines", "a@acme.com")])).toEqual([[expect.stringMatching(/^lastName contains a control character/)]]);
  });

  it.each([
    ["jane@acme.com", true],
    ["jane.o'neil+tag@mail.acme.co.uk", true],
    ["josé@acme.com", true],
    ["jane@", false],
    ["@acme.com", false],
    ["jane@@acme.com", false],
    ["jane@acme", false],
    ["jane doe@acme.com", false],
    ["jane@ acme.com", false],
    [".jane@acme.com", false],
    ["jane..doe@acme.com", false],
    ['"jane doe"@acme.com', false],
    ["jane@10.0.0.1", false],
    [`${"a".repeat(65)}@acme.com`, false],
  ])("isEmailAddress(%j) is %s", (address, valid) => {
    expect(isEmailAddress(address)).toBe(valid);
  });
});
