import { getJson, query, send } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { runAction } from "../ui/actions.ts";
import { badge, checkbox, link, loading, pageHeader, section, table } from "../ui/kit.ts";
import { messageArea } from "../ui/notice.ts";
import type { GroupSummary, ProductUsage } from "./people-types.ts";

interface Member {
  id: string;
  type: "User" | "Group";
  userName: string | null;
  displayName: string | null;
  active: boolean | null;
}

/** One group: the products it grants (editable) and its members, one page at a time (a group may have 100,000). */
export async function groupDetailPage(ctx: PageContext): Promise<void> {
  replace(ctx.root, loading());
  const path = `${ctx.api}/groups/${encodeURIComponent(ctx.params.id!)}`;
  const membersCursor = ctx.query.get("members") ?? "";
  const [group, catalog, members] = await Promise.all([
    getJson<GroupSummary & { products: string[] }>(path, ctx.signal),
    getJson<{ products: ProductUsage[] }>(`${ctx.api}/products`, ctx.signal).then((r) => r.products),
    getJson<{ members: Member[]; nextCursor: string | null }>(`${path}/members${query({ cursor: membersCursor, limit: 50 })}`, ctx.signal),
  ]);
  const here = `${ctx.base}/groups/${encodeURIComponent(group.id)}`;

  replace(
    ctx.root,
    h("p", { class: "breadcrumb" }, link(`${ctx.base}/groups`, "Groups"), " / "),
    pageHeader(group.displayName),
    h("p", null, `${group.memberCount} direct member${group.memberCount === 1 ? "" : "s"}.`, group.externalId ? ` External id: ${group.externalId}.` : ""),
    section("Products granted by this group", productsForm(ctx, path, group.products, catalog)),
    section(
      "Members",
      table<Member>(
        `Members of ${group.displayName}`,
        [
          {
            label: "Member",
            cell: (m) =>
              m.type === "User"
                ? link(`${ctx.base}/users/${encodeURIComponent(m.id)}`, m.userName ?? m.id)
                : [link(`${ctx.base}/groups/${encodeURIComponent(m.id)}`, m.displayName ?? m.id), " ", badge("group")],
          },
          { label: "Display name", cell: (m) => (m.type === "User" ? (m.displayName ?? "—") : "—") },
          { label: "Status", cell: (m) => (m.type !== "User" ? "—" : m.active ? badge("Active", "ok") : badge("Suspended", "warn")) },
        ],
        members.members,
        { empty: "No members." },
      ),
      h(
        "div",
        { class: "pager" },
        membersCursor ? link(here, "First page of members") : null,
        members.nextCursor ? link(`${here}${query({ members: members.nextCursor })}`, "Next page of members") : null,
      ),
    ),
  );
}

function productsForm(ctx: PageContext, path: string, assigned: string[], catalog: ProductUsage[]): HTMLElement {
  if (!catalog.length) return h("p", null, "No products yet. ", link(`${ctx.base}/products`, "Add products and seats first."));
  const boxes = catalog.map((p) => ({ key: p.key, c: checkbox(p.key, { checked: assigned.includes(p.key), disabled: !ctx.writable }) }));
  const msg = messageArea();
  const save = h("button", { type: "submit", class: "primary", disabled: !ctx.writable }, "Save products");
  const form = h(
    "form",
    { class: "stack" },
    h("fieldset", null, h("legend", { class: "visually-hidden" }, "Products"), h("div", { class: "check-grid" }, ...boxes.map((b) => b.c.el))),
    h("p", { class: "hint" }, "Members get a seat of each product while seats last; the rest wait as pending, first come first served."),
    msg.el,
    save,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const products = boxes.filter((b) => b.c.input.checked).map((b) => b.key);
    await runAction(save, msg, () => send("PUT", `${path}/products`, { products }), () => "Products saved.");
  });
  return form;
}
