import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "./command.ts";
import { CliFailure, UsageError, type Writer } from "./io.ts";
import { printJson, printLines, printTable, safe } from "./output.ts";

/** The operator API's import report (server/domain/csv-import/run-import.ts). */
export interface ImportReportJson {
  mode: "preview" | "apply";
  total: number;
  ok: number;
  failed: number;
  rows: { row: number; email: string; status: "ok" | "error"; errors: string[]; userId?: string }[];
}

type StreamLine =
  | { type: "progress"; done: number; total: number }
  | { type: "result"; ok: boolean; status: number; report: ImportReportJson }
  | { type: "error"; status: number; error: string; message: string };

// 100 rows take seconds; the default 30 s would also cut a slow but healthy import.
const IMPORT_TIMEOUT_MS = 5 * 60_000;
const BAR_WIDTH = 20;

const importsPath = (org: string) => `/orgs/${encodeURIComponent(org)}/imports`;

export const importCommands: Command[] = [
  // Before `import`: the first command whose words match is the one run.
  {
    words: ["import", "template"],
    args: ["org"],
    optionalOptions: ["out"],
    summary: "Download the CSV template for importing users",
    details: [
      "Prints the template (a header row firstName,lastName,email,products and one example",
      "user) on stdout, or saves it with --out users.csv (an existing file is overwritten).",
    ].join("\n"),
    async run({ io, json, args, options, client }) {
      const res = await client().send("GET", `${importsPath(args.org!)}/template.csv`, { accept: "text/csv" });
      const csv = await res.text();
      if (options.out === undefined) return void io.stdout.write(csv);
      if (!options.out.trim()) throw new UsageError("--out needs a file name", "import template");
      try {
        await writeFile(options.out, csv);
      } catch (e) {
        throw new CliFailure(`cannot write ${options.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "write_failed");
      }
      if (json) printJson(io.stdout, { file: options.out });
      else printLines(io.stdout, `Saved the import template to ${options.out}`);
    },
  },
  {
    words: ["import"],
    args: ["org"],
    optionalArgs: ["file"],
    optionalOptions: ["paste", "preview"],
    summary: "Create users from a CSV file or a pasted list, all or nothing",
    details: [
      "<file> is a CSV file (UTF-8) with the header row firstName,lastName,email,products",
      '(products: keys separated by ";"); get one with `scim-gate import template <org>`.',
      'Instead of a file, --paste "Jane Doe jane@acme.com; Jean van der Berg jean@acme.com"',
      'takes entries "first last email" separated by ";" or line breaks: the first word is the',
      "first name, the last word the email, the words between them the last name.",
      "",
      "At most 100 users per file. Every row is checked (names of at most 32 characters, a valid",
      "email of at most 128 characters in a verified domain, not a user already, not twice in the",
      "file, known products with free seats). If any row fails, nothing is created. --preview",
      "checks every row and writes nothing.",
      "",
      "Shows progress on stderr, then the report of every row (--json: the report as JSON).",
      "Exit status: 0 when the users were created (with --preview: when every row would be),",
      "1 when the import was refused or a row has errors, 2 for a usage mistake.",
    ].join("\n"),
    async run({ io, json, args, options, client }) {
      const { file } = args;
      const paste = options.paste;
      if (file !== undefined && paste !== undefined) throw new UsageError("give either <file> or --paste, not both", "import");
      if (file === undefined && paste === undefined) throw new UsageError('missing <file> (or --paste "first last email; …")', "import");
      const body = paste ?? (await readInput(file!));
      const mode = options.preview === "true" ? "preview" : "apply";

      const res = await client().send("POST", `${importsPath(args.org!)}?mode=${mode}`, {
        body,
        contentType: paste === undefined ? "text/csv" : "text/plain; charset=utf-8",
        accept: "application/x-ndjson",
        timeoutMs: IMPORT_TIMEOUT_MS,
      });
      if (!(res.headers.get("content-type") ?? "").startsWith("application/x-ndjson")) {
        throw new CliFailure("the server did not stream the import: is --url a scim-gate server that supports imports?", "bad_response", res.status);
      }
      const progress = progressBar(io.stderr, mode === "preview" ? "checking" : "importing");
      let result: Extract<StreamLine, { type: "result" }> | undefined;
      try {
        for await (const line of ndjson(res)) {
          if (line.type === "progress") progress.update(line.done, line.total);
          else if (line.type === "error") throw new CliFailure(line.message, line.error, line.status);
          else if (line.type === "result") result = line;
        }
      } finally {
        progress.end();
      }
      if (!result) {
        throw new CliFailure(
          "the connection closed before the import finished; nothing is known about its outcome: list the organization's users to see",
          "incomplete",
        );
      }
      report(io.stdout, json, result.report);
      const { total, failed } = result.report;
      if (failed) {
        throw new CliFailure(
          mode === "preview"
            ? `${failed} of ${total} rows have errors (preview: nothing was written)`
            : `nothing was imported: ${failed} of ${total} rows have errors; fix them and import again`,
          mode === "preview" ? "rows_invalid" : "import_refused",
          result.status,
        );
      }
    },
  },
];

async function readInput(file: string): Promise<Uint8Array<ArrayBuffer>> {
  try {
    // Bytes, not text: the server checks the encoding and says so when it is not UTF-8.
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new CliFailure(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "read_failed");
  }
}

function report(out: Writer, json: boolean, r: ImportReportJson): void {
  if (json) return printJson(out, r);
  const applied = r.mode === "apply" && r.failed === 0;
  printTable(
    out,
    ["ROW", "EMAIL", "RESULT", "DETAILS"],
    r.rows.map((row) => [
      String(row.row),
      row.email,
      row.status === "error" ? "error" : applied ? "created" : "ok",
      row.status === "error" ? row.errors.join("; ") : (row.userId ?? ""),
    ]),
  );
  if (applied) printLines(out, "", `Created ${r.ok} user${r.ok === 1 ? "" : "s"}.`);
  else if (r.mode === "preview" && !r.failed) {
    printLines(out, "", `All ${r.total} rows can be imported; nothing was written (preview). Run again without --preview to create them.`);
  } else printLines(out, "", `${r.failed} of ${r.total} rows have errors; nothing was written.`);
}

/** Lines of an NDJSON response body, parsed. */
async function* ndjson(res: Response): AsyncGenerator<StreamLine> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffered = "";
  const parse = (line: string): StreamLine => {
    try {
      return JSON.parse(line) as StreamLine;
    } catch {
      throw new CliFailure(`the server sent a line that is not JSON: ${safe(line.slice(0, 80))}`, "bad_response");
    }
  };
  try {
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) yield parse(line);
      }
    }
  } catch (e) {
    if (e instanceof CliFailure) throw e;
    // Cut mid-stream (network, timeout): the server finishes or rolls back on its own.
    throw new CliFailure(`the connection was lost during the import (${(e as Error).message}); list the organization's users to see its outcome`, "incomplete");
  }
  if (buffered.trim()) yield parse(buffered.trim());
}

/**
 * `importing [########------------] 12/40` redrawn in place on a terminal;
 * elsewhere (a log, a pipe) a plain line every 10 rows and at the end.
 */
function progressBar(err: Writer, label: string) {
  const tty = err.isTTY === true;
  let drawn = false;
  let last = -1;
  return {
    update(done: number, total: number) {
      if (tty) {
        const filled = total ? Math.round((done / total) * BAR_WIDTH) : BAR_WIDTH;
        err.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${done}/${total}`);
        drawn = true;
      } else if (done > 0 && done !== last && (done % 10 === 0 || done === total)) {
        err.write(`${label}: ${done}/${total} rows\n`);
        last = done;
      }
    },
    end() {
      if (drawn) err.write("\n");
    },
  };
}
