import { type Command, shortUsageOf, usageOf } from "./command.ts";

export const DEFAULT_URL = "http://localhost:8080";

const GLOBAL_OPTIONS = `Options:
  --url <url>            Server base URL (default: $SCIM_GATE_URL, else ${DEFAULT_URL})
  --admin-token <token>  Operator token (default: $ADMIN_TOKEN; prefer the variable:
                         command lines are visible to other users and kept in shell history)
  --json                 Machine-readable output on stdout (errors as JSON on stderr)
  -h, --help             Show help`;

const EXIT_STATUS = `Exit status: 0 success, 1 the operation failed (the server's message is printed), 2 usage error.`;

export function overallHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => shortUsageOf(c).length));
  return [
    "scim-gate: manage a scim-gate server's organizations, SCIM tokens, users, groups, domains,",
    "products and audit trail through its operator API.",
    "",
    "Usage: scim-gate [options] <command> [arguments]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${shortUsageOf(c).padEnd(width)}  ${c.summary}`),
    `  ${"help [command]".padEnd(width)}  Show help for a command`,
    "",
    GLOBAL_OPTIONS,
    "",
    EXIT_STATUS,
    'Run "scim-gate <command> --help" for details.',
    "",
  ].join("\n");
}

export function commandHelp(command: Command): string {
  return [`Usage: scim-gate ${usageOf(command)} [options]`, "", command.summary + ".", "", command.details, "", GLOBAL_OPTIONS, ""].join("\n");
}

/** Help for a command group such as `orgs`: its subcommands. */
export function groupHelp(group: string, commands: Command[]): string {
  const members = commands.filter((c) => c.words[0] === group);
  const width = Math.max(...members.map((c) => shortUsageOf(c).length));
  return [
    `Usage: scim-gate ${group} <command> [arguments] [options]`,
    "",
    "Commands:",
    ...members.map((c) => `  ${shortUsageOf(c).padEnd(width)}  ${c.summary}`),
    "",
    `Run "scim-gate ${group} <command> --help" for details.`,
    "",
  ].join("\n");
}
