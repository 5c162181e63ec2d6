import { ApiError, errorOf, send } from "../api.ts";
import { h } from "../dom.ts";
import { field } from "../ui/kit.ts";
import { errorText, messageArea } from "../ui/notice.ts";

export interface SignInOptions {
  /** Where to go afterwards (a console path). */
  next: string;
  onOperatorSignedIn(next: string): Promise<void>;
}

/**
 * Two ways in: an organization's administrators through their SAML identity
 * provider (found from the email address's verified domain), and the
 * server's operator with ADMIN_TOKEN, for bootstrapping.
 */
export function signInPage({ next, onOperatorSignedIn }: SignInOptions): HTMLElement {
  const returnTo = next.startsWith("/admin/") ? next : "/admin/";

  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true, placeholder: "you@company.com" });
  const ssoMsg = messageArea();
  const ssoButton = h("button", { type: "submit", class: "primary" }, "Continue with single sign-on");
  const ssoForm = h(
    "form",
    { class: "stack", "aria-labelledby": "sso-title", novalidate: true },
    h("h2", { id: "sso-title" }, "Organization administrators"),
    h("p", { class: "hint" }, "You are sent to your organization's identity provider and come back here."),
    field("Work email", email),
    ssoMsg.el,
    ssoButton,
  );
  ssoForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const address = email.value.trim();
    if (!address.includes("@")) {
      ssoMsg.show("error", "Enter your work email address, such as you@company.com.");
      email.focus();
      return;
    }
    const url = `/sso/login?email=${encodeURIComponent(address)}&returnTo=${encodeURIComponent(returnTo)}`;
    ssoButton.disabled = true;
    try {
      // Ask first without following the redirect, so "no single sign-on for
      // this address" is shown here rather than as a bare JSON page.
      const probe = await fetch(url, { redirect: "manual", credentials: "same-origin", cache: "no-store" });
      if (probe.type === "opaqueredirect" || (probe.status >= 300 && probe.status < 400)) {
        // A navigation, not a form submission: CSP form-action would block the redirect to the IdP.
        location.assign(url);
        return;
      }
      ssoMsg.show("error", errorText(await errorOf(probe)));
    } catch (err) {
      ssoMsg.error(err);
    }
    ssoButton.disabled = false;
  });

  const token = h("input", { type: "password", name: "token", autocomplete: "current-password", required: true, spellcheck: "false" });
  const opMsg = messageArea();
  const opButton = h("button", { type: "submit", class: "secondary" }, "Sign in as operator");
  const opForm = h(
    "form",
    { class: "stack", "aria-labelledby": "op-title" },
    h("h2", { id: "op-title" }, "Server operator"),
    h("p", { class: "hint" }, "For setting up the server: the ADMIN_TOKEN it was started with."),
    field("Operator token", token),
    opMsg.el,
    opButton,
  );
  opForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    opButton.disabled = true;
    try {
      await send("POST", "/session/operator", { token: token.value });
      token.value = "";
      await onOperatorSignedIn(returnTo);
    } catch (err) {
      opMsg.show("error", err instanceof ApiError && err.status === 401 ? "That token is not the operator token." : errorText(err));
      opButton.disabled = false;
      token.select();
    }
  });

  return h(
    "main",
    { id: "main", class: "signin", tabindex: "-1" },
    h("h1", null, "Sign in to scim-gate admin"),
    h("div", { class: "signin-panels" }, h("div", { class: "card" }, ssoForm), h("div", { class: "card" }, opForm)),
  );
}

export function notAdminPage(message: string, onSignOut: () => void): HTMLElement {
  return h(
    "main",
    { id: "main", class: "signin", tabindex: "-1" },
    h("h1", null, "No access to the admin console"),
    h("div", { class: "notice notice-error", role: "alert" }, message || "Your account is not an administrator of its organization."),
    h("p", null, "Ask an administrator of your organization to give you an administrator role."),
    h("button", { type: "button", class: "secondary", onclick: onSignOut }, "Sign out"),
  );
}
