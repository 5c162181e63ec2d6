import { ApiError, getJson, onSessionLost } from "./api.ts";
import { AREAS, type AreaKey, type Page, type PageContext } from "./context.ts";
import { h, replace } from "./dom.ts";
import { auditPage } from "./pages/audit.ts";
import { domainsPage } from "./pages/domains.ts";
import { groupDetailPage } from "./pages/group-detail.ts";
import { groupsPage } from "./pages/groups.ts";
import { importPage } from "./pages/import.ts";
import { orgsPage } from "./pages/orgs.ts";
import { productsPage } from "./pages/products.ts";
import { provisioningPage } from "./pages/provisioning.ts";
import { notAdminPage, signInPage } from "./pages/sign-in.ts";
import { ssoPage } from "./pages/sso.ts";
import { ssoTestPage } from "./pages/sso-test.ts";
import { userDetailPage } from "./pages/user-detail.ts";
import { usersPage } from "./pages/users.ts";
import { matchRoute, navigate, startRouter } from "./router.ts";
import { canWrite, loadSession, mayWrite, type Session, type SessionState, signOut } from "./session.ts";
import { errorText, notice } from "./ui/notice.ts";

interface RouteDef {
  page: Page;
  /** The area a page belongs to (navigation highlight, permission); none for pages outside an organization. */
  area?: AreaKey;
  title: string;
}

const ORG = "/admin/orgs/:org";
const ROUTES: (readonly [string, RouteDef])[] = [
  ["/admin/orgs", { page: orgsPage, title: "Organizations" }],
  [`${ORG}/users`, { page: usersPage, area: "users", title: "Users" }],
  [`${ORG}/users/:id`, { page: userDetailPage, area: "users", title: "User" }],
  [`${ORG}/groups`, { page: groupsPage, area: "groups", title: "Groups" }],
  [`${ORG}/groups/:id`, { page: groupDetailPage, area: "groups", title: "Group" }],
  [`${ORG}/products`, { page: productsPage, area: "products", title: "Products & seats" }],
  [`${ORG}/domains`, { page: domainsPage, area: "domains", title: "Domains" }],
  [`${ORG}/sso`, { page: ssoPage, area: "sso", title: "Single sign-on" }],
  [`${ORG}/provisioning`, { page: provisioningPage, area: "provisioning", title: "Provisioning" }],
  [`${ORG}/import`, { page: importPage, area: "import", title: "CSV import" }],
  [`${ORG}/audit`, { page: auditPage, area: "audit", title: "Audit trail" }],
];

let state: SessionState = { state: "signed-out" };
let current: AbortController | undefined;
let lastPath = "";
const orgNames = new Map<string, string>();
const app = () => document.getElementById("app")!;

export async function start(): Promise<void> {
  onSessionLost(() => {
    state = { state: "signed-out" };
    navigate(`/admin/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  });
  try {
    state = await loadSession();
  } catch (e) {
    replace(app(), h("main", { id: "main", class: "centered" }, notice("error", `The console could not start: ${errorText(e)}`)));
    return;
  }
  startRouter(render);
}

/** After signing in (operator form): read the new session and go on. */
export async function signedIn(next: string): Promise<void> {
  state = await loadSession();
  navigate(next.startsWith("/admin/") ? next : "/admin/", { replace: true });
}

function render(): void {
  current?.abort();
  current = new AbortController();
  const path = location.pathname;
  if (path === "/admin/sso-test") {
    document.title = "Sign-in test · scim-gate admin";
    const root = h("main", { id: "main", class: "signin", tabindex: "-1" });
    replace(app(), root);
    ssoTestPage(root).catch((e: unknown) => replace(root, notice("error", errorText(e))));
    return;
  }
  if (state.state === "signed-out") {
    if (path !== "/admin/sign-in") {
      navigate(`/admin/sign-in?next=${encodeURIComponent(path + location.search)}`, { replace: true });
      return;
    }
    document.title = "Sign in · scim-gate admin";
    replace(app(), signInPage({ next: new URLSearchParams(location.search).get("next") ?? "/admin/", onOperatorSignedIn: signedIn }));
    return;
  }
  if (state.state === "not-admin") {
    document.title = "No access · scim-gate admin";
    replace(app(), notAdminPage(state.message, doSignOut));
    return;
  }
  const session = state.session;
  if (path === "/admin" || path === "/admin/" || path === "/admin/sign-in") {
    navigate(home(session), { replace: true });
    return;
  }
  const found = matchRoute(ROUTES, path);
  const org = found?.params.org ?? "";
  const pageRoot = h("div", { class: "page" });
  const main = h("main", { id: "main", tabindex: "-1" }, pageRoot);
  replace(app(), shell(session, org, found?.value.area, main));
  // Not on the first page of a visit: there the skip link is the first stop for the keyboard.
  const moved = lastPath !== "" && path !== lastPath;
  lastPath = path;
  if (!found) {
    document.title = "Not found · scim-gate admin";
    replace(pageRoot, h("h1", null, "Page not found"), h("p", null, "There is no page at this address. ", h("a", { href: home(session) }, "Go to the start page")));
    return;
  }
  const def = found.value;
  document.title = `${def.title} · scim-gate admin`;
  const writable = def.area ? mayWrite(session, def.area) : session.kind === "operator";
  if (def.area && !writable && canWrite(session)) {
    pageRoot.before(h("p", { class: "section-note", role: "note" }, "Your role lets you see this section but not change it."));
  }
  const ctx: PageContext = {
    session,
    org,
    base: `/admin/orgs/${encodeURIComponent(org)}`,
    api: `/orgs/${encodeURIComponent(org)}`,
    params: found.params,
    query: new URLSearchParams(location.search),
    root: pageRoot,
    signal: current.signal,
    writable,
    mayWrite: (section) => mayWrite(session, section),
  };
  const signal = current.signal;
  Promise.resolve(def.page(ctx)).catch((e: unknown) => {
    if (signal.aborted) return;
    const gone = e instanceof ApiError && e.status === 404;
    replace(pageRoot, h("h1", null, gone ? "Not found" : def.title), notice("error", errorText(e)));
  });
  // Keyboard and screen-reader users land at the new page's content, not at the top of the old one.
  if (moved) main.focus({ preventScroll: false });
}

function home(session: Session): string {
  if (session.kind === "operator" || !session.organization) return "/admin/orgs";
  return `/admin/orgs/${encodeURIComponent(session.organization.id)}/users`;
}

function shell(session: Session, org: string, area: AreaKey | undefined, main: HTMLElement): HTMLElement[] {
  const who = session.kind === "operator" ? "Operator" : (session.user?.userName ?? "Administrator");
  const orgLabel = h("span", { class: "org-name" });
  if (org) void orgName(session, org).then((name) => (orgLabel.textContent = name));
  const header = h(
    "header",
    { class: "topbar" },
    h("a", { class: "skip-link", href: "#main" }, "Skip to content"),
    h("a", { class: "brand", href: home(session) }, "scim-gate admin"),
    org ? orgLabel : null,
    session.kind === "operator" ? h("a", { href: "/admin/orgs", class: "switch-org" }, org ? "Switch organization" : "Organizations") : null,
    h("span", { class: "spacer" }),
    h("span", { class: "who" }, who),
    h("span", { class: `access ${canWrite(session) ? "rw" : "ro"}` }, accessLabel(session)),
    h("button", { type: "button", class: "secondary small", onclick: doSignOut }, "Sign out"),
  );
  const nav = org
    ? h(
        "nav",
        { class: "sidenav", "aria-label": "Sections" },
        h(
          "ul",
          null,
          ...AREAS.map((a) =>
            h("li", null, h("a", { href: `/admin/orgs/${encodeURIComponent(org)}/${a.key}`, "aria-current": a.key === area ? "page" : undefined }, a.label)),
          ),
        ),
      )
    : null;
  const banner = canWrite(session)
    ? null
    : h("div", { class: "readonly-banner", role: "note" }, "You have read-only access: you can see everything here and change nothing.");
  return [header, banner ?? h("span", { hidden: true }), h("div", { class: "layout" }, nav, main)];
}

function accessLabel(s: Session): string {
  if (!canWrite(s)) return "Read-only";
  return s.role === "manager" ? "Manager" : "Read-write";
}

async function orgName(session: Session, org: string): Promise<string> {
  if (session.organization?.id === org) return session.organization.name;
  const known = orgNames.get(org);
  if (known) return known;
  try {
    const o = await getJson<{ name: string }>(`/orgs/${encodeURIComponent(org)}`);
    orgNames.set(org, o.name);
    return o.name;
  } catch {
    return "";
  }
}

async function doSignOut(): Promise<void> {
  try {
    await signOut();
  } catch {
    // Signed out or not, the console forgets the session; the server ends it when it can.
  }
  state = { state: "signed-out" };
  navigate("/admin/sign-in", { replace: true });
}
