/**
 * Who may do what in the admin API (/admin/v1) and console. Pure rules, no I/O.
 *
 * - The operator (ADMIN_TOKEN) may do everything, in every organization.
 * - A signed-in user of an organization gets in only with an administrator role:
 *   orgRole `admin`, or adminRole `administrator` / `super-administrator`: read-write;
 *   adminRole `manager`: read everything, write the sections of its managerScope.permissions;
 *   orgRole `admin-readonly`: read everything, write nothing.
 *   The most capable role wins when a user holds two of them.
 * - Sections are the areas of the API (`sectionOfPath`). `roles` (PUT …/users/:id/roles)
 *   is a section of its own that managers never get: a manager who could hand out
 *   roles could make anyone (a friend, a second account) an administrator.
 * - A manager's `permissions` map onto sections one for one, except that `users`
 *   also grants `import` (a CSV import creates users).
 * - A manager's `groups` (when not empty) narrow the people-facing writes: a write on
 *   a user needs that user to be a direct member of one of the groups, a write on a
 *   group needs the group to be one of them, and CSV import is not available (the
 *   users it creates belong to no group yet). Organization-wide sections (products'
 *   seats, domains, sso, provisioning) are not narrowed by groups: they have no
 *   members, and the permission itself is the grant.
 */
import type { Roles } from "./roles.ts";

export const SECTIONS = ["users", "roles", "groups", "products", "domains", "sso", "provisioning", "import", "audit"] as const;
export type Section = (typeof SECTIONS)[number];

export interface AdminAccess {
  kind: "operator" | "admin";
  /** "read-write" when the caller may write somewhere, "read-only" when nowhere. */
  access: "read-write" | "read-only";
  /** The sections the caller may write. */
  permissions: Section[];
  /** The role that granted access, for display ("operator" for the operator). */
  role: "operator" | "super-administrator" | "administrator" | "admin" | "manager" | "admin-readonly";
  /** Managers limited to some groups: their ids. Undefined means the whole organization. */
  groupScope?: string[] | undefined;
}

const ALL_WRITABLE: Section[] = SECTIONS.filter((s) => s !== "audit");

export const OPERATOR_ACCESS: AdminAccess = Object.freeze({
  kind: "operator",
  access: "read-write",
  permissions: ALL_WRITABLE,
  role: "operator",
}) as AdminAccess;

/** The access a user's roles give, or undefined when they give none (not an administrator). */
export function accessOfRoles(roles: Roles): AdminAccess | undefined {
  const full = (role: AdminAccess["role"]): AdminAccess => ({ kind: "admin", access: "read-write", permissions: [...ALL_WRITABLE], role });
  if (roles.adminRole === "super-administrator") return full("super-administrator");
  if (roles.adminRole === "administrator") return full("administrator");
  if (roles.orgRole === "admin") return full("admin");
  if (roles.adminRole === "manager") {
    const groups = roles.managerScope.groups;
    const groupScope = groups.length ? groups.map((g) => g.toLowerCase()) : undefined;
    const permissions = new Set<Section>();
    for (const p of roles.managerScope.permissions) {
      if (!isManagerSection(p)) continue;
      permissions.add(p);
      if (p === "users" && !groupScope) permissions.add("import");
    }
    permissions.delete("audit"); // the audit trail is read-only for everyone
    const list = SECTIONS.filter((s) => permissions.has(s));
    return { kind: "admin", access: list.length ? "read-write" : "read-only", permissions: list, role: "manager", groupScope };
  }
  if (roles.orgRole === "admin-readonly") return { kind: "admin", access: "read-only", permissions: [], role: "admin-readonly" };
  return undefined;
}

const MANAGER_SECTIONS = new Set<string>(["users", "groups", "products", "domains", "sso", "provisioning", "audit"]);
const isManagerSection = (p: string): p is Section => MANAGER_SECTIONS.has(p);

/** GET and HEAD read; every other method may change something. */
export const isSafeMethod = (method: string) => method === "GET" || method === "HEAD";

/** What a write under /orgs/:org touches; `path` is the part after /orgs/:org. */
export interface WriteTarget {
  section: Section | undefined;
  /** The user or group the write is about, for a manager's group scope. */
  user?: string | undefined;
  group?: string | undefined;
}

const SECTION_OF_SEGMENT: Record<string, Section> = {
  users: "users",
  groups: "groups",
  products: "products",
  domains: "domains",
  saml: "sso",
  "scim-tokens": "provisioning",
  "scim-requests": "provisioning",
  imports: "import",
  audit: "audit",
};

export function targetOfPath(path: string): WriteTarget {
  // Express matches routes case-insensitively: so must this.
  const segments = path.toLowerCase().split("/").filter(Boolean);
  const [first, id, sub] = segments;
  const section = first !== undefined && Object.hasOwn(SECTION_OF_SEGMENT, first) ? SECTION_OF_SEGMENT[first] : undefined;
  if (section === "users") return { section: sub === "roles" ? "roles" : "users", user: id };
  if (section === "groups") return { section, group: id };
  return { section };
}

export type WriteRefusal = { reason: "read_only"; message: string } | { reason: "needs_membership"; groups: string[] };

/**
 * Whether `access` may make a write on `target`. `needs_membership` means: allowed
 * only if the target user is a direct member of one of `groups` (the caller checks).
 */
export function checkWrite(access: AdminAccess, target: WriteTarget): WriteRefusal | undefined {
  if (access.kind === "operator") return undefined;
  const { section } = target;
  if (section === undefined) {
    // No known section: only a read-write administrator goes on (and the router answers it).
    return access.role === "manager" || access.access === "read-only"
      ? { reason: "read_only", message: "You may not change this" }
      : undefined;
  }
  if (!access.permissions.includes(section)) {
    return {
      reason: "read_only",
      message:
        access.access === "read-only"
          ? "Your administrator role is read-only: you can see everything here but change nothing"
          : `Your role does not allow changes to ${section}; ask an administrator`,
    };
  }
  const scope = access.groupScope;
  if (!scope) return undefined;
  if (section === "groups") {
    return target.group && scope.includes(target.group.toLowerCase())
      ? undefined
      : { reason: "read_only", message: "You manage only some groups, and this is not one of them" };
  }
  if (section === "users") {
    if (!target.user) return { reason: "read_only", message: "You manage only the members of some groups" };
    return { reason: "needs_membership", groups: scope };
  }
  return undefined;
}

/**
 * Extra rules for PUT …/users/:id/roles, beyond the `roles` section:
 * nobody changes their own roles (an administrator could not undo a mistake that
 * demotes them, and a self-promotion must need a second person), and only a super
 * administrator (or the operator) grants or revokes super administrator, or
 * changes anything about a super administrator's roles.
 */
export function roleChangeRefusal(
  caller: { kind: "operator" } | { kind: "admin"; userId: string; roles: Roles },
  target: { id: string; roles: Roles },
  requestedAdminRole: unknown,
): string | undefined {
  if (caller.kind === "operator") return undefined;
  if (caller.userId.toLowerCase() === target.id.toLowerCase()) {
    return "You cannot change your own roles; ask another administrator";
  }
  if (caller.roles.adminRole === "super-administrator") return undefined;
  if (target.roles.adminRole === "super-administrator") {
    return "Only a super administrator can change the roles of a super administrator";
  }
  if (requestedAdminRole === "super-administrator") return "Only a super administrator can grant super administrator";
  return undefined;
}

/**
 * Why an admin may not suspend, restore or delete this user, or undefined when
 * it may: the keys of the organization are a super administrator's to take, as
 * for its roles (an administrator suspending the super administrator would lock
 * it out just as surely as demoting it).
 */
export function lifecycleChangeRefusal(
  caller: { kind: "operator" } | { kind: "admin"; userId: string; roles: Roles },
  target: { roles: Roles },
): string | undefined {
  if (caller.kind === "operator" || caller.roles.adminRole === "super-administrator") return undefined;
  if (target.roles.adminRole === "super-administrator") {
    return "Only a super administrator can suspend, restore or delete a super administrator";
  }
  return undefined;
}
