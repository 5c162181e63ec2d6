import type { Command, CommandContext } from "./command.ts";
import { listOption, orgModelClient, type RolesInput, type UserJson } from "./org-model-client.ts";
import { printJson, printLines, printTable, safe } from "./output.ts";

const nextPageHint = (cursor: string | null) =>
  cursor ? ["", `More users: run the same command with --cursor ${cursor}`] : [];

const productsCell = (u: UserJson) =>
  [...u.products.granted, ...u.products.pending.map((p) => `${p} (pending)`)].join(", ") || "-";

/** One user, as the write commands print it after the change. */
function printUser(ctx: CommandContext, verb: string, u: UserJson): void {
  if (ctx.json) return printJson(ctx.io.stdout, u);
  printLines(
    ctx.io.stdout,
    `${verb} ${safe(u.userName)} (${u.id})`,
    `  status:    ${u.active ? "active" : "suspended"}`,
    `  roles:     ${u.roles.orgRole} / ${u.roles.adminRole}${scopeText(u)}`,
    `  products:  ${safe(productsCell(u))}`,
  );
}

function scopeText(u: UserJson): string {
  const { groups, permissions } = u.roles.managerScope;
  if (u.roles.adminRole !== "manager") return "";
  return ` (groups: ${groups.join(", ") || "none"}; permissions: ${permissions.join(", ") || "none"})`;
}

export const usersCommands: Command[] = [
  {
    words: ["users", "list"],
    args: ["org"],
    optionalOptions: ["q", "status", "product", "group", "role", "limit", "cursor"],
    summary: "List or search an organization's users",
    details: [
      "Filters (all optional, combined with AND):",
      "  --q <text>         case-insensitive substring of userName, displayName or an email address",
      "  --status <status>  active or suspended",
      "  --product <key>    users holding a seat of the product (waiting for one does not count)",
      "  --group <id>       direct members of the group",
      "  --role <role>      an organization role (admin, admin-readonly, user) or an admin role",
      "                     (member, manager, administrator, super-administrator)",
      "Paging: --limit <n> (1 to 200, default 50); the last line gives the --cursor of the next page.",
    ].join("\n"),
    async run(ctx) {
      const { args, options, io, json } = ctx;
      const page = await orgModelClient(ctx.client()).listUsers(args.org!, {
        q: options.q,
        status: options.status,
        product: options.product,
        group: options.group,
        role: options.role,
        limit: options.limit,
        cursor: options.cursor,
      });
      if (json) return printJson(io.stdout, page);
      if (!page.users.length) return printLines(io.stdout, "No users match.");
      printTable(
        io.stdout,
        ["ID", "USER NAME", "DISPLAY NAME", "STATUS", "ROLES", "PRODUCTS"],
        page.users.map((u) => [
          u.id,
          u.userName,
          u.displayName ?? "-",
          u.active ? "active" : "suspended",
          `${u.roles.orgRole}/${u.roles.adminRole}`,
          productsCell(u),
        ]),
      );
      printLines(io.stdout, ...nextPageHint(page.nextCursor));
    },
  },
  {
    words: ["users", "get"],
    args: ["org", "id"],
    summary: "Show one user: roles, products, groups and recent audit events",
    details: "<id> is the user id shown by `users list`.",
    async run(ctx) {
      const { args, io, json } = ctx;
      const u = await orgModelClient(ctx.client()).getUser(args.org!, args.id!);
      if (json) return printJson(io.stdout, u);
      printLines(
        io.stdout,
        `id:            ${u.id}`,
        `userName:      ${safe(u.userName)}`,
        `displayName:   ${safe(u.displayName ?? "-")}`,
        `status:        ${u.active ? "active" : "suspended"}`,
        `emails:        ${safe(u.emails.map((e) => `${e.value}${e.type ? ` (${e.type})` : ""}${e.primary ? " primary" : ""}`).join(", ") || "-")}`,
        `roles:         ${u.roles.orgRole} / ${u.roles.adminRole}${scopeText(u)}`,
        `products:      ${safe(productsCell(u))}`,
        `groups:        ${safe(u.groups.map((g) => g.displayName).join(", ") || "-")}`,
        `created:       ${u.createdAt}`,
        `updated:       ${u.updatedAt}`,
        "",
        "Recent events:",
      );
      if (!u.recentAuditEvents.length) return printLines(io.stdout, "  none");
      printTable(
        io.stdout,
        ["AT", "ACTION", "ACTOR"],
        u.recentAuditEvents.map((e) => [e.at, e.action, e.actor.id ? `${e.actor.kind}:${e.actor.id}` : e.actor.kind]),
      );
    },
  },
  {
    words: ["users", "suspend"],
    args: ["org", "id"],
    summary: "Suspend a user: sign-in refused, seats freed, data kept",
    details: [
      "Freed seats go at once to users waiting for them. The organization's last active",
      "super administrator cannot be suspended.",
    ].join("\n"),
    async run(ctx) {
      printUser(ctx, "Suspended", await orgModelClient(ctx.client()).suspendUser(ctx.args.org!, ctx.args.id!));
    },
  },
  {
    words: ["users", "restore"],
    args: ["org", "id"],
    summary: "Restore a suspended user; its products are requested again",
    details: "Products with no free seat wait as pending until one is freed or bought.",
    async run(ctx) {
      printUser(ctx, "Restored", await orgModelClient(ctx.client()).restoreUser(ctx.args.org!, ctx.args.id!));
    },
  },
  {
    words: ["users", "delete"],
    args: ["org", "id"],
    summary: "Delete a user, its memberships and seats",
    details: [
      "Cannot be undone here; if the identity provider still assigns the user, it will be",
      "provisioned again as a new user. The last active super administrator cannot be deleted.",
    ].join("\n"),
    async run({ io, json, args, client }) {
      await orgModelClient(client()).deleteUser(args.org!, args.id!);
      if (json) return printJson(io.stdout, { id: args.id, deleted: true });
      printLines(io.stdout, `Deleted user ${args.id}`);
    },
  },
  {
    words: ["users", "roles"],
    args: ["org", "id"],
    options: ["org-role", "admin-role"],
    optionalOptions: ["manager-groups", "manager-permissions"],
    summary: "Set a user's roles (the only way to grant super administrator)",
    details: [
      "--org-role <role>     admin, admin-readonly or user (organization centre)",
      "--admin-role <role>   member, manager, administrator or super-administrator (admin centre)",
      "--manager-groups <ids>         comma-separated group ids a manager is in charge of",
      "--manager-permissions <list>   comma-separated: users, groups, products, domains, sso,",
      "                               provisioning, audit",
      "The manager options apply only with --admin-role manager. Either one replaces the whole",
      "scope (the other becomes empty); with neither, a manager keeps its current scope.",
      "userName and emails cannot be changed here: they belong to the identity provider and",
      "change only through SCIM.",
    ].join("\n"),
    async run(ctx) {
      const { options, args } = ctx;
      const roles: RolesInput = { orgRole: options["org-role"]!, adminRole: options["admin-role"]! };
      if (options["manager-groups"] !== undefined || options["manager-permissions"] !== undefined) {
        roles.managerScope = { groups: listOption(options["manager-groups"]), permissions: listOption(options["manager-permissions"]) };
      }
      printUser(ctx, "Roles set for", await orgModelClient(ctx.client()).setRoles(args.org!, args.id!, roles));
    },
  },
];
