import type { AdminClient } from "./admin-client.ts";

import type { AuditEventJson, DomainJson, GroupJson, ProductJson, UserDetailJson, UserJson } from "../http/admin-api-json.ts";

export type { AuditEventJson, DomainJson, GroupJson, ProductJson, UserDetailJson, UserJson };

export interface RolesInput {
  orgRole?: string;
  adminRole?: string;
  managerScope?: { groups: string[]; permissions: string[] };
}

type Params = Record<string, string | undefined>;

/** Typed calls over the operator API client; empty parameters are left out of the query string. */
export function orgModelClient(client: AdminClient) {
  const { request } = client;
  const org = (id: string) => `/orgs/${encodeURIComponent(id)}`;
  const user = (orgId: string, id: string) => `${org(orgId)}/users/${encodeURIComponent(id)}`;
  const group = (orgId: string, id: string) => `${org(orgId)}/groups/${encodeURIComponent(id)}`;
  const domain = (orgId: string, name: string) => `${org(orgId)}/domains/${encodeURIComponent(name)}`;
  return {
    listUsers: (orgId: string, params: Params) =>
      request<{ users: UserJson[]; nextCursor: string | null }>("GET", `${org(orgId)}/users${query(params)}`),
    getUser: (orgId: string, id: string) => request<UserDetailJson>("GET", user(orgId, id)),
    suspendUser: (orgId: string, id: string) => request<UserJson>("POST", `${user(orgId, id)}/suspend`),
    restoreUser: (orgId: string, id: string) => request<UserJson>("POST", `${user(orgId, id)}/restore`),
    deleteUser: (orgId: string, id: string) => request<void>("DELETE", user(orgId, id)),
    setRoles: (orgId: string, id: string, roles: RolesInput) => request<UserJson>("PUT", `${user(orgId, id)}/roles`, roles),

    listGroups: (orgId: string, params: Params) =>
      request<{ groups: GroupJson[]; nextCursor: string | null }>("GET", `${org(orgId)}/groups${query(params)}`),
    getGroupProducts: (orgId: string, id: string) => request<{ products: string[] }>("GET", `${group(orgId, id)}/products`),
    setGroupProducts: (orgId: string, id: string, products: string[]) =>
      request<{ products: string[] }>("PUT", `${group(orgId, id)}/products`, { products }),

    addDomain: (orgId: string, name: string, verified: boolean) =>
      request<DomainJson>("POST", `${org(orgId)}/domains`, verified ? { name, verified } : { name }),
    listDomains: (orgId: string) => request<{ domains: DomainJson[] }>("GET", `${org(orgId)}/domains`),
    verifyDomain: (orgId: string, name: string) => request<DomainJson>("POST", `${domain(orgId, name)}/verify`),
    removeDomain: (orgId: string, name: string) => request<void>("DELETE", domain(orgId, name)),

    listProducts: (orgId: string) => request<{ products: ProductJson[] }>("GET", `${org(orgId)}/products`),
    setSeats: (orgId: string, key: string, seats: number) =>
      request<ProductJson>("PUT", `${org(orgId)}/products/${encodeURIComponent(key)}`, { seats }),

    listAudit: (orgId: string, params: Params) =>
      request<{ events: AuditEventJson[]; nextCursor: string | null }>("GET", `${org(orgId)}/audit${query(params)}`),
  };
}

function query(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** "a,b, c" → ["a", "b", "c"]; "" → []. */
export const listOption = (value: string | undefined): string[] =>
  (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
