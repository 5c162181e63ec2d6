import { type Attrs, type Child, h, uid } from "../dom.ts";

/** A page heading with optional actions beside it. */
export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h("div", { class: "page-header" }, h("h1", { tabindex: "-1" }, title), h("div", { class: "actions" }, ...actions));
}

export function section(title: string, ...children: Child[]): HTMLElement {
  const id = uid("s");
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/** A label bound to its control (for/id), with an optional hint bound by aria-describedby. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid();
  control.id = id;
  let hintEl: HTMLElement | undefined;
  if (hint) {
    hintEl = h("p", { class: "hint", id: `${id}-hint` }, hint);
    control.setAttribute("aria-describedby", hintEl.id);
  }
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

/** A checkbox with its label after it. */
export function checkbox(label: string, attrs: Attrs = {}): { el: HTMLElement; input: HTMLInputElement } {
  const input = h("input", { type: "checkbox", id: uid(), ...attrs });
  return { el: h("div", { class: "check" }, input, h("label", { for: input.id }, label)), input };
}

export function select(options: readonly (readonly [value: string, label: string])[], selected = "", attrs: Attrs = {}): HTMLSelectElement {
  return h("select", attrs, ...options.map(([value, label]) => h("option", { value, selected: value === selected }, label)));
}

/** A button; the handler gets the button itself (event.currentTarget is gone once the handler awaits). */
export function button(label: string, onClick: (btn: HTMLButtonElement) => void, attrs: Attrs = {}): HTMLButtonElement {
  const btn = h("button", { type: "button", ...attrs }, label);
  btn.addEventListener("click", () => onClick(btn));
  return btn;
}

/** A link inside the console (the router turns its clicks into history navigation). */
export function link(href: string, label: Child, attrs: Attrs = {}): HTMLAnchorElement {
  return h("a", { href, ...attrs }, label);
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  class?: string;
}

/** A data table with a caption (screen readers announce it) and an empty-state row. */
export function table<T>(caption: string, columns: Column<T>[], rows: T[], options: { empty?: string; rowClass?: (row: T) => string | undefined } = {}): HTMLElement {
  const body = rows.length
    ? rows.map((r) => h("tr", { class: options.rowClass?.(r) }, ...columns.map((c) => h("td", { class: c.class }, c.cell(r)))))
    : [h("tr", null, h("td", { colspan: columns.length, class: "empty" }, options.empty ?? "Nothing here yet."))];
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      null,
      h("caption", { class: "visually-hidden" }, caption),
      h("thead", null, h("tr", null, ...columns.map((c) => h("th", { scope: "col", class: c.class }, c.label)))),
      h("tbody", null, ...body),
    ),
  );
}

export function badge(text: string, kind: "ok" | "warn" | "error" | "neutral" = "neutral"): HTMLElement {
  return h("span", { class: `badge badge-${kind}` }, text);
}

/** A term/description list of facts. */
export function facts(items: [string, Child][]): HTMLElement {
  return h("dl", { class: "facts" }, ...items.flatMap(([k, v]) => [h("dt", null, k), h("dd", null, v)]));
}

export function loading(): HTMLElement {
  return h("p", { class: "loading", role: "status" }, "Loading…");
}
