import { getJson, query } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { navigate } from "../router.ts";
import { dateTime } from "../ui/format.ts";
import { field, link, loading, pageHeader, table } from "../ui/kit.ts";
import type { GroupSummary } from "./people-types.ts";

/** Groups as the identity provider pushed them: searchable, paged. */
export async function groupsPage(ctx: PageContext): Promise<void> {
  const q = ctx.query.get("q") ?? "";
  const cursor = ctx.query.get("cursor") ?? "";
  const search = h("input", { type: "search", value: q, placeholder: "Group name" });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Search groups" },
    field("Search", search),
    h("div", { class: "filter-actions" }, h("button", { type: "submit", class: "primary" }, "Search")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    navigate(`${ctx.base}/groups${query({ q: search.value.trim() })}`);
  });
  const results = h("div", { "aria-live": "polite" }, loading());
  replace(ctx.root, pageHeader("Groups"), h("p", { class: "hint" }, "Groups are managed by your identity provider; here you choose the products each group grants."), form, results);

  const page = await getJson<{ groups: GroupSummary[]; nextCursor: string | null }>(`${ctx.api}/groups${query({ q, cursor, limit: 50 })}`, ctx.signal);
  replace(
    results,
    table<GroupSummary>(
      "Groups",
      [
        { label: "Group", cell: (g) => link(`${ctx.base}/groups/${encodeURIComponent(g.id)}`, g.displayName) },
        { label: "Members", cell: (g) => String(g.memberCount), class: "num" },
        { label: "External id", cell: (g) => g.externalId ?? "—" },
        { label: "Updated", cell: (g) => dateTime(g.updatedAt) },
      ],
      page.groups,
      { empty: q ? "No group matches." : "No groups yet: your identity provider creates them over SCIM." },
    ),
    h(
      "div",
      { class: "pager" },
      cursor ? link(`${ctx.base}/groups${query({ q })}`, "First page") : null,
      page.nextCursor ? link(`${ctx.base}/groups${query({ q, cursor: page.nextCursor })}`, "Next page") : null,
    ),
  );
}
