/**
 * Everything the CLI touches outside itself, passed in so `runCli` runs in a
 * test exactly as in a terminal. Only main.ts binds these to the process.
 */
export interface Writer {
  write(chunk: string): unknown;
  /** True on a terminal (process.stderr has it): progress is then redrawn in place. */
  isTTY?: boolean;
}

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: Writer;
  stderr: Writer;
  fetch: typeof fetch;
}

/** Exit statuses: 0 success, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A mistake on the command line: printed with a pointer to --help, exit 2. */
export class UsageError extends Error {
  constructor(message: string, readonly helpFor: string = "") {
    super(message);
    this.name = "UsageError";
  }
}

/** The operation itself failed (server refusal, network, database): exit 1. */
export class CliFailure extends Error {
  constructor(message: string, readonly code = "failed", readonly status?: number) {
    super(message);
    this.name = "CliFailure";
  }
}
