import { getJson, send } from "../api.ts";
import type { PageContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { copyable, runAction } from "../ui/actions.ts";
import { confirmDialog } from "../ui/dialog.ts";
import { dateTime } from "../ui/format.ts";
import { badge, button, checkbox, facts, field, loading, pageHeader, section, table } from "../ui/kit.ts";
import { messageArea } from "../ui/notice.ts";

interface Certificate {
  fingerprintSha256: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
}

interface SamlView {
  enabled: boolean;
  serviceProvider: { entityId: string; acsUrl: string; metadataUrl: string; loginUrl: string; nameIdFormat: string };
  identityProvider?: { entityId: string; ssoUrl: string; certificates: Certificate[] };
  allowIdpInitiated?: boolean;
  jitProvisioning?: boolean;
  clockSkewSeconds?: number;
  source?: string;
  updatedAt?: string;
}

/** SAML sign-in: our values to paste into the IdP, theirs (metadata upload or fields), and a test sign-in. */
export async function ssoPage(ctx: PageContext): Promise<void> {
  replace(ctx.root, loading());
  const view = await getJson<SamlView>(`${ctx.api}/saml`, ctx.signal);
  const sp = view.serviceProvider;
  const idp = view.identityProvider;
  const status = messageArea();
  const testHref = `/sso/${encodeURIComponent(ctx.org)}/login?returnTo=${encodeURIComponent("/admin/sso-test")}`;
  const disable = button("Turn off single sign-on", async (btn) => {
    const ok = await confirmDialog({
      title: "Turn off single sign-on?",
      message: "Nobody of this organization can sign in with SAML until it is configured again, and every signed-in session ends now.",
      confirmLabel: "Turn off",
      danger: true,
    });
    if (ok && (await runAction(btn, status, () => send("DELETE", `${ctx.api}/saml`).then(() => true)))) await ssoPage(ctx);
  }, { class: "danger", disabled: !ctx.writable });

  replace(
    ctx.root,
    pageHeader(
      "Single sign-on",
      view.enabled ? h("a", { class: "button secondary", href: testHref, "data-external": "" }, "Test sign-in") : null,
      view.enabled ? disable : null,
    ),
    status.el,
    section(
      "Our service provider values",
      h("p", { class: "hint" }, "Paste these into your identity provider's SAML application, or give it our metadata."),
      h("div", { class: "field" }, h("span", { class: "label" }, "Entity ID (audience)"), copyable("SP entity ID", sp.entityId)),
      h("div", { class: "field" }, h("span", { class: "label" }, "ACS URL (reply URL)"), copyable("ACS URL", sp.acsUrl)),
      h("div", { class: "field" }, h("span", { class: "label" }, "Sign-in URL"), copyable("Sign-in URL", sp.loginUrl)),
      h("div", { class: "field" }, h("span", { class: "label" }, "NameID format"), h("code", null, sp.nameIdFormat)),
      h("p", null, h("a", { class: "button secondary", href: `/sso/${encodeURIComponent(ctx.org)}/metadata`, download: "scim-gate-sp-metadata.xml" }, "Download SP metadata")),
    ),
    section(
      "Identity provider",
      idp
        ? [
            h("p", null, badge("Enabled", "ok"), ` Configured ${view.source === "metadata" ? "from metadata" : "from fields"}, last changed ${dateTime(view.updatedAt)}.`),
            facts([
              ["Entity ID (issuer)", h("code", null, idp.entityId)],
              ["SSO URL", h("code", null, idp.ssoUrl)],
              ["IdP-initiated sign-in", view.allowIdpInitiated ? "allowed" : "refused"],
              ["Just-in-time provisioning", view.jitProvisioning ? "on" : "off"],
              ["Clock skew", `${view.clockSkewSeconds ?? 0} s`],
            ]),
            table<Certificate>("Signing certificates", [
              { label: "Subject", cell: (c) => c.subject },
              { label: "SHA-256 fingerprint", cell: (c) => h("code", { class: "wrap" }, c.fingerprintSha256) },
              { label: "Valid until", cell: (c) => [dateTime(c.notAfter), " ", c.expired ? badge("Expired", "error") : null] },
            ], idp.certificates),
          ]
        : h("p", null, badge("Not configured", "warn"), " Nobody can sign in with SAML yet."),
    ),
    section("Upload the IdP's metadata", metadataForm(ctx, view)),
    section("Or enter the IdP's values", fieldsForm(ctx, view)),
  );
}

function optionControls(ctx: PageContext, view: SamlView) {
  const disabled = !ctx.writable;
  const idpInit = checkbox("Allow IdP-initiated sign-in (from the IdP's app dashboard)", { checked: view.allowIdpInitiated ?? false, disabled });
  const jit = checkbox("Just-in-time provisioning (create unknown users of verified domains at first sign-in)", { checked: view.jitProvisioning ?? false, disabled });
  const skew = h("input", { type: "number", min: 0, max: 600, step: 1, value: String(view.clockSkewSeconds ?? 120), disabled, class: "seats" });
  return {
    els: [idpInit.el, jit.el, field("Allowed clock skew (seconds)", skew)],
    values: () => ({ allowIdpInitiated: idpInit.input.checked, jitProvisioning: jit.input.checked, clockSkewSeconds: Number(skew.value) }),
  };
}

function metadataForm(ctx: PageContext, view: SamlView): HTMLElement {
  const file = h("input", { type: "file", accept: ".xml,application/xml,text/xml", required: true, disabled: !ctx.writable });
  const options = optionControls(ctx, view);
  const msg = messageArea();
  const save = h("button", { type: "submit", class: "primary", disabled: !ctx.writable }, "Upload and save");
  const form = h("form", { class: "stack" }, field("IdP metadata file (XML)", file), ...options.els, msg.el, save);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return msg.show("error", "Choose the metadata file your identity provider gave you.");
    const metadataXml = await chosen.text();
    if (await runAction(save, msg, () => send("PUT", `${ctx.api}/saml`, { metadataXml, ...options.values() }))) await ssoPage(ctx);
  });
  return form;
}

function fieldsForm(ctx: PageContext, view: SamlView): HTMLElement {
  const disabled = !ctx.writable;
  const idp = view.identityProvider;
  const entityId = h("input", { type: "text", required: true, value: idp?.entityId ?? "", disabled, spellcheck: "false" });
  const ssoUrl = h("input", { type: "url", required: true, value: idp?.ssoUrl ?? "", disabled, spellcheck: "false" });
  const certs = h("textarea", { rows: 6, required: true, disabled, spellcheck: "false", class: "mono", placeholder: "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----" });
  const options = optionControls(ctx, view);
  const msg = messageArea();
  const save = h("button", { type: "submit", class: "primary", disabled }, "Save");
  const form = h(
    "form",
    { class: "stack" },
    field("IdP entity ID (issuer)", entityId),
    field("IdP SSO URL (HTTP-Redirect binding)", ssoUrl),
    field("Signing certificates (PEM)", certs, "Paste one or more certificates; all of them are trusted, which allows a key rollover without an outage. Saving replaces the current ones."),
    ...options.els,
    msg.el,
    save,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const certificates = certs.value.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? (certs.value.trim() ? [certs.value.trim()] : []);
    const body = { entityId: entityId.value.trim(), ssoUrl: ssoUrl.value.trim(), certificates, ...options.values() };
    if (await runAction(save, msg, () => send("PUT", `${ctx.api}/saml`, body))) await ssoPage(ctx);
  });
  return form;
}
