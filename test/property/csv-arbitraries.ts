// Generators of CSV import files for the property tests: records serialised
// the RFC 4180 way with every variation spreadsheets produce (BOM, CRLF / LF /
// CR, quoting only where needed or everywhere, a trailing line break or not),
// valid imports with shuffled and re-cased headers, and near-valid files
// (unknown or repeated columns, ragged rows, long fields, too many rows,
// unbalanced quotes, semicolons).
import fc from "fast-check";

export interface CsvLayout {
  bom: boolean;
  lineBreak: "\r\n" | "\n" | "\r";
  quoteAll: boolean;
  finalBreak: boolean;
}

export const layout: fc.Arbitrary<CsvLayout> = fc.record({
  bom: fc.boolean(),
  lineBreak: fc.constantFrom("\r\n" as const, "\n" as const, "\r" as const),
  quoteAll: fc.boolean(),
  finalBreak: fc.boolean(),
});

const needsQuotes = (field: string) => /[",\r\n]/.test(field) || field.startsWith('"');

/** RFC 4180 text for the records; a lone empty field is quoted so it is not read as a blank line. */
export function toCsv(records: readonly string[][], l: CsvLayout): string {
  const line = (fields: readonly string[]) =>
    fields
      .map((f) => (l.quoteAll || needsQuotes(f) || (fields.length === 1 && f === "") ? `"${f.replace(/"/g, '""')}"` : f))
      .join(",");
  return (l.bom ? "\uFEFF" : "") + records.map(line).join(l.lineBreak) + (l.finalBreak && records.length ? l.lineBreak : "");
}

const field = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom(",", '"', '""', "\r\n", "\n", "\r", " ", "a,b", 'say "hi"', "x".repeat(300)) },
);
/** Any records: each has at least one field. */
export const records = fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });

const COLUMNS = ["firstName", "lastName", "email", "products"] as const;
const recase = (s: string) => fc.constantFrom(s, s.toLowerCase(), s.toUpperCase(), ` ${s} `);
const nameWord = fc.stringMatching(/^[A-Za-zÀ-ž][A-Za-zÀ-ž' -]{0,20}[A-Za-zÀ-ž]$/);

/** A header in any column order and case (products sometimes left out) and the order it implies. */
const header = fc
  .tuple(fc.shuffledSubarray([...COLUMNS], { minLength: 4, maxLength: 4 }), fc.boolean())
  .map(([cols, withProducts]) => (withProducts ? cols : cols.filter((c) => c !== "products")))
  .chain((cols) => fc.tuple(fc.constant(cols), fc.tuple(...cols.map(recase))));

/**
 * A valid import for `domain`: 1–100 people, unique emails under `prefix`
 * (so runs never collide), names of letters, no products.
 */
export function validImport(domain: string, prefix: () => string) {
  return fc
    .tuple(header, fc.array(fc.tuple(nameWord, nameWord), { minLength: 1, maxLength: 100 }), layout, fc.integer({ min: 0, max: 2 }))
    .map(([[cols, names], people, l, blankLines]) => {
      const p = prefix();
      const rows = people.map(([first, last], i) => {
        const values: Record<string, string> = { firstName: first, lastName: last, email: `${p}.${i}@${domain}`, products: "" };
        return cols.map((c) => values[c]!);
      });
      const blanks = Array.from({ length: blankLines }, () => [""]);
      return { csv: toCsv([names, ...blanks, ...rows], l), count: rows.length };
    });
}

/** Files an import may refuse: every part of the format sometimes wrong. */
export const nearValidImport: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(records, layout).map(([r, l]) => toCsv(r, l)),
  fc
    .tuple(
      fc.array(fc.oneof(fc.constantFrom(...COLUMNS, "Email", "e-mail", "", "products", "name", "firstName;lastName;email"), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }),
      fc.array(fc.array(field, { minLength: 0, maxLength: 7 }), { maxLength: 8 }),
      layout,
    )
    .map(([h, rows, l]) => toCsv([h, ...rows.map((r) => (r.length ? r : [""]))], l)),
  fc.integer({ min: 95, max: 140 }).map((n) => ["firstName,lastName,email", ...Array.from({ length: n }, (_, i) => `A,B,a${i}@example.com`)].join("\n")),
  fc.constantFrom("", "\uFEFF", ",,,", " , \n ,", "firstName,lastName,email", 'firstName,lastName,email\n"unclosed,x,y', "firstName;lastName;email\nA;B;a@example.com", '"a"x,b\n', "\n\n\n"),
  fc.string({ unit: "binary", maxLength: 80 }),
);
