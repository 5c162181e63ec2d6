import type { Command } from "./command.ts";
import { type AuditEventJson, orgModelClient } from "./org-model-client.ts";
import { printJson, printLines, printTable } from "./output.ts";

const actorCell = (e: AuditEventJson) => (e.actor.id ? `${e.actor.kind}:${e.actor.id}` : e.actor.kind);
const targetCell = (e: AuditEventJson) => `${e.target.type}:${e.target.label ?? e.target.id ?? "-"}`;

export const auditCommand: Command = {
  words: ["audit"],
  args: ["org"],
  optionalOptions: ["actor", "target", "action", "since", "until", "limit", "cursor"],
  summary: "Show an organization's audit trail, newest first",
  details: [
    "Filters (all optional, combined with AND):",
    "  --actor <id|kind>   a SCIM token id or user id, or a kind: operator, scim-token, admin, system",
    "  --target <id>       a user id, group id, domain name or product key",
    "  --action <action>   an exact action (user.suspended) or a prefix ending in \".\" (user.)",
    "  --since <time>      ISO 8601 date or date-time, inclusive (2026-01-31, 2026-01-31T09:30:00Z)",
    "  --until <time>      ISO 8601, exclusive",
    "Paging: --limit <n> (1 to 200, default 50); the last line gives the --cursor of the next page.",
    "Use --json to see each event's details (what changed); secrets are never recorded.",
  ].join("\n"),
  async run({ io, json, args, options, client }) {
    const page = await orgModelClient(client()).listAudit(args.org!, {
      actor: options.actor,
      target: options.target,
      action: options.action,
      since: options.since,
      until: options.until,
      limit: options.limit,
      cursor: options.cursor,
    });
    if (json) return printJson(io.stdout, page);
    if (!page.events.length) return printLines(io.stdout, "No events match.");
    printTable(io.stdout, ["AT", "ACTION", "ACTOR", "TARGET"], page.events.map((e) => [e.at, e.action, actorCell(e), targetCell(e)]));
    if (page.nextCursor) printLines(io.stdout, "", `More events: run the same command with --cursor ${page.nextCursor}`);
  },
};
