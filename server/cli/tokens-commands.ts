import type { Command } from "./command.ts";
import { printJson, printLines, printTable, safe } from "./output.ts";

const SHOWN_ONCE =
  "Warning: this is the only time the token is shown. Store it in your identity provider now; " +
  "it cannot be retrieved later (if it is lost, revoke it and create another).";

export const tokensCommands: Command[] = [
  {
    words: ["tokens", "create"],
    args: ["org"],
    options: ["label"],
    summary: "Create a SCIM bearer token for an organization (shown once)",
    details: [
      "The label names the identity provider that will use the token, e.g. --label \"Entra ID\".",
      "The secret is printed once and stored by the server only as a hash. The warning goes",
      "to stderr, so with --json stdout is only the JSON document.",
    ].join("\n"),
    async run({ io, json, args, options, client }) {
      const created = await client().createToken(args.org!, options.label!);
      if (json) printJson(io.stdout, created);
      else {
        printLines(
          io.stdout,
          `Created SCIM token "${safe(created.label)}" for organization ${args.org}`,
          `  id:        ${created.id}`,
          `  SCIM URL:  ${created.scimUrl}`,
          `  token:     ${created.token}`,
        );
      }
      printLines(io.stderr, SHOWN_ONCE);
    },
  },
  {
    words: ["tokens", "list"],
    args: ["org"],
    summary: "List an organization's SCIM tokens (never their secrets)",
    details: "LAST USED is updated at most once a minute per token.",
    async run({ io, json, args, client }) {
      const tokens = await client().listTokens(args.org!);
      if (json) return printJson(io.stdout, { tokens });
      if (!tokens.length) return printLines(io.stdout, `No SCIM tokens for organization ${args.org}.`);
      printTable(
        io.stdout,
        ["ID", "LABEL", "CREATED", "LAST USED"],
        tokens.map((t) => [t.id, t.label, t.createdAt, t.lastUsedAt ?? "never"]),
      );
    },
  },
  {
    words: ["tokens", "revoke"],
    args: ["org", "token-id"],
    summary: "Revoke a SCIM token; the next request with it is refused",
    details: "<token-id> is the id shown by `tokens list`, not the secret.",
    async run({ io, json, args, client }) {
      await client().revokeToken(args.org!, args["token-id"]!);
      if (json) return printJson(io.stdout, { id: args["token-id"], revoked: true });
      printLines(io.stdout, `Revoked SCIM token ${args["token-id"]}`);
    },
  },
];
