import { getJson, send } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { runAction } from "../ui/actions.ts";
import { checkbox, field, select } from "../ui/kit.ts";
import { messageArea } from "../ui/notice.ts";
import { ADMIN_ROLES, type GroupSummary, MANAGER_PERMISSIONS, ORG_ROLES, type UserRoles, type UserSummary } from "./people-types.ts";

/** The two role families of a user and, for a manager, what they manage (PUT /users/:id/roles). */
export function rolesForm(ctx: PageContext, user: UserSummary, path: string): HTMLElement {
  const disabled = !ctx.mayWrite("roles");
  const orgRole = select(ORG_ROLES, user.roles.orgRole, { disabled });
  const adminRole = select(ADMIN_ROLES, user.roles.adminRole, { disabled });
  const perms = MANAGER_PERMISSIONS.map((p) => ({ p, box: checkbox(p, { checked: user.roles.managerScope.permissions.includes(p), disabled }) }));
  const groupsBox = h("div", { class: "check-grid" }, h("p", { class: "hint" }, "Loading groups…"));
  const groupChecks: { id: string; input: HTMLInputElement }[] = [];
  const scope = h(
    "fieldset",
    { class: "scope" },
    h("legend", null, "Manager of"),
    h("div", { class: "check-grid" }, ...perms.map((x) => x.box.el)),
    h("p", { class: "hint" }, "Groups:"),
    groupsBox,
  );
  const syncScope = () => (scope.hidden = adminRole.value !== "manager");
  adminRole.addEventListener("change", syncScope);
  syncScope();
  void getJson<{ groups: GroupSummary[] }>(`${ctx.api}/groups?limit=200`, ctx.signal).then(({ groups }) => {
    replace(
      groupsBox,
      ...groups.map((g) => {
        const c = checkbox(g.displayName, { checked: user.roles.managerScope.groups.includes(g.id), disabled });
        groupChecks.push({ id: g.id, input: c.input });
        return c.el;
      }),
    );
    if (!groups.length) replace(groupsBox, h("p", { class: "hint" }, "No groups."));
  }, () => replace(groupsBox, h("p", { class: "hint" }, "Groups could not be loaded.")));

  const msg = messageArea();
  const save = h("button", { type: "submit", class: "primary", disabled }, "Save roles");
  const form = h(
    "form",
    { class: "stack" },
    h("div", { class: "row" }, field("Organization centre", orgRole), field("Admin centre", adminRole)),
    scope,
    msg.el,
    save,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body: Partial<UserRoles> = { orgRole: orgRole.value as UserRoles["orgRole"], adminRole: adminRole.value as UserRoles["adminRole"] };
    if (adminRole.value === "manager") {
      body.managerScope = {
        permissions: perms.filter((x) => x.box.input.checked).map((x) => x.p),
        // Groups beyond the first 200 listed here stay as they were.
        groups: [
          ...user.roles.managerScope.groups.filter((id) => !groupChecks.some((g) => g.id === id)),
          ...groupChecks.filter((g) => g.input.checked).map((g) => g.id),
        ],
      };
    }
    await runAction(save, msg, () => send("PUT", `${path}/roles`, body), () => "Roles saved.");
  });
  return form;
}
