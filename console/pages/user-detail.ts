import { getJson, send } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { navigate } from "../router.ts";
import { runAction } from "../ui/actions.ts";
import { confirmDialog } from "../ui/dialog.ts";
import { dateTime } from "../ui/format.ts";
import { badge, button, facts, link, loading, pageHeader, section } from "../ui/kit.ts";
import { messageArea } from "../ui/notice.ts";
import { auditTable } from "./audit-table.ts";
import type { UserDetail } from "./people-types.ts";
import { rolesForm } from "./roles-form.ts";

/** One user: facts, lifecycle (suspend, restore, delete), roles, groups, products and recent audit events. */
export async function userDetailPage(ctx: PageContext): Promise<void> {
  replace(ctx.root, loading());
  const id = ctx.params.id!;
  const path = `${ctx.api}/users/${encodeURIComponent(id)}`;
  const user = await getJson<UserDetail>(path, ctx.signal);
  const msg = messageArea();
  const reload = () => navigate(location.pathname + location.search, { replace: true });

  const lifecycle = user.active
    ? button("Suspend", async (btn) => {
        const ok = await confirmDialog({
          title: `Suspend ${user.userName}?`,
          message: "Their seats are freed at once, their sessions end and they cannot sign in. Their data and memberships are kept; you can restore them later.",
          confirmLabel: "Suspend",
          danger: true,
        });
        if (ok && (await runAction(btn, msg, () => send("POST", `${path}/suspend`)))) reload();
      }, { class: "secondary", disabled: !ctx.writable })
    : button("Restore", async (btn) => {
        const ok = await confirmDialog({
          title: `Restore ${user.userName}?`,
          message: "They can sign in again; their products are requested again (what fits is granted, the rest waits as pending).",
          confirmLabel: "Restore",
        });
        if (ok && (await runAction(btn, msg, () => send("POST", `${path}/restore`)))) reload();
      }, { class: "secondary", disabled: !ctx.writable });
  const remove = button("Delete", async (btn) => {
    const ok = await confirmDialog({
      title: `Delete ${user.userName}?`,
      message: "The user, their emails, memberships and seats are removed for good. If the identity provider still assigns them, it will create them again.",
      confirmLabel: "Delete user",
      danger: true,
    });
    if (!ok) return;
    const done = await runAction(btn, msg, () => send("DELETE", path).then(() => true));
    if (done) navigate(`${ctx.base}/users`);
  }, { class: "danger", disabled: !ctx.writable });

  replace(
    ctx.root,
    h("p", { class: "breadcrumb" }, link(`${ctx.base}/users`, "Users"), " / "),
    pageHeader(user.userName, lifecycle, remove),
    msg.el,
    section(
      "Profile",
      facts([
        ["Display name", user.displayName ?? "—"],
        ["Status", user.active ? badge("Active", "ok") : badge("Suspended", "warn")],
        ["Emails", h("ul", { class: "plain" }, ...user.emails.map((m) => h("li", null, m.value, m.type ? ` (${m.type}${m.primary ? ", primary" : ""})` : m.primary ? " (primary)" : "")))],
        ["Id", h("code", null, user.id)],
        ["Created", dateTime(user.createdAt)],
        ["Updated", dateTime(user.updatedAt)],
      ]),
      h("p", { class: "hint" }, "Name and email addresses come from your identity provider and change only there."),
    ),
    h(
      "div",
      { class: "columns" },
      section(
        "Groups",
        user.groups.length
          ? h("ul", { class: "plain" }, ...user.groups.map((g) => h("li", null, link(`${ctx.base}/groups/${encodeURIComponent(g.id)}`, g.displayName))))
          : h("p", null, "Not a member of any group."),
      ),
      section(
        "Products",
        facts([
          ["Granted", user.products.granted.length ? user.products.granted.join(", ") : "none"],
          ["Pending (waiting for a seat)", user.products.pending.length ? user.products.pending.join(", ") : "none"],
        ]),
      ),
    ),
    section("Roles", rolesForm(ctx, user, path)),
    section("Recent activity", auditTable(`Recent audit events of ${user.userName}`, user.recentAuditEvents, "No events about this user yet.")),
  );
}
