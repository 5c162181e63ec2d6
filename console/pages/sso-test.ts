import { h, replace } from "../dom.ts";
import { badge, facts, link, loading, pageHeader, section } from "../ui/kit.ts";
import { notice } from "../ui/notice.ts";

interface Me {
  id: string;
  userName: string;
  organization: { id: string; name: string };
  roles: { orgRole: string; adminRole: string };
  products: { granted: string[] };
}

/**
 * Where "Test sign-in" comes back to: what the server now knows about the
 * person the identity provider vouched for (GET /me), or why there is nobody.
 * It works whoever signed in (the test account need not be an administrator),
 * so it stands outside the console's session.
 */
export async function ssoTestPage(root: HTMLElement): Promise<void> {
  replace(root, pageHeader("Sign-in test"), loading());
  const res = await fetch("/me", { credentials: "same-origin", cache: "no-store" });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    replace(root, pageHeader("Sign-in test"), notice("error", `No signed-in user: ${body.message ?? res.status}`), h("p", null, link("/admin/", "Back to the console")));
    return;
  }
  const me = (await res.json()) as Me;
  const back = link(`/admin/orgs/${encodeURIComponent(me.organization.id)}/sso`, "Back to single sign-on");
  replace(
    root,
    pageHeader("Sign-in test"),
    notice("success", `Single sign-on works: the identity provider signed in ${me.userName}.`),
    section(
      "Signed in as",
      facts([
        ["User", link(`/admin/orgs/${encodeURIComponent(me.organization.id)}/users/${encodeURIComponent(me.id)}`, me.userName)],
        ["Organization", me.organization.name],
        ["Roles", `${me.roles.orgRole} · ${me.roles.adminRole}`],
        ["Products", me.products.granted.length ? me.products.granted.join(", ") : "none"],
        ["Result", badge("Signed in", "ok")],
      ]),
    ),
    h("p", null, back),
  );
}
