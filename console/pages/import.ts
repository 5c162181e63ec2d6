import { request } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { plural } from "../ui/format.ts";
import { badge, field, link, pageHeader, section, table } from "../ui/kit.ts";
import { errorText, messageArea, notice } from "../ui/notice.ts";

interface RowResult {
  row: number;
  email: string;
  status: "ok" | "error";
  errors: string[];
  userId?: string;
}

interface Report {
  mode: "preview" | "apply";
  total: number;
  ok: number;
  failed: number;
  rows: RowResult[];
}

type StreamLine =
  | { type: "progress"; done: number; total: number }
  | { type: "result"; ok: boolean; status: number; report: Report }
  | { type: "error"; status: number; error: string; message: string };

/** CSV import in three steps: the template, a preview with per-row errors, then the all-or-nothing apply with progress. */
export function importPage(ctx: PageContext): void {
  const file = h("input", { type: "file", accept: ".csv,text/csv", required: true, disabled: !ctx.writable });
  const msg = messageArea();
  const previewBtn = h("button", { type: "submit", class: "primary", disabled: !ctx.writable }, "Preview");
  const previewBox = h("div", { "aria-live": "polite" });
  const applyBox = h("div");
  let text = "";

  const form = h("form", { class: "inline-form" }, field("CSV file (UTF-8, at most 100 users)", file), previewBtn);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return msg.show("error", "Choose a CSV file first.");
    msg.clear();
    replace(applyBox);
    previewBtn.disabled = true;
    try {
      text = await chosen.text();
      const res = await request("POST", `${ctx.api}/imports?mode=preview`, { body: text, contentType: "text/csv; charset=utf-8" });
      const report = (await res.json()) as Report;
      replace(previewBox, reportView("Preview", report));
      if (report.failed === 0 && report.total > 0) replace(applyBox, applyButton(report.total));
      else if (report.failed > 0) replace(applyBox, notice("info", "Fix the rows with errors in the file and preview it again; nothing is created while any row fails."));
    } catch (err) {
      replace(previewBox);
      msg.error(err);
    } finally {
      previewBtn.disabled = !ctx.writable;
    }
  });

  function applyButton(total: number): HTMLElement {
    const btn = h("button", { type: "button", class: "primary" }, `Create ${plural(total, "user")}`);
    const progress = h("progress", { max: total, value: 0, "aria-label": "Import progress" });
    const progressText = h("span", { role: "status" });
    const box = h("div", { class: "apply" }, btn);
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      box.append(h("div", { class: "progress" }, progress, progressText));
      try {
        const result = await applyImport(text, (done, all) => {
          progress.max = all;
          progress.value = done;
          progressText.textContent = `${done} of ${all} rows`;
        });
        replace(previewBox);
        btn.hidden = true;
        box.append(resultView(result));
      } catch (err) {
        box.append(notice("error", errorText(err)));
        btn.disabled = false;
      }
    });
    return box;
  }

  async function applyImport(body: string, onProgress: (done: number, total: number) => void): Promise<Report> {
    const res = await request("POST", `${ctx.api}/imports?mode=apply`, { body, contentType: "text/csv; charset=utf-8", accept: "application/x-ndjson" });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        const msgLine = JSON.parse(line) as StreamLine;
        if (msgLine.type === "progress") onProgress(msgLine.done, msgLine.total);
        else if (msgLine.type === "result") return msgLine.report;
        else throw new Error(`${msgLine.message} (${msgLine.status} ${msgLine.error})`);
      }
      if (done) throw new Error("The server ended the import without a result; check the users list before trying again.");
    }
  }

  function resultView(report: Report): HTMLElement {
    if (report.failed > 0) {
      return h("div", null, notice("error", `Nothing was created: ${plural(report.failed, "row")} failed (someone changed the organization since the preview).`), reportView("Result", report));
    }
    return h("div", null, notice("success", `${plural(report.ok, "user")} created.`), reportView("Result", report));
  }

  function reportView(title: string, report: Report): HTMLElement {
    return section(
      title,
      h("p", { class: "summary" }, `${plural(report.total, "row")}: `, badge(`${report.ok} ok`, "ok"), " ", badge(`${report.failed} with errors`, report.failed ? "error" : "neutral")),
      table<RowResult>(
        `${title} of the import, row by row`,
        [
          { label: "Row", cell: (r) => String(r.row), class: "num" },
          { label: "Email", cell: (r) => (r.userId ? link(`${ctx.base}/users/${encodeURIComponent(r.userId)}`, r.email) : r.email) },
          { label: "Result", cell: (r) => (r.status === "ok" ? badge(report.mode === "apply" ? "Created" : "OK", "ok") : badge("Error", "error")) },
          { label: "Problems", cell: (r) => (r.errors.length ? h("ul", { class: "plain errors" }, ...r.errors.map((x) => h("li", null, x))) : "") },
        ],
        report.rows,
        { empty: "The file has no rows.", rowClass: (r) => (r.status === "error" ? "row-error" : undefined) },
      ),
    );
  }

  replace(
    ctx.root,
    pageHeader("CSV import"),
    h("p", { class: "hint" }, "Create up to 100 users at once. Everything is checked first; the import is all or nothing."),
    section(
      "1. Start from the template",
      h("p", null, "Columns: firstName, lastName, email, products (product keys separated by ';')."),
      h("a", { class: "button secondary", href: `/admin/v1${ctx.api}/imports/template.csv`, download: "users-template.csv" }, "Download the template"),
    ),
    section("2. Upload and preview", form, msg.el),
    previewBox,
    applyBox,
  );
}
