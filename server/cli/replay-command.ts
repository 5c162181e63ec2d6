import { loadTranscript, replayTranscript, type StepResult, TranscriptError } from "../idp-replay/index.ts";
import type { Transcript } from "../idp-replay/index.ts";
import type { Command } from "./command.ts";
import { CliFailure, UsageError, type Writer } from "./io.ts";
import { printJson, printLines, safe } from "./output.ts";

/**
 * `scim-gate replay`: sends an identity provider's recorded lifecycle
 * (idp-fixtures/<provider>/transcript.json) to a SCIM endpoint with an
 * organization's token, so an operator can prove a setup before pointing the
 * real provider at it. A SCIM client only: it needs no operator token.
 */
export const replayCommand: Command = {
  words: ["replay"],
  args: ["transcript"],
  options: ["token", "domain"],
  summary: "Replay an identity provider's lifecycle against a SCIM endpoint",
  details: [
    "<transcript> is a provider name (entra-id, okta, onelogin, jumpcloud, google-workspace,",
    "ad-connector) or the path of a transcript .json file.",
    "--url is the SCIM base URL (https://scim.example.com/scim/v2; a URL without a path gets",
    "/scim/v2), --token the organization's SCIM token, --domain one of its verified domains.",
    "The replay creates, changes and deletes users and groups named <name>.<run>@<domain> in",
    "that organization; some providers never delete users (Okta), so their users stay, deactivated.",
    "Each step prints ✓ or ✗ with its status and what differed. Exit status 1 if any step failed.",
  ].join("\n"),
  async run({ io, json, args, options, serverUrl }) {
    let transcript: Transcript;
    try {
      transcript = await loadTranscript(args.transcript!);
    } catch (e) {
      if (e instanceof TranscriptError) throw new UsageError(e.message, "replay");
      throw e;
    }
    const url = scimBaseUrl(serverUrl());
    if (!json) printHeader(io.stdout, transcript, url, options.domain!);
    const result = await replayTranscript({
      transcript,
      url,
      token: options.token!,
      domain: options.domain!,
      fetch: io.fetch,
      ...(json ? {} : { onStep: (step: StepResult) => printStep(io.stdout, step) }),
    });
    if (json) printJson(io.stdout, result);
    else printLines(io.stdout, "", `${result.passed} passed, ${result.failed} failed (run ${result.run})`);
    if (result.failed > 0) {
      throw new CliFailure(`${result.failed} of ${result.steps.length} steps of ${transcript.provider} failed against ${url}`, "replay_failed");
    }
  },
};

/** The SCIM base: --url as given, or with /scim/v2 added when it names only a server. */
export function scimBaseUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/scim/v2";
  return url.href.replace(/\/+$/, "");
}

function printHeader(out: Writer, t: Transcript, url: string, domain: string): void {
  const products = Object.entries(t.requires.products ?? {});
  printLines(
    out,
    `${t.title}`,
    `  against ${url}, verified domain ${domain}`,
    `  sources: ${t.source.join(", ")}`,
    `  the organization needs: the verified domain ${domain}${products.length ? `; products ${products.map(([k, n]) => `${k} (${n} seat${n === 1 ? "" : "s"})`).join(", ")}` : ""}`,
    ...(t.omits ?? []).map((o) => `  not replayed: ${o.what} (${o.why})`),
    "",
  );
}

function printStep(out: Writer, s: StepResult): void {
  const status = s.status === undefined ? "no response" : String(s.status);
  const expected = s.status === s.expectedStatus ? "" : ` (expected ${s.expectedStatus})`;
  const lines = [`${s.passed ? "✓" : "✗"} ${String(s.index).padStart(2)}  ${s.method} ${safe(s.path)} → ${status}${expected}  ${s.name}`];
  if (s.error) lines.push(`      ${safe(s.error)}`);
  if (s.serverDetail) lines.push(`      server said: ${safe(s.serverDetail)}`);
  for (const d of s.differences) lines.push(`      ${safe(d.path)}: expected ${safe(d.expected)}, got ${safe(d.actual)}`);
  printLines(out, ...lines);
}
