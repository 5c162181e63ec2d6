import type { Command } from "./command.ts";
import { type DomainJson, orgModelClient } from "./org-model-client.ts";
import { printJson, printLines, printTable, safe } from "./output.ts";

const publishHint = (d: DomainJson) => [
  "To verify it, publish this DNS TXT record, then run `scim-gate domains verify`:",
  `  name:   ${safe(d.txt.name)}`,
  `  value:  ${safe(d.txt.value)}`,
];

export const domainsCommands: Command[] = [
  {
    words: ["domains", "add"],
    args: ["org", "name"],
    optionalOptions: ["verified"],
    summary: "Claim an email domain for an organization",
    details: [
      "Users are provisioned only with sign-in addresses in the organization's verified domains.",
      "Without --verified the domain is pending and the TXT record that proves ownership is",
      "printed. --verified marks it verified at once, without DNS proof: only for a domain whose",
      "ownership you have checked yourself.",
    ].join("\n"),
    async run({ io, json, args, options, client }) {
      const d = await orgModelClient(client()).addDomain(args.org!, args.name!, options.verified === "true");
      if (json) return printJson(io.stdout, d);
      printLines(io.stdout, `Added domain ${safe(d.name)} (${d.status})`, ...(d.status === "pending" ? publishHint(d) : []));
    },
  },
  {
    words: ["domains", "list"],
    args: ["org"],
    summary: "List an organization's domains and their status",
    details: "Pending domains show the TXT record still to publish (`--json` for the full documents).",
    async run({ io, json, args, client }) {
      const { domains } = await orgModelClient(client()).listDomains(args.org!);
      if (json) return printJson(io.stdout, { domains });
      if (!domains.length) return printLines(io.stdout, `No domains for organization ${args.org}.`);
      printTable(
        io.stdout,
        ["NAME", "STATUS", "VERIFIED", "TXT RECORD"],
        domains.map((d) => [d.name, d.status, d.verifiedAt ?? "-", d.status === "pending" ? `${d.txt.name} = ${d.txt.value}` : "-"]),
      );
    },
  },
  {
    words: ["domains", "verify"],
    args: ["org", "name"],
    summary: "Check a pending domain's DNS TXT record and verify it",
    details: "Fails, changing nothing, when the record is not found; the message says what was seen.",
    async run({ io, json, args, client }) {
      const d = await orgModelClient(client()).verifyDomain(args.org!, args.name!);
      if (json) return printJson(io.stdout, d);
      printLines(io.stdout, `Domain ${safe(d.name)} is verified (since ${d.verifiedAt ?? "now"})`);
    },
  },
  {
    words: ["domains", "remove"],
    args: ["org", "name"],
    summary: "Remove a domain from an organization",
    details: "Refused while users have a sign-in address that no other verified domain covers.",
    async run({ io, json, args, client }) {
      await orgModelClient(client()).removeDomain(args.org!, args.name!);
      if (json) return printJson(io.stdout, { name: args.name, removed: true });
      printLines(io.stdout, `Removed domain ${safe(args.name!)}`);
    },
  },
];
