import { parseArgs } from "node:util";
import { adminClient } from "./admin-client.ts";
import { auditCommand } from "./audit-commands.ts";
import type { Command, CommandContext, CommandOption } from "./command.ts";
import { domainsCommands } from "./domains-commands.ts";
import { groupsCommands } from "./groups-commands.ts";
import { commandHelp, DEFAULT_URL, groupHelp, overallHelp } from "./help.ts";
import { CliFailure, type CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "./io.ts";
import { importCommands } from "./import-command.ts";
import { migrateCommand } from "./migrate-command.ts";
import { orgsCommands } from "./orgs-commands.ts";
import { printJson } from "./output.ts";
import { replayCommand } from "./replay-command.ts";
import { productsCommands } from "./products-commands.ts";
import { samlCommands } from "./saml-commands.ts";
import { tokensCommands } from "./tokens-commands.ts";
import { usersCommands } from "./users-commands.ts";

export const COMMANDS: Command[] = [
  ...orgsCommands,
  ...tokensCommands,
  ...usersCommands,
  ...groupsCommands,
  ...domainsCommands,
  ...samlCommands,
  ...productsCommands,
  auditCommand,
  ...importCommands,
  replayCommand,
  migrateCommand,
];

// One option table for the whole command line, so global options may come
// before or after the command; command options are checked per command below.
const OPTIONS = {
  url: { type: "string" },
  "admin-token": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  label: { type: "string" },
  q: { type: "string" },
  status: { type: "string" },
  product: { type: "string" },
  group: { type: "string" },
  role: { type: "string" },
  cursor: { type: "string" },
  limit: { type: "string" },
  "org-role": { type: "string" },
  "admin-role": { type: "string" },
  "manager-groups": { type: "string" },
  "manager-permissions": { type: "string" },
  set: { type: "string" },
  verified: { type: "boolean" },
  seats: { type: "string" },
  actor: { type: "string" },
  target: { type: "string" },
  action: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  out: { type: "string" },
  paste: { type: "string" },
  preview: { type: "boolean" },
  token: { type: "string" },
  domain: { type: "string" },
} as const satisfies Record<string, { type: "string" | "boolean"; short?: string }>;

const COMMAND_OPTIONS = Object.keys(OPTIONS).filter(
  (o) => !["url", "admin-token", "json", "help"].includes(o),
) as CommandOption[];

/** The operator CLI: runs one command and returns its exit status. Never exits, never reads process.env. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let json = argv.includes("--json"); // known before parsing, so a parse error can be reported as JSON too
  try {
    const { values, positionals } = parseCommandLine(argv);
    json = values.json === true;
    const asksHelp = values.help === true || positionals[0] === "help";
    const words = positionals[0] === "help" ? positionals.slice(1) : positionals;

    if (!words.length) {
      if (!asksHelp) throw new UsageError("no command given");
      io.stdout.write(overallHelp(COMMANDS));
      return EXIT_OK;
    }
    const command = findCommand(words, asksHelp, io);
    if (!command) return EXIT_OK; // group help was printed
    if (asksHelp) {
      io.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    await command.run(contextFor(command, words.slice(command.words.length), values, json, io));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      report(io, json, { error: "usage", message: e.message }, `Run "scim-gate ${e.helpFor ? `${e.helpFor} ` : ""}--help" for usage.`);
      return EXIT_USAGE;
    }
    if (e instanceof CliFailure) {
      report(io, json, { error: e.code, message: e.message, ...(e.status === undefined ? {} : { status: e.status }) });
      return EXIT_FAILED;
    }
    throw e;
  }
}

type Values = ReturnType<typeof parseCommandLine>["values"];

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // node:util reports bad options as TypeErrors with ERR_PARSE_ARGS_* codes.
    if (String((e as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")) throw new UsageError((e as Error).message);
    throw e;
  }
}

/** The command the words name; undefined after printing a group's help (`scim-gate orgs --help`). */
function findCommand(words: string[], asksHelp: boolean, io: CliIo): Command | undefined {
  const command = COMMANDS.find((c) => c.words.every((w, i) => words[i] === w));
  if (command) return command;
  const group = words[0]!;
  const isGroup = COMMANDS.some((c) => c.words.length > 1 && c.words[0] === group);
  if (!isGroup) throw new UsageError(`unknown command "${group}"`);
  if (words.length === 1 && asksHelp) {
    io.stdout.write(groupHelp(group, COMMANDS));
    return undefined;
  }
  const sub = COMMANDS.filter((c) => c.words[0] === group).map((c) => c.words[1]).join(", ");
  if (words.length === 1) throw new UsageError(`"${group}" needs a command: ${sub}`, group);
  throw new UsageError(`unknown command "${group} ${words[1]}" (expected one of: ${sub})`, group);
}

function contextFor(command: Command, rest: string[], values: Values, json: boolean, io: CliIo): CommandContext {
  const name = command.words.join(" ");
  if (rest.length < command.args.length) throw new UsageError(`missing <${command.args[rest.length]}>`, name);
  const positionals = [...command.args, ...(command.optionalArgs ?? [])];
  if (rest.length > positionals.length) throw new UsageError(`unexpected argument "${rest[positionals.length]}"`, name);
  const options: CommandContext["options"] = {};
  for (const option of COMMAND_OPTIONS) {
    const given = values[option];
    const value = typeof given === "boolean" ? String(given) : given;
    const required = command.options?.includes(option) ?? false;
    const accepted = required || (command.optionalOptions?.includes(option) ?? false);
    if (value !== undefined && !accepted) throw new UsageError(`--${option} does not apply to "${name}"`, name);
    if (required && !value?.trim()) throw new UsageError(`--${option} <${option}> is required`, name);
    if (value !== undefined) options[option] = value;
  }
  return {
    io,
    json,
    args: Object.fromEntries(positionals.slice(0, rest.length).map((a, i) => [a, rest[i]!])),
    options,
    client: () => adminClient({ baseUrl: serverUrl(values, io), adminToken: adminToken(values, io), fetch: io.fetch }),
    serverUrl: () => serverUrl(values, io),
  };
}

/** --url, else SCIM_GATE_URL, else the server's default address; an empty variable counts as unset. */
function serverUrl(values: Values, io: CliIo): string {
  const raw = values.url ?? (io.env.SCIM_GATE_URL?.trim() || DEFAULT_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--url must be an http(s) URL, got "${raw}"`);
  return url.href.replace(/\/+$/, "");
}

function adminToken(values: Values, io: CliIo): string {
  const token = values["admin-token"] ?? io.env.ADMIN_TOKEN;
  if (!token) throw new UsageError("no admin token: set ADMIN_TOKEN to the server's operator token (or pass --admin-token)");
  return token;
}

function report(io: CliIo, json: boolean, error: { error: string; message: string; status?: number }, hint?: string): void {
  if (json) return printJson(io.stderr, error);
  const status = error.status === undefined ? "" : ` (HTTP ${error.status})`;
  io.stderr.write(`scim-gate: ${error.message}${status}\n${hint ? `${hint}\n` : ""}`);
}
