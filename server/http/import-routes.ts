import express, { type Request, type RequestHandler, type Response, Router } from "express";
import type { Kysely } from "kysely";
import { IMPORT_TEMPLATE_CSV, IMPORT_TEMPLATE_FILENAME } from "../domain/csv-import/import-template.ts";
import { type ImportFile, readCsvImport, readPastedList } from "../domain/csv-import/import-rows.ts";
import { type ImportMode, type ImportReport, runImport } from "../domain/csv-import/run-import.ts";
import { getOrg } from "../domain/orgs.ts";
import type { Logger } from "../logger.ts";
import type { Database } from "../storage/tables.ts";
import { HttpError, toHttpError } from "./error-map.ts";
import { orgCaller, queryOf } from "./org-request.ts";

export interface ImportRouterDeps {
  db: Kysely<Database>;
  logger: Logger;
}

/** Generous for 100 rows of names and addresses; beyond it the file cannot be a valid import. */
const MAX_BODY_BYTES = 1024 * 1024;
const CSV = "text/csv";
const PASTE = "text/plain";
const NDJSON = "application/x-ndjson";

/**
 * Bulk creation of users from a CSV file or a pasted list, mounted at
 * /admin/v1/orgs/:org/imports (mergeParams):
 *   GET  /template.csv                    the file to start from
 *   POST /?mode=preview|apply             body text/csv (a file) or text/plain (a pasted list)
 * preview answers 200 with the per-row report and writes nothing; apply is all
 * or nothing: 201 with the report (each row's userId) or 422 with the report
 * and nothing written. With `Accept: application/x-ndjson` the answer is 200
 * and streams `{"type":"progress","done":n,"total":m}` lines, then one
 * `{"type":"result","ok":bool,"status":201|422|200,"report":{…}}` line (or an
 * `{"type":"error",…}` line if the import could not run to its end).
 */
export function importRouter({ db, logger }: ImportRouterDeps): Router {
  const r = Router({ mergeParams: true });

  r.get("/template.csv", async (req, res) => {
    const { orgId } = orgCaller(req, res);
    await getOrg(db, orgId);
    res
      .type("text/csv; charset=utf-8")
      .set("Content-Disposition", `attachment; filename="${IMPORT_TEMPLATE_FILENAME}"`)
      .send(IMPORT_TEMPLATE_CSV);
  });

  r.post("/", readBody, async (req, res) => {
    const { orgId, actor } = orgCaller(req, res);
    const mode = modeOf(req);
    // The whole file is read and checked before anything is answered, so a
    // file-level problem is a plain 4xx even when progress was asked for.
    const file = importFileOf(req);
    if (!wantsProgress(req)) {
      const report = await runImport(db, orgId, file, { mode }, actor);
      res.status(statusOf(report)).json(report);
      return;
    }
    // X-Accel-Buffering: a buffering reverse proxy (nginx) would otherwise hold every line until the end.
    res.status(200).type(`${NDJSON}; charset=utf-8`).set("X-Accel-Buffering", "no");
    res.flushHeaders();
    const line = (value: unknown) => {
      if (!res.destroyed) res.write(`${JSON.stringify(value)}\n`);
    };
    try {
      line({ type: "progress", done: 0, total: file.rows.length });
      const report = await runImport(db, orgId, file, { mode, onProgress: (done, total) => line({ type: "progress", done, total }) }, actor);
      const status = statusOf(report);
      line({ type: "result", ok: report.failed === 0, status, report });
    } catch (err) {
      // The status line is sent: the failure travels in the stream.
      const known = toHttpError(err);
      if (!known) logger.error({ err, method: req.method, url: req.originalUrl }, "unhandled error");
      line({
        type: "error",
        status: known?.status ?? 500,
        error: known?.code ?? "internal",
        message: known?.message ?? "Internal server error",
      });
    }
    res.end();
  });
  return r;
}

/** 200 for a preview (its report is the answer), 201 for an applied import, 422 when an apply was refused. */
function statusOf(report: ImportReport): number {
  if (report.mode === "preview") return 200;
  return report.failed === 0 ? 201 : 422;
}

function modeOf(req: Request): ImportMode {
  const { mode } = queryOf(req, ["mode"]);
  if (mode === "preview" || mode === "apply") return mode;
  throw new HttpError(
    400,
    "invalid_query",
    `${mode === undefined ? "mode is required" : `mode "${mode}" is not known`}: add ?mode=preview ` +
      "(check every row, write nothing) or ?mode=apply (create the users, all or nothing)",
  );
}

const wantsProgress = (req: Request) => (req.get("accept") ?? "").toLowerCase().includes(NDJSON);

const rawBody = express.raw({ type: [CSV, PASTE], limit: MAX_BODY_BYTES });

/** The body as bytes; a body over the limit gets a message saying what to do about it. */
const readBody: RequestHandler = (req: Request, res: Response, next) => {
  rawBody(req, res, (err?: unknown) => {
    if ((err as { type?: string } | undefined)?.type === "entity.too.large") {
      next(new HttpError(413, "too_large", `the file is larger than 1 MB; split it into files of at most 100 users`));
    } else next(err);
  });
};

/** The body, decoded and read as a CSV file or a pasted list according to its Content-Type. */
function importFileOf(req: Request): ImportFile {
  const contentType = req.get("content-type") ?? "";
  const [mime = "", ...params] = contentType.split(";").map((p) => p.trim().toLowerCase());
  if (mime !== CSV && mime !== PASTE) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `send a CSV file with Content-Type: ${CSV}, or a pasted list ("first last email; …") with Content-Type: ${PASTE}` +
        (mime ? ` (got ${mime})` : ""),
    );
  }
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/"/g, "");
  if (charset !== undefined && !["utf-8", "utf8", "us-ascii"].includes(charset)) {
    throw new HttpError(415, "unsupported_charset", `send the file as UTF-8 (got charset=${charset})`);
  }
  const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  let text: string;
  try {
    // fatal: a file saved in another encoding (Excel's default "CSV" on Windows) is refused, not garbled.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "invalid_file", 'the file is not valid UTF-8 text; save it as "CSV UTF-8" and send it again');
  }
  return mime === CSV ? readCsvImport(text) : readPastedList(text);
}
