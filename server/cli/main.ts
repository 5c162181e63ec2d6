import { runCli } from "./run-cli.ts";

/** CLI process entry: the only place that reads process.env or calls process.exit. */
process.exit(await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, fetch }));
