import { getJson, send } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace, uid } from "../dom.ts";
import { runAction } from "../ui/actions.ts";
import { field, loading, pageHeader, section } from "../ui/kit.ts";
import { messageArea } from "../ui/notice.ts";
import { usageBar } from "../ui/usage-bar.ts";
import type { ProductUsage } from "./people-types.ts";

/** Products with their seats: a usage bar each (assigned, pending, free) and the number of seats to set. */
export async function productsPage(ctx: PageContext): Promise<void> {
  const list = h("div", { class: "products" }, loading());
  replace(ctx.root, pageHeader("Products & seats"), list, addForm(ctx, () => void refresh()));

  async function refresh(): Promise<void> {
    const { products } = await getJson<{ products: ProductUsage[] }>(`${ctx.api}/products`, ctx.signal);
    replace(list, ...(products.length ? products.map((p) => productCard(ctx, p)) : [h("p", { class: "empty" }, "No products yet: add the first one below.")]));
  }
  await refresh();
}

function productCard(ctx: PageContext, p: ProductUsage): HTMLElement {
  const titleId = uid("p");
  const bar = h("div", null, usageBar(p));
  const seats = h("input", { type: "number", min: 0, max: 1000000, step: 1, value: String(p.seats), required: true, disabled: !ctx.writable, class: "seats" });
  const msg = messageArea();
  const save = h("button", { type: "submit", class: "primary", disabled: !ctx.writable }, "Set seats");
  const form = h("form", { class: "inline-form" }, field(`Seats of ${p.key}`, seats), save);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const n = Number(seats.value);
    const updated = await runAction(save, msg, () => send<ProductUsage>("PUT", `${ctx.api}/products/${encodeURIComponent(p.key)}`, { seats: n }), (u) => `${u.key}: ${u.seats} seats.`);
    if (updated) replace(bar, usageBar(updated));
  });
  return h("section", { class: "card product", "aria-labelledby": titleId, "data-product": p.key }, h("h2", { id: titleId }, p.key), bar, form, msg.el);
}

function addForm(ctx: PageContext, added: () => void): HTMLElement {
  const key = h("input", { type: "text", required: true, maxlength: 64, disabled: !ctx.writable, spellcheck: "false" });
  const seats = h("input", { type: "number", min: 0, max: 1000000, step: 1, value: "10", required: true, disabled: !ctx.writable, class: "seats" });
  const msg = messageArea();
  const submit = h("button", { type: "submit", class: "secondary", disabled: !ctx.writable }, "Add product");
  const form = h("form", { class: "inline-form" }, field("Product key", key, "Lower case: letters, digits, . _ -"), field("Seats", seats), submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const done = await runAction(submit, msg, () => send<ProductUsage>("PUT", `${ctx.api}/products/${encodeURIComponent(key.value.trim())}`, { seats: Number(seats.value) }), (u) => `Product ${u.key} added with ${u.seats} seats.`);
    if (done) {
      key.value = "";
      added();
    }
  });
  return section("Add a product", form, msg.el);
}
