/**
 * Where each SCIM attribute lives in the schema of
 * schema/migrations/2026-11-21-0001-scim-core.ts: indexed columns for the
 * attributes identity providers search by, child tables for emails and
 * memberships, and the `resource` jsonb (keyed by canonical scimmy names,
 * extensions under their schema URN) for everything else.
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";
import { ADMIN_ROLE_VALUES, ORG_ROLE_VALUES } from "../../domain/roles.ts";
import { SCIMGATE_USER_SCHEMA } from "../schemas.ts";
import { invalidFilter } from "../scim-error.ts";
import type { Attribute, ResolvedAttribute, ResourceKind } from "./attribute-catalog.ts";
import { type Scalar, col, jsonKey, presentSql } from "./sql-scalar.ts";

export interface QueryContext {
  kind: ResourceKind;
  /** Alias of the users or groups table in the caller's query. */
  alias: string;
  /** A fresh alias for a correlated subquery, distinct from the caller's. */
  nextAlias(): string;
}

/** One element of a complex value (one email row, one jsonb array element, the `name` object). */
export interface Element {
  sub(attr: Attribute, path: string): Scalar;
  /** The element itself, for multi-valued simple attributes (no sub-attributes). */
  self?: Scalar;
}

export type Source =
  | { kind: "scalar"; scalar: Scalar }
  | { kind: "object"; element: Element; present: RawBuilder<SqlBool> }
  | {
      kind: "collection";
      element: Element;
      /** EXISTS an element satisfying `cond` (RFC 7644 §3.4.2.2: any value matches). */
      some(cond: RawBuilder<SqlBool>): RawBuilder<SqlBool>;
      /** The primary element's value, else the first one's (RFC 7644 §3.4.2.3). */
      first(value: RawBuilder<unknown>): RawBuilder<unknown>;
    };

const notStored = (path: string, instead: string): never => {
  throw invalidFilter(`"${path}" is not stored in a searchable form; use ${instead}`);
};

/** A correlated set of rows: `from` must end in a WHERE clause that ties it to the outer row. */
function collection(from: RawBuilder<unknown>, order: RawBuilder<unknown>, element: Element): Source {
  return {
    kind: "collection",
    element,
    some: (cond) => sql<SqlBool>`exists (select 1 ${from} and (${cond}))`,
    first: (value) => sql`(select ${value} ${from} order by ${order} limit 1)`,
  };
}

function jsonbSource(ctx: QueryContext, r: ResolvedAttribute): Source {
  const root = sql.ref(`${ctx.alias}.resource`) as RawBuilder<unknown>;
  const node = jsonKey(r.schema.extension ? jsonKey(root, r.schema.urn) : root, r.attr.name);
  const complex = r.attr.type === "complex";
  if (!r.attr.config.multiValued) {
    if (!complex) return { kind: "scalar", scalar: { kind: "jsonb", expr: node } };
    const sub = (a: Attribute): Scalar => ({ kind: "jsonb", expr: jsonKey(node, a.name) });
    return { kind: "object", element: { sub }, present: presentSql({ kind: "jsonb", expr: node }) };
  }
  const a = ctx.nextAlias();
  const el = sql.ref(`${a}.e`) as RawBuilder<unknown>;
  // A stored non-array (which coercion should never produce) reads as empty, not as an error.
  const from = sql`from jsonb_array_elements(case when jsonb_typeof(${node}) = 'array' then ${node} else '[]'::jsonb end) with ordinality as ${sql.id(a)}(e, n) where true`;
  const order = complex ? sql`coalesce(${el} -> 'primary' = 'true'::jsonb, false) desc, ${sql.ref(`${a}.n`)}` : sql.ref(`${a}.n`);
  const sub = (s: Attribute): Scalar => ({ kind: "jsonb", expr: jsonKey(el, s.name) });
  return collection(from, order, complex ? { sub } : { sub, self: { kind: "jsonb", expr: el } });
}

function userEmails(ctx: QueryContext): Source {
  const a = ctx.nextAlias();
  const from = sql`from user_emails as ${sql.id(a)} where ${sql.ref(`${a}.org_id`)} = ${sql.ref(`${ctx.alias}.org_id`)} and ${sql.ref(`${a}.user_id`)} = ${sql.ref(`${ctx.alias}.id`)}`;
  const subs: Record<string, Scalar> = {
    value: col("text", `${a}.value`),
    type: col("text", `${a}.type`),
    primary: col("bool", `${a}.is_primary`),
  };
  const sub = (s: Attribute, path: string) => subs[s.name] ?? notStored(path, "emails.value, emails.type or emails.primary");
  return collection(from, sql`${sql.ref(`${a}.is_primary`)} desc, ${sql.ref(`${a}.position`)}`, { sub });
}

/** User.groups: direct memberships only (group_members rows whose member is this user). */
function userGroups(ctx: QueryContext): Source {
  const a = ctx.nextAlias();
  const g = ctx.nextAlias();
  const from = sql`from group_members as ${sql.id(a)} join groups as ${sql.id(g)} on ${sql.ref(`${g}.org_id`)} = ${sql.ref(`${a}.org_id`)} and ${sql.ref(`${g}.id`)} = ${sql.ref(`${a}.group_id`)} where ${sql.ref(`${a}.org_id`)} = ${sql.ref(`${ctx.alias}.org_id`)} and ${sql.ref(`${a}.member_id`)} = ${sql.ref(`${ctx.alias}.id`)} and ${sql.ref(`${a}.member_type`)} = 'User'`;
  const subs: Record<string, Scalar> = {
    value: col("uuid", `${a}.group_id`),
    display: col("text", `${g}.display_name`),
    type: { kind: "const", value: "direct" },
  };
  const sub = (s: Attribute, path: string) => subs[s.name] ?? notStored(path, "groups.value or groups.display");
  return collection(from, sql`lower(${sql.ref(`${g}.display_name`)}), ${sql.ref(`${a}.group_id`)}`, { sub });
}

/**
 * User.roles: the org:* and admin:* values come from the role columns (what is
 * rendered, whoever set them: the identity provider or the admin API); the
 * other sub-attributes from the role as the provider sent it, kept in the
 * resource (scim/user-roles.ts), matched by value as renderRoles does.
 */
function userRoles(ctx: QueryContext): Source {
  const a = ctx.nextAlias();
  const s = ctx.nextAlias();
  // Column value -> SCIM value, from the one table of them (domain/roles.ts).
  const valueOf = (column: string, values: Record<string, string>) => {
    const whens = Object.entries(values).map(([k, v]) => sql`when ${sql.lit(k)} then ${sql.lit(v)}`);
    return sql`(case ${sql.ref(`${ctx.alias}.${column}`)} ${sql.join(whens, sql` `)} end)`;
  };
  const org = valueOf("org_role", ORG_ROLE_VALUES);
  const admin = valueOf("admin_role", ADMIN_ROLE_VALUES);
  const from = sql`from (values (${org}, 1), (${admin}, 2)) as ${sql.id(a)}(value, n) where true`;
  const stored = jsonKey(sql.ref(`${ctx.alias}.resource`) as RawBuilder<unknown>, "roles");
  const e = sql.ref(`${s}.e`);
  const sent = sql`(select ${e} from jsonb_array_elements(case when jsonb_typeof(${stored}) = 'array' then ${stored} else '[]'::jsonb end) as ${sql.id(s)}(e)
    where lower(trim(${e} ->> 'value')) = ${sql.ref(`${a}.value`)} limit 1)`;
  const sub = (attr: Attribute): Scalar =>
    attr.name === "value" ? col("text", `${a}.value`) : { kind: "jsonb", expr: jsonKey(sent, attr.name) };
  return collection(from, sql`coalesce(${jsonKey(sent, "primary")} = 'true'::jsonb, false) desc, ${sql.ref(`${a}.n`)}`, { sub });
}

/**
 * User.entitlements and our extension's pendingProducts: the products the user
 * holds (granted seats) or waits for, read from seat_assignments, so a filter
 * matches what is rendered (scim/user-mapping.ts) rather than what the identity
 * provider assigned: group-granted products included, a suspended user's none.
 */
function userSeats(ctx: QueryContext, status: "granted" | "pending"): Source {
  const a = ctx.nextAlias();
  const from = sql`from seat_assignments as ${sql.id(a)} where ${sql.ref(`${a}.org_id`)} = ${sql.ref(`${ctx.alias}.org_id`)}
    and ${sql.ref(`${a}.user_id`)} = ${sql.ref(`${ctx.alias}.id`)} and ${sql.ref(`${a}.status`)} = ${status}`;
  const key = col("text", `${a}.product_key`);
  if (status === "pending") {
    // Simple multi-valued: compared as itself, in queue order.
    return collection(from, sql.ref(`${a}.requested_at`), { sub: (_s, path) => notStored(path, "pendingProducts"), self: key });
  }
  const sub = (s: Attribute, path: string) => (s.name === "value" ? key : notStored(path, "entitlements.value"));
  return collection(from, sql.ref(`${a}.product_key`), { sub });
}

function groupMembers(ctx: QueryContext): Source {
  const a = ctx.nextAlias();
  const from = sql`from group_members as ${sql.id(a)} where ${sql.ref(`${a}.org_id`)} = ${sql.ref(`${ctx.alias}.org_id`)} and ${sql.ref(`${a}.group_id`)} = ${sql.ref(`${ctx.alias}.id`)}`;
  const subs: Record<string, Scalar> = { value: col("uuid", `${a}.member_id`), type: col("text", `${a}.member_type`) };
  const sub = (s: Attribute, path: string) => subs[s.name] ?? notStored(path, "members.value or members.type");
  return collection(from, sql`${sql.ref(`${a}.created_at`)}, ${sql.ref(`${a}.member_id`)}`, { sub });
}

function meta(ctx: QueryContext): Source {
  const subs: Record<string, Scalar> = {
    resourceType: { kind: "const", value: ctx.kind },
    created: col("timestamptz", `${ctx.alias}.created_at`),
    lastModified: col("timestamptz", `${ctx.alias}.updated_at`),
  };
  const sub = (s: Attribute, path: string) => subs[s.name] ?? notStored(path, "meta.created, meta.lastModified or meta.resourceType");
  return { kind: "object", element: { sub }, present: sql`true` };
}

const USER_COLUMNS: Record<string, [Scalar["kind"] & ("text" | "uuid" | "bool"), string]> = {
  id: ["uuid", "id"],
  userName: ["text", "user_name"],
  externalId: ["text", "external_id"],
  displayName: ["text", "display_name"],
  active: ["bool", "active"],
};
const GROUP_COLUMNS: typeof USER_COLUMNS = {
  id: ["uuid", "id"],
  displayName: ["text", "display_name"],
  externalId: ["text", "external_id"],
};

/** The storage of a top-level attribute (sub-attributes are reached through the returned Source). */
export function sourceFor(ctx: QueryContext, r: ResolvedAttribute): Source {
  if (!r.schema.extension) {
    const column = (ctx.kind === "User" ? USER_COLUMNS : GROUP_COLUMNS)[r.attr.name];
    if (column) return { kind: "scalar", scalar: col(column[0], `${ctx.alias}.${column[1]}`) };
    if (r.attr.name === "meta") return meta(ctx);
    if (ctx.kind === "User" && r.attr.name === "emails") return userEmails(ctx);
    if (ctx.kind === "User" && r.attr.name === "groups") return userGroups(ctx);
    if (ctx.kind === "User" && r.attr.name === "entitlements") return userSeats(ctx, "granted");
    if (ctx.kind === "User" && r.attr.name === "roles") return userRoles(ctx);
    if (ctx.kind === "Group" && r.attr.name === "members") return groupMembers(ctx);
  }
  if (ctx.kind === "User" && r.schema.urn === SCIMGATE_USER_SCHEMA && r.attr.name === "pendingProducts") {
    return userSeats(ctx, "pending");
  }
  return jsonbSource(ctx, r);
}
