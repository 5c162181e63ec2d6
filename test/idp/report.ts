import type { ReplayResult } from "../../server/idp-replay/index.ts";

/** The failing steps of a replay, each with what differed: empty when every step passed. */
export function formatFailures(result: ReplayResult): string {
  return result.steps
    .filter((s) => !s.passed)
    .map((s) =>
      [
        `✗ ${s.index}. ${s.name} — ${s.method} ${s.path} → ${s.status ?? "no response"} (expected ${s.expectedStatus})`,
        ...(s.error ? [`    ${s.error}`] : []),
        ...(s.serverDetail ? [`    server said: ${s.serverDetail}`] : []),
        ...s.differences.map((d) => `    ${d.path}: expected ${d.expected}, got ${d.actual}`),
      ].join("\n"),
    )
    .join("\n");
}
