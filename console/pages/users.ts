import { getJson, query } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { navigate } from "../router.ts";
import { badge, field, link, loading, pageHeader, select, table } from "../ui/kit.ts";
import { ADMIN_ROLES, type GroupSummary, ORG_ROLES, primaryEmail, type ProductUsage, roleLabel, type UserSummary } from "./people-types.ts";

const FILTERS = ["q", "status", "product", "group", "role"] as const;

/** Users: search and filters kept in the address (so back, reload and links keep them), keyset pages. */
export async function usersPage(ctx: PageContext): Promise<void> {
  const current = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) ?? ""])) as Record<(typeof FILTERS)[number], string>;
  const results = h("div", { "aria-live": "polite" }, loading());
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter users" });
  replace(ctx.root, pageHeader("Users"), form, results);

  const [products, groups] = await Promise.all([
    getJson<{ products: ProductUsage[] }>(`${ctx.api}/products`, ctx.signal).then((r) => r.products),
    getJson<{ groups: GroupSummary[] }>(`${ctx.api}/groups?limit=200`, ctx.signal).then((r) => r.groups),
  ]);
  const q = h("input", { type: "search", name: "q", value: current.q, placeholder: "Name or email" });
  const status = select([["", "Any status"], ["active", "Active"], ["suspended", "Suspended"]], current.status);
  const product = select([["", "Any product"], ...products.map((p) => [p.key, p.key] as const)], current.product);
  const group = select([["", "Any group"], ...groups.map((g) => [g.id, g.displayName] as const)], current.group);
  const role = select(
    [["", "Any role"], ...ORG_ROLES.map(([k, l]) => [k, l] as const), ...ADMIN_ROLES.map(([k, l]) => [k, `Admin centre: ${l}`] as const)],
    current.role,
  );
  replace(
    form,
    field("Search", q),
    field("Status", status),
    field("Product", product),
    field("Group", group),
    field("Role", role),
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, "Search"), link(`${ctx.base}/users`, "Clear")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    navigate(`${ctx.base}/users${query({ q: q.value.trim(), status: status.value, product: product.value, group: group.value, role: role.value })}`);
  });

  const cursor = ctx.query.get("cursor") ?? "";
  const page = await getJson<{ users: UserSummary[]; nextCursor: string | null }>(
    `${ctx.api}/users${query({ ...current, cursor, limit: 50 })}`,
    ctx.signal,
  );
  const pager = h(
    "div",
    { class: "pager" },
    cursor ? link(`${ctx.base}/users${query(current)}`, "First page") : null,
    page.nextCursor ? link(`${ctx.base}/users${query({ ...current, cursor: page.nextCursor })}`, "Next page") : null,
  );
  replace(
    results,
    table<UserSummary>(
      "Users",
      [
        { label: "User", cell: (u) => h("span", { class: "stacked" }, link(`${ctx.base}/users/${encodeURIComponent(u.id)}`, u.userName), u.displayName ? h("small", null, u.displayName) : null) },
        { label: "Email", cell: (u) => primaryEmail(u) },
        { label: "Status", cell: (u) => (u.active ? badge("Active", "ok") : badge("Suspended", "warn")) },
        { label: "Roles", cell: (u) => roleLabel(u.roles) },
        {
          label: "Products",
          cell: (u) => [
            u.products.granted.join(", "),
            u.products.pending.length ? h("small", { class: "pending-note" }, ` (pending: ${u.products.pending.join(", ")})`) : null,
          ],
        },
      ],
      page.users,
      { empty: FILTERS.some((k) => current[k]) ? "No user matches these filters." : "No users yet: your identity provider creates them over SCIM, or import a CSV file." },
    ),
    pager,
  );
}
