import { getJson, send } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { navigate } from "../router.ts";
import { runAction } from "../ui/actions.ts";
import { dateTime } from "../ui/format.ts";
import { field, link, loading, pageHeader, section, table } from "../ui/kit.ts";
import { messageArea, notice } from "../ui/notice.ts";

interface Org {
  id: string;
  name: string;
  createdAt: string;
}

/** The operator's start page: every organization of the server, and a form to create one. */
export async function orgsPage(ctx: PageContext): Promise<void> {
  const list = h("div", null, loading());
  const parts: HTMLElement[] = [pageHeader("Organizations"), section("Choose an organization", list)];
  if (ctx.session.kind === "operator") parts.push(createForm(ctx));
  replace(ctx.root, ...parts);
  const { orgs } = await getJson<{ orgs: Org[] }>("/orgs", ctx.signal);
  replace(
    list,
    table<Org>("Organizations", [
      { label: "Name", cell: (o) => link(`/admin/orgs/${encodeURIComponent(o.id)}/users`, o.name) },
      { label: "Id", cell: (o) => h("code", null, o.id) },
      { label: "Created", cell: (o) => dateTime(o.createdAt) },
    ], orgs, { empty: "No organizations yet: create the first one below." }),
  );
  if (ctx.session.kind === "admin" && orgs.length === 0) replace(list, notice("info", "Your session has no organization."));
}

function createForm(ctx: PageContext): HTMLElement {
  const name = h("input", { type: "text", required: true, maxlength: 200 });
  const msg = messageArea();
  const submit = h("button", { type: "submit", class: "primary", disabled: !ctx.writable }, "Create organization");
  const form = h("form", { class: "inline-form" }, field("Name", name), submit, msg.el);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const org = await runAction(submit, msg, () => send<Org>("POST", "/orgs", { name: name.value.trim() }));
    if (org) navigate(`/admin/orgs/${encodeURIComponent(org.id)}/domains`);
  });
  return section("Create an organization", form);
}
