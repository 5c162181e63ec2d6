import { h } from "../dom.ts";

export interface Usage {
  seats: number;
  assigned: number;
  pending: number;
}

/**
 * Seats as a stacked bar: assigned, free, and pending beyond capacity. The
 * widths are set through the CSSOM (allowed by the CSP's style-src 'self',
 * unlike inline style attributes); the numbers are also written out, so the
 * bar is never the only way to read them.
 */
export function usageBar(u: Usage): HTMLElement {
  const free = Math.max(0, u.seats - u.assigned);
  const total = Math.max(1, u.assigned + free + u.pending);
  const seg = (cls: string, n: number) => {
    const el = h("span", { class: `seg ${cls}` });
    el.style.width = `${(100 * n) / total}%`;
    return el;
  };
  const summary = `${u.assigned} assigned, ${u.pending} pending, ${free} free of ${u.seats} seats`;
  return h(
    "div",
    { class: "usage" },
    h("div", { class: "bar", role: "img", "aria-label": summary }, seg("assigned", u.assigned), seg("free", free), seg("pending", u.pending)),
    h(
      "p",
      { class: "usage-legend" },
      h("span", { class: "key assigned" }, `${u.assigned} assigned`),
      h("span", { class: "key pending" }, `${u.pending} pending`),
      h("span", { class: "key free" }, `${free} free`),
      h("span", null, `of ${u.seats} seats`),
    ),
  );
}
