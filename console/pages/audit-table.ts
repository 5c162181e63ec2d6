import type { Child } from "../dom.ts";
import { h } from "../dom.ts";
import { dateTime } from "../ui/format.ts";
import { table } from "../ui/kit.ts";
import type { AuditEvent } from "./people-types.ts";

/** Audit events as a table; details are shown as compact JSON (they never hold secrets: the server strips them). */
export function auditTable(caption: string, events: AuditEvent[], empty = "No events."): HTMLElement {
  return table<AuditEvent>(
    caption,
    [
      { label: "When", cell: (e) => h("time", { datetime: e.at }, dateTime(e.at)) },
      { label: "Actor", cell: (e) => actorLabel(e) },
      { label: "Action", cell: (e) => h("code", null, e.action) },
      { label: "Target", cell: (e) => targetLabel(e) },
      { label: "Details", cell: (e) => details(e.details), class: "details" },
    ],
    events,
    { empty },
  );
}

function actorLabel(e: AuditEvent): Child {
  const kind = { "scim-token": "SCIM token", operator: "Operator", admin: "Admin", system: "System" }[e.actor.kind] ?? e.actor.kind;
  // The name as it was when the change was made (a token's label, an admin's userName); the id below it.
  const who = e.actor.label ? `${kind}: ${e.actor.label}` : kind;
  return e.actor.id ? h("span", { class: "stacked" }, who, h("small", { class: "mono" }, e.actor.id)) : who;
}

function targetLabel(e: AuditEvent): Child {
  return h("span", { class: "stacked" }, `${e.target.type}${e.target.label ? `: ${e.target.label}` : ""}`, e.target.id && e.target.id !== e.target.label ? h("small", { class: "mono" }, e.target.id) : null);
}

function details(d: Record<string, unknown>): Child {
  const text = JSON.stringify(d);
  if (!text || text === "{}") return "";
  return h("code", { class: "json" }, text.length > 400 ? `${text.slice(0, 400)}…` : text);
}
