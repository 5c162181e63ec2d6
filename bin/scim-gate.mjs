#!/usr/bin/env node
// Launcher for the operator CLI (server/cli/main.ts). tsx, a runtime dependency, is
// registered in this process and resolved from this file, not from the caller's
// directory, so the command works from any cwd and keeps that cwd (DATA_DIR is
// relative to it). main.ts sets the exit status.
import { register } from "tsx/esm/api";

register();
await import(new URL("../server/cli/main.ts", import.meta.url).href);
