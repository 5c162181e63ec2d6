import type { AdminClient } from "./admin-client.ts";
import type { CliIo } from "./io.ts";

/** Options a command may accept beyond the global ones. */
export type CommandOption = "label";

export interface CommandContext {
  io: CliIo;
  json: boolean;
  /** The command's positional arguments, already counted against `args`. */
  args: Record<string, string>;
  options: Partial<Record<CommandOption, string>>;
  /** The operator API client; fails with a usage error when no admin token is configured. */
  client(): AdminClient;
}

export interface Command {
  /** The words that select it, e.g. ["tokens", "create"]. */
  words: string[];
  /** Positional argument names, in order; all are required. */
  args: string[];
  options?: CommandOption[];
  summary: string;
  /** Paragraphs shown by `<command> --help` after the usage line. */
  details: string;
  run(ctx: CommandContext): Promise<void>;
}

export const usageOf = (c: Command): string =>
  [...c.words, ...c.args.map((a) => `<${a}>`), ...(c.options ?? []).map((o) => `--${o} <${o}>`)].join(" ");
