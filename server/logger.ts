import { pino, type Logger as PinoLogger } from "pino";
import type { LogLevel } from "./config.ts";

export type Logger = PinoLogger;

/** Structured JSON logs. Secrets are redacted by path so no caller can leak one by accident. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", "*.password", "*.token", "*.secret"],
      censor: "[redacted]",
    },
  });
}
