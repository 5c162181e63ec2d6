import { getJson, query } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { navigate } from "../router.ts";
import { field, link, loading, pageHeader, select } from "../ui/kit.ts";
import { auditTable } from "./audit-table.ts";
import type { AuditEvent } from "./people-types.ts";

const FILTERS = ["action", "actor", "target", "since", "until"] as const;

/** The audit trail, newest first, with its filters in the address. */
export async function auditPage(ctx: PageContext): Promise<void> {
  const current = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) ?? ""])) as Record<(typeof FILTERS)[number], string>;
  const cursor = ctx.query.get("cursor") ?? "";
  const action = h("input", { type: "text", value: current.action, placeholder: "user. or user.suspended", list: "audit-actions", spellcheck: "false" });
  const actions = h(
    "datalist",
    { id: "audit-actions" },
    ...["user.", "group.", "product.", "domain.", "signin.", "saml.", "import."].map((a) => h("option", { value: a })),
  );
  const actor = select(
    [["", "Anyone"], ["operator", "Operator"], ["admin", "Admins"], ["scim-token", "SCIM tokens"], ["system", "System"]],
    ["", "operator", "admin", "scim-token", "system"].includes(current.actor) ? current.actor : "",
  );
  const actorId = h("input", { type: "text", value: ["", "operator", "admin", "scim-token", "system"].includes(current.actor) ? "" : current.actor, placeholder: "user or token id", spellcheck: "false" });
  const target = h("input", { type: "text", value: current.target, placeholder: "user id, group id, domain, product", spellcheck: "false" });
  const since = h("input", { type: "date", value: current.since });
  const until = h("input", { type: "date", value: current.until });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter the audit trail" },
    field("Action", action, "A full action, or a prefix ending in a dot."),
    actions,
    field("Actor", actor),
    field("Actor id", actorId),
    field("Target", target),
    field("From (inclusive)", since),
    field("Until (exclusive)", until),
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, "Filter"), link(`${ctx.base}/audit`, "Clear")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    navigate(
      `${ctx.base}/audit${query({ action: action.value.trim(), actor: actorId.value.trim() || actor.value, target: target.value.trim(), since: since.value, until: until.value })}`,
    );
  });
  const results = h("div", { "aria-live": "polite" }, loading());
  replace(ctx.root, pageHeader("Audit trail"), form, results);

  const page = await getJson<{ events: AuditEvent[]; nextCursor: string | null }>(`${ctx.api}/audit${query({ ...current, cursor, limit: 50 })}`, ctx.signal);
  replace(
    results,
    auditTable("Audit events", page.events, "No events match these filters."),
    h(
      "div",
      { class: "pager" },
      cursor ? link(`${ctx.base}/audit${query(current)}`, "Newest") : null,
      page.nextCursor ? link(`${ctx.base}/audit${query({ ...current, cursor: page.nextCursor })}`, "Older events") : null,
    ),
  );
}
