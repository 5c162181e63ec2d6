import type { Command } from "./command.ts";
import { listOption, orgModelClient } from "./org-model-client.ts";
import { printJson, printLines, printTable, safe } from "./output.ts";

export const groupsCommands: Command[] = [
  {
    words: ["groups", "list"],
    args: ["org"],
    optionalOptions: ["q", "limit", "cursor"],
    summary: "List or search an organization's groups",
    details: [
      "--q <text>   case-insensitive substring of displayName or externalId",
      "Paging: --limit <n> (1 to 200, default 50); the last line gives the --cursor of the next page.",
      "Groups are provisioned by the identity provider over SCIM; here they are read-only,",
      "except for the products assigned to them (`groups products`).",
    ].join("\n"),
    async run(ctx) {
      const { args, options, io, json } = ctx;
      const page = await orgModelClient(ctx.client()).listGroups(args.org!, { q: options.q, limit: options.limit, cursor: options.cursor });
      if (json) return printJson(io.stdout, page);
      if (!page.groups.length) return printLines(io.stdout, "No groups match.");
      printTable(
        io.stdout,
        ["ID", "NAME", "MEMBERS", "EXTERNAL ID"],
        page.groups.map((g) => [g.id, g.displayName, String(g.memberCount), g.externalId ?? "-"]),
      );
      if (page.nextCursor) printLines(io.stdout, "", `More groups: run the same command with --cursor ${page.nextCursor}`);
    },
  },
  {
    words: ["groups", "products"],
    args: ["org", "group-id"],
    optionalOptions: ["set"],
    summary: "Show, or with --set replace, the products assigned to a group",
    details: [
      "--set <keys>   comma-separated product keys; every direct, active member of the group",
      "               requests a seat of each. --set \"\" removes all of the group's products.",
      "Members beyond a product's seats wait as pending, first come first served.",
    ].join("\n"),
    async run(ctx) {
      const { args, options, io, json } = ctx;
      const api = orgModelClient(ctx.client());
      const groupId = args["group-id"]!;
      const result =
        options.set === undefined
          ? await api.getGroupProducts(args.org!, groupId)
          : await api.setGroupProducts(args.org!, groupId, listOption(options.set));
      if (json) return printJson(io.stdout, { groupId, ...result });
      const verb = options.set === undefined ? "Products of" : "Products set for";
      printLines(io.stdout, `${verb} group ${groupId}: ${safe(result.products.join(", ")) || "none"}`);
    },
  },
];
