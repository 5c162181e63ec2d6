import type { Command } from "./command.ts";
import { printJson, printLines, printTable, safe } from "./output.ts";

export const orgsCommands: Command[] = [
  {
    words: ["orgs", "create"],
    args: ["name"],
    summary: "Create an organization (a tenant)",
    details: 'Quote a name with spaces: scim-gate orgs create "Acme Corp"',
    async run({ io, json, args, client }) {
      const org = await client().createOrg(args.name!);
      if (json) return printJson(io.stdout, org);
      printLines(
        io.stdout,
        `Created organization "${safe(org.name)}"`,
        `  id:       ${org.id}`,
        `  created:  ${org.createdAt}`,
        "",
        `Next, give its identity provider a SCIM token: scim-gate tokens create ${org.id} --label "Entra ID"`,
      );
    },
  },
  {
    words: ["orgs", "get"],
    args: ["org"],
    summary: "Show one organization",
    details: "<org> is the organization id printed by `orgs create` or `orgs list`.",
    async run({ io, json, args, client }) {
      const org = await client().getOrg(args.org!);
      if (json) return printJson(io.stdout, org);
      printLines(io.stdout, `id:       ${org.id}`, `name:     ${safe(org.name)}`, `created:  ${org.createdAt}`);
    },
  },
  {
    words: ["orgs", "list"],
    args: [],
    summary: "List organizations",
    details: "Oldest first.",
    async run({ io, json, client }) {
      const orgs = await client().listOrgs();
      if (json) return printJson(io.stdout, { orgs });
      if (!orgs.length) return printLines(io.stdout, "No organizations yet. Create one with: scim-gate orgs create <name>");
      printTable(io.stdout, ["ID", "NAME", "CREATED"], orgs.map((o) => [o.id, o.name, o.createdAt]));
    },
  },
];
