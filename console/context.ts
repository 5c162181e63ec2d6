import type { Params } from "./router.ts";
import type { Session } from "./session.ts";

/** What a page gets: who is signed in, the organization of the URL, and a container to fill. */
export interface PageContext {
  session: Session;
  /** The organization id of the URL ("" on pages outside an organization). */
  org: string;
  /** "/admin/orgs/<org>": the base of this organization's console links. */
  base: string;
  /** "/orgs/<org>": the base of this organization's API paths. */
  api: string;
  params: Params;
  query: URLSearchParams;
  root: HTMLElement;
  /** Aborted when the reader leaves the page: stop polling, drop late answers. */
  signal: AbortSignal;
  /** The person may change this page's section (read-only admins may not; the server refuses them anyway). */
  writable: boolean;
  /** The same for another section (e.g. "roles" on a user's page). */
  mayWrite(section: string): boolean;
}

export type Page = (ctx: PageContext) => Promise<void> | void;

/** The areas of an organization; each key is also the section whose write permission it needs (GET /admin/v1/session "permissions"). */
export const AREAS = [
  { key: "users", label: "Users" },
  { key: "groups", label: "Groups" },
  { key: "products", label: "Products & seats" },
  { key: "domains", label: "Domains" },
  { key: "sso", label: "Single sign-on" },
  { key: "provisioning", label: "Provisioning" },
  { key: "import", label: "CSV import" },
  { key: "audit", label: "Audit trail" },
] as const;

export type AreaKey = (typeof AREAS)[number]["key"];
