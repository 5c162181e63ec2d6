import { getJson, query } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { dateTime, timeOnly } from "../ui/format.ts";
import { badge, button, checkbox, field, section, select, table } from "../ui/kit.ts";
import { errorText, notice } from "../ui/notice.ts";
import type { ScimRequestJson } from "../../server/http/admin-api-json.ts";
import type { ScimToken } from "./provisioning.ts";

export type ScimRequest = ScimRequestJson;

const POLL_MS = 3000;
const PAGE = 50;

/**
 * The recent SCIM requests of the organization, newest first, refreshed every
 * few seconds while the page is visible. Failed requests are highlighted with
 * the scimType and detail the identity provider received: that is what its
 * provisioning log shows, and what the administrator needs to fix.
 */
export function requestLog(ctx: PageContext, tokens: () => ScimToken[]): HTMLElement {
  let items: ScimRequest[] = [];
  let older: string | null = null;
  let paused = false;
  let timer: number | undefined;
  // Each poll has a number; an answer to an older one (filters changed meanwhile) is dropped.
  let generation = 0;
  // Bumped when the filters change: an older page asked for under other filters is dropped.
  let filterChanges = 0;

  const tokenSelect = select([["", "All tokens"], ...tokens().map((t) => [t.id, t.label] as const)]);
  const errorsOnly = checkbox("Errors only");
  const pause = button("Pause", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", String(paused));
    if (!paused) void poll();
  }, { class: "secondary small", "aria-pressed": "false" });
  const state = h("p", { class: "live-state" });
  const problem = h("div");
  const list = h("div");
  const more = button("Show older requests", () => void loadOlder(), { class: "secondary small", hidden: true });

  const params = () => ({ token: tokenSelect.value, status: errorsOnly.input.checked ? "errors" : "all", limit: PAGE });
  const restart = () => {
    filterChanges++;
    items = [];
    older = null;
    // Clear at once: the rows of the previous filter must not stand until the answer arrives.
    replace(list);
    more.hidden = true;
    state.textContent = "Loading…";
    void poll();
  };
  tokenSelect.addEventListener("change", restart);
  errorsOnly.input.addEventListener("change", restart);

  async function poll(): Promise<void> {
    const mine = ++generation;
    window.clearTimeout(timer);
    if (ctx.signal.aborted) return;
    syncTokenOptions();
    if (!paused && document.visibilityState === "visible") {
      try {
        const page = await getJson<{ requests: ScimRequest[]; next: string | null }>(`${ctx.api}/scim-requests${query(params())}`, ctx.signal);
        if (mine !== generation) return;
        const known = new Set(items.map((r) => r.id));
        const fresh = page.requests.filter((r) => !known.has(r.id));
        if (!items.length) older = page.next;
        items = [...fresh, ...items];
        replace(problem);
        state.textContent = `Live: updated at ${timeOnly(new Date().toISOString())}`;
        render();
      } catch (e) {
        if (ctx.signal.aborted || mine !== generation) return;
        replace(problem, notice("error", `The request log could not be read: ${errorText(e)}`));
      }
    } else if (paused) {
      state.textContent = "Paused";
    }
    if (!paused && !ctx.signal.aborted) timer = window.setTimeout(() => void poll(), POLL_MS);
  }

  /** Tokens created after the page opened join the filter. */
  function syncTokenOptions(): void {
    for (const t of tokens()) {
      if (![...tokenSelect.options].some((o) => o.value === t.id)) tokenSelect.append(h("option", { value: t.id }, t.label));
    }
  }

  async function loadOlder(): Promise<void> {
    if (!older) return;
    const mine = filterChanges;
    try {
      const page = await getJson<{ requests: ScimRequest[]; next: string | null }>(`${ctx.api}/scim-requests${query({ ...params(), before: older })}`, ctx.signal);
      if (mine !== filterChanges) return; // the filters changed meanwhile
      items = [...items, ...page.requests];
      older = page.next;
      render();
    } catch (e) {
      replace(problem, notice("error", errorText(e)));
    }
  }

  function render(): void {
    const label = new Map(tokens().map((t) => [t.id, t.label]));
    replace(
      list,
      table<ScimRequest>(
        "Recent SCIM requests",
        [
          { label: "Time", cell: (r) => h("time", { datetime: r.at, title: dateTime(r.at) }, timeOnly(r.at)) },
          { label: "Token", cell: (r) => (r.tokenId ? (label.get(r.tokenId) ?? "revoked token") : "—") },
          { label: "Request", cell: (r) => h("code", { class: "wrap" }, `${r.method} ${r.path}`) },
          { label: "Status", cell: (r) => badge(String(r.status), r.status >= 500 ? "error" : r.status >= 400 ? "error" : "ok"), class: "num" },
          {
            label: "Detail",
            cell: (r) => (r.status >= 400 ? h("span", { class: "error-detail" }, r.scimType ? h("strong", null, `${r.scimType}: `) : null, r.detail ?? "") : ""),
          },
          { label: "Time taken", cell: (r) => `${Math.round(r.durationMs)} ms`, class: "num" },
        ],
        items,
        { empty: "No SCIM requests yet. They appear here within seconds of arriving.", rowClass: (r) => (r.status >= 400 ? "row-error" : undefined) },
      ),
    );
    more.hidden = !older;
  }

  ctx.signal.addEventListener("abort", () => window.clearTimeout(timer));
  void poll();
  return section(
    "Recent SCIM requests",
    h("div", { class: "inline-form" }, field("Token", tokenSelect), errorsOnly.el, pause, state),
    problem,
    list,
    more,
  );
}
