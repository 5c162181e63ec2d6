/**
 * History routing: every console address is a real URL under /admin (the
 * server answers index.html for each), so reload, bookmarks, back and
 * forward work. Clicks on same-origin console links are turned into
 * pushState navigations; everything else (the API, downloads, SAML
 * sign-in, other sites) is left to the browser.
 */
export type Params = Record<string, string>;

export interface Match<T> {
  value: T;
  params: Params;
}

/** Routes as "/admin/orgs/:org/users/:id"; a ":name" segment matches one non-empty segment. */
export function matchRoute<T>(routes: readonly (readonly [string, T])[], pathname: string): Match<T> | undefined {
  const parts = trimSlash(pathname).split("/");
  for (const [pattern, value] of routes) {
    const want = trimSlash(pattern).split("/");
    if (want.length !== parts.length) continue;
    const params: Params = {};
    let ok = true;
    for (const [i, w] of want.entries()) {
      const got = parts[i]!;
      if (w.startsWith(":")) {
        if (!got) ok = false;
        else params[w.slice(1)] = decodeURIComponent(got);
      } else if (w !== got) ok = false;
      if (!ok) break;
    }
    if (ok) return { value, params };
  }
  return undefined;
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);

let onChange: (() => void) | undefined;
/** The address last rendered, without its fragment: a fragment change (the skip link) is no new page. */
let rendered = "";
const here = () => location.pathname + location.search;

export function startRouter(render: () => void): void {
  onChange = () => {
    rendered = here();
    render();
  };
  window.addEventListener("popstate", () => {
    if (here() !== rendered) onChange?.();
  });
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.("a");
    if (!a || a.target || a.hasAttribute("download") || a.dataset.external !== undefined) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !isConsolePath(url.pathname)) return;
    // An in-page anchor (the skip link): the browser scrolls and moves focus itself.
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  onChange();
}

export const isConsolePath = (p: string): boolean => (p === "/admin" || p.startsWith("/admin/")) && !p.startsWith("/admin/v1/") && p !== "/admin/v1";

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else if (to !== location.pathname + location.search + location.hash) history.pushState(null, "", to);
  onChange?.();
}
