import type { Writer } from "./io.ts";

// Names and labels come from the server, i.e. from whoever called the API:
// never let them send escape sequences to the operator's terminal.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

export const safe = (text: string): string => text.replace(CONTROL_CHARS, "\uFFFD");

export function printJson(out: Writer, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(out: Writer, ...lines: string[]): void {
  out.write(lines.map((l) => `${l}\n`).join(""));
}

/** Left-aligned columns under upper-case headers, every cell made terminal-safe. */
export function printTable(out: Writer, headers: string[], rows: string[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(safe))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  for (const row of cells) {
    out.write(`${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")}\n`);
  }
}
