import type { AdminClient } from "./admin-client.ts";
import type { CliIo } from "./io.ts";

/** Options a command may accept beyond the global ones (each declared once in run-cli.ts). */
export type CommandOption =
  | "label"
  | "q"
  | "status"
  | "product"
  | "group"
  | "role"
  | "cursor"
  | "limit"
  | "org-role"
  | "admin-role"
  | "manager-groups"
  | "manager-permissions"
  | "set"
  | "verified"
  | "seats"
  | "actor"
  | "target"
  | "action"
  | "since"
  | "until"
  | "out"
  | "paste"
  | "preview"
  | "token"
  | "domain";

/** Options that take no value: present ("true") or absent. */
export const FLAG_OPTIONS: readonly CommandOption[] = ["verified", "preview"];

export interface CommandContext {
  io: CliIo;
  json: boolean;
  /** The command's positional arguments, already counted against `args`. */
  args: Record<string, string>;
  options: Partial<Record<CommandOption, string>>;
  /** The operator API client; fails with a usage error when no admin token is configured. */
  client(): AdminClient;
  /** --url, else SCIM_GATE_URL, else the default address (validated). */
  serverUrl(): string;
}

export interface Command {
  /** The words that select it, e.g. ["tokens", "create"]. */
  words: string[];
  /** Positional argument names, in order; all are required. */
  args: string[];
  /** Positional arguments that may be left out, after `args` (then absent from ctx.args). */
  optionalArgs?: string[];
  /** Options the command requires (a non-empty value each). */
  options?: CommandOption[];
  /** Options the command accepts but does not require; their values may be empty. */
  optionalOptions?: CommandOption[];
  summary: string;
  /** Paragraphs shown by `<command> --help` after the usage line. */
  details: string;
  run(ctx: CommandContext): Promise<void>;
}

const required = (c: Command): string[] => [...c.words, ...c.args.map((a) => `<${a}>`), ...(c.optionalArgs ?? []).map((a) => `[<${a}>]`), ...(c.options ?? []).map((o) => `--${o} <${o}>`)];

/** The full usage line: arguments, required options, then optional ones in brackets. */
export const usageOf = (c: Command): string =>
  [...required(c), ...(c.optionalOptions ?? []).map((o) => (FLAG_OPTIONS.includes(o) ? `[--${o}]` : `[--${o} <${o}>]`))].join(" ");

/** The line a command gets in a list of commands: optional options folded into "[options]". */
export const shortUsageOf = (c: Command): string => [...required(c), ...(c.optionalOptions?.length ? ["[options]"] : [])].join(" ");
