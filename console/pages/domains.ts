import { enc, getJson, send } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace, uid } from "../dom.ts";
import { copyable, runAction } from "../ui/actions.ts";
import { confirmDialog } from "../ui/dialog.ts";
import { dateTime } from "../ui/format.ts";
import { badge, button, facts, field, loading, pageHeader, section } from "../ui/kit.ts";
import { messageArea } from "../ui/notice.ts";

interface Domain {
  name: string;
  status: "pending" | "verified";
  txt: { name: string; value: string };
  createdAt: string;
  verifiedAt: string | null;
}

/** Email domains: add one, publish its TXT record (copy buttons), verify it, see its status, remove it. */
export async function domainsPage(ctx: PageContext): Promise<void> {
  const list = h("div", { class: "domains" }, loading());
  replace(
    ctx.root,
    pageHeader("Domains"),
    h("p", { class: "hint" }, "Users are provisioned and sign in only with addresses in verified domains. A verified domain covers its subdomains."),
    addForm(ctx, () => void refresh()),
    list,
  );

  async function refresh(): Promise<void> {
    const { domains } = await getJson<{ domains: Domain[] }>(`${ctx.api}/domains`, ctx.signal);
    replace(list, ...(domains.length ? domains.map((d) => domainCard(ctx, d, refresh)) : [h("p", { class: "empty" }, "No domains yet.")]));
  }
  await refresh();
}

function domainCard(ctx: PageContext, d: Domain, refresh: () => Promise<void>): HTMLElement {
  const titleId = uid("d");
  const msg = messageArea();
  const path = `${ctx.api}/domains/${enc(d.name)}`;
  const verify = button("Verify", async (btn) => {
    const done = await runAction(btn, msg, () => send<Domain>("POST", `${path}/verify`));
    if (done) await refresh();
  }, { class: "primary", disabled: !ctx.writable });
  const remove = button("Remove", async (btn) => {
    const ok = await confirmDialog({
      title: `Remove ${d.name}?`,
      message: d.status === "verified"
        ? "Users can no longer be provisioned or sign in with addresses in this domain. Removal is refused while users depend on it."
        : "The pending claim and its TXT value are dropped.",
      confirmLabel: "Remove domain",
      danger: true,
    });
    if (ok && (await runAction(btn, msg, () => send("DELETE", path).then(() => true)))) await refresh();
  }, { class: "danger small", disabled: !ctx.writable });

  const body =
    d.status === "verified"
      ? facts([["Verified", dateTime(d.verifiedAt)], ["Added", dateTime(d.createdAt)]])
      : h(
          "div",
          { class: "txt-record" },
          h("p", null, "Publish this TXT record in the domain's DNS, then press Verify. DNS changes can take a few minutes to be visible."),
          h("div", { class: "field" }, h("span", { class: "label" }, "Record name (host)"), copyable(`TXT record name for ${d.name}`, d.txt.name)),
          h("div", { class: "field" }, h("span", { class: "label" }, "Type"), h("code", null, "TXT")),
          h("div", { class: "field" }, h("span", { class: "label" }, "Value"), copyable(`TXT record value for ${d.name}`, d.txt.value)),
        );
  return h(
    "section",
    { class: "card domain", "aria-labelledby": titleId, "data-domain": d.name },
    h("div", { class: "card-title" }, h("h2", { id: titleId }, d.name), d.status === "verified" ? badge("Verified", "ok") : badge("Pending verification", "warn")),
    body,
    h("div", { class: "actions" }, d.status === "pending" ? verify : null, remove),
    msg.el,
  );
}

function addForm(ctx: PageContext, added: () => void): HTMLElement {
  const name = h("input", { type: "text", required: true, placeholder: "acme.com", disabled: !ctx.writable, spellcheck: "false", autocomplete: "off" });
  const msg = messageArea();
  const submit = h("button", { type: "submit", class: "primary", disabled: !ctx.writable }, "Add domain");
  const form = h("form", { class: "inline-form" }, field("Domain name", name), submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const d = await runAction(submit, msg, () => send<Domain>("POST", `${ctx.api}/domains`, { name: name.value.trim() }), (x) => `${x.name} added: publish its TXT record below.`);
    if (d) {
      name.value = "";
      added();
    }
  });
  return section("Add a domain", form, msg.el);
}
