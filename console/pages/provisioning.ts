import type { ScimTokenJson } from "../../server/http/admin-api-json.ts";
import { enc, getJson, send } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { copyable, runAction } from "../ui/actions.ts";
import { confirmDialog } from "../ui/dialog.ts";
import { ago, dateTime } from "../ui/format.ts";
import { button, field, loading, pageHeader, section, table } from "../ui/kit.ts";
import { messageArea, notice } from "../ui/notice.ts";
import { requestLog } from "./scim-request-log.ts";

export type ScimToken = ScimTokenJson;

/** SCIM tokens (the secret is shown once, at creation) and the live list of recent SCIM requests. */
export async function provisioningPage(ctx: PageContext): Promise<void> {
  const tokensBox = h("div", null, loading());
  const secretBox = h("div", { "aria-live": "polite" });
  const logBox = h("div");
  replace(
    ctx.root,
    pageHeader("Provisioning"),
    h("p", { class: "hint" }, "Your identity provider pushes users and groups over SCIM 2.0 with a token from this page."),
    section("SCIM tokens", createForm(ctx, secretBox, () => void refresh()), secretBox, tokensBox),
    logBox,
  );

  let tokens: ScimToken[] = [];
  async function refresh(): Promise<void> {
    tokens = (await getJson<{ tokens: ScimToken[] }>(`${ctx.api}/scim-tokens`, ctx.signal)).tokens;
    replace(tokensBox, tokensTable(ctx, tokens, refresh));
  }
  await refresh();
  replace(logBox, requestLog(ctx, () => tokens));
}

function tokensTable(ctx: PageContext, tokens: ScimToken[], refresh: () => Promise<void>): HTMLElement {
  const msg = messageArea();
  return h(
    "div",
    null,
    msg.el,
    table<ScimToken>("SCIM tokens", [
      { label: "Label", cell: (t) => t.label },
      { label: "Created", cell: (t) => dateTime(t.createdAt) },
      { label: "Last used", cell: (t) => h("span", { title: dateTime(t.lastUsedAt) }, ago(t.lastUsedAt)) },
      {
        label: "Actions",
        cell: (t) =>
          button("Revoke", async (btn) => {
            const ok = await confirmDialog({
              title: `Revoke the token "${t.label}"?`,
              message: "The identity provider using it is refused from its next request on. This cannot be undone: a new token must be created and entered in the identity provider.",
              confirmLabel: "Revoke token",
              danger: true,
            });
            if (ok && (await runAction(btn, msg, () => send("DELETE", `${ctx.api}/scim-tokens/${enc(t.id)}`).then(() => true)))) await refresh();
          }, { class: "danger small", disabled: !ctx.writable, "aria-label": `Revoke ${t.label}` }),
      },
    ], tokens, { empty: "No tokens: create one for your identity provider." }),
  );
}

function createForm(ctx: PageContext, secretBox: HTMLElement, created: () => void): HTMLElement {
  const label = h("input", { type: "text", required: true, maxlength: 200, placeholder: "Entra ID production", disabled: !ctx.writable });
  const msg = messageArea();
  const submit = h("button", { type: "submit", class: "primary", disabled: !ctx.writable }, "Create token");
  const form = h("form", { class: "inline-form" }, field("Label", label, "Which identity provider (or environment) will use it."), submit, msg.el);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const t = await runAction(submit, msg, () => send<ScimToken & { token: string; scimUrl: string }>("POST", `${ctx.api}/scim-tokens`, { label: label.value.trim() }));
    if (!t) return;
    label.value = "";
    msg.clear();
    replace(
      secretBox,
      h(
        "div",
        { class: "secret card" },
        notice("success", `Token "${t.label}" created. Copy it now: it is shown only this once and stored only as a hash.`),
        h("div", { class: "field" }, h("span", { class: "label" }, "SCIM base URL"), copyable("SCIM base URL", t.scimUrl)),
        h("div", { class: "field" }, h("span", { class: "label" }, "Secret token"), copyable("secret token", t.token)),
        button("I have stored it", () => replace(secretBox), { class: "secondary small" }),
      ),
    );
    created();
  });
  return form;
}
