import { ImportFileError } from "./import-errors.ts";

/** One record of a CSV file and the row a person sees it on (a spreadsheet's row number, 1-based). */
export interface CsvRecord {
  row: number;
  fields: string[];
}

/**
 * A small RFC 4180 reader: fields separated by commas, records by CRLF, LF or
 * a lone CR (old Mac exports); a field starting with `"` is quoted, may hold
 * commas and line breaks, and writes a quote as `""`. A UTF-8 byte order mark
 * (Excel's "CSV UTF-8" starts with one) is dropped. A final line break does not
 * start an empty record. Two leniencies, because spreadsheets and hand-edited
 * files produce them and the intent is clear: spaces or tabs after a closing
 * quote are ignored, and a quote inside an unquoted field is kept as text.
 *
 * Rows are numbered by record, as a spreadsheet shows them: a quoted field that
 * spans lines is one row, and blank lines are counted (and kept, as [""]).
 */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let i = 0;
  const n = input.length;
  if (n === 0) return records;

  for (;;) {
    const row = records.length + 1;
    let value = "";
    if (input[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new ImportFileError(`row ${row}: a quoted field is not closed (a closing " is missing)`);
        const c = input[i]!;
        if (c === '"') {
          if (input[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      while (input[i] === " " || input[i] === "\t") i++;
      if (i < n && input[i] !== "," && input[i] !== "\n" && input[i] !== "\r") {
        throw new ImportFileError(
          `row ${row}: unexpected text after a closing quote; inside a quoted field write a quote as two quotes ("")`,
        );
      }
    } else {
      while (i < n && input[i] !== "," && input[i] !== "\n" && input[i] !== "\r") value += input[i++];
    }
    fields.push(value);

    if (i >= n) {
      records.push({ row, fields });
      return records;
    }
    if (input[i] === ",") {
      i++;
      continue;
    }
    // A line break: CRLF, LF or CR.
    i += input[i] === "\r" && input[i + 1] === "\n" ? 2 : 1;
    records.push({ row, fields });
    fields = [];
    if (i >= n) return records;
  }
}

/** True for a record with nothing in it (an empty line, or only commas and spaces). */
export const isBlankRecord = (fields: readonly string[]): boolean => fields.every((f) => !f.trim());
