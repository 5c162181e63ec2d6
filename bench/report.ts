import type { Measurement } from "./measure.ts";
import type { Metric, NotImplemented, Scenario, Target, TargetSpec } from "./scenarios.ts";

/** A series' measurements over the rounds, and their summary. */
export interface SeriesResult {
  key: string;
  label: string;
  target: Target;
  vs?: string;
  rounds: Measurement[];
  median: Record<Metric, number>;
  min: Record<Metric, number>;
  max: Record<Metric, number>;
  failures: number;
  firstFailure?: string;
}

export interface TargetResult {
  label: string;
  pass: boolean;
  /** What was compared, e.g. "0.42x (812 / 1930 req/s)". */
  detail: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  implemented: boolean;
  notImplemented?: string;
  notes: string[];
  series: SeriesResult[];
  targets: TargetResult[];
}

const METRICS: Metric[] = ["reqPerSec", "p99Ms"];

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarise(key: string, label: string, target: Target, vs: string | undefined, rounds: Measurement[]): SeriesResult {
  const pick = (f: (v: number[]) => number) => Object.fromEntries(METRICS.map((m) => [m, f(rounds.map((r) => r[m]))])) as Record<Metric, number>;
  const failed = rounds.find((r) => r.firstFailure !== undefined);
  return {
    key,
    label,
    target,
    ...(vs === undefined ? {} : { vs }),
    rounds,
    median: pick(median),
    min: pick((v) => Math.min(...v)),
    max: pick((v) => Math.max(...v)),
    failures: rounds.reduce((n, r) => n + r.non2xx + r.errors, 0),
    ...(failed?.firstFailure === undefined ? {} : { firstFailure: failed.firstFailure }),
  };
}

export function judge(scenario: Scenario, series: SeriesResult[]): TargetResult[] {
  const byKey = new Map(series.map((s) => [s.key, s]));
  return scenario.targets.map((t: TargetSpec) => {
    const s = byKey.get(t.series);
    const unit = t.metric === "reqPerSec" ? "req/s" : "ms p99";
    if (!s) return { label: t.label, pass: false, detail: `series ${t.series} missing` };
    const value = s.median[t.metric];
    // A series whose requests failed measured error answers, not the work: never a PASS.
    const failed = s.failures > 0 ? ` (${s.failures} failed requests)` : "";
    if (t.kind === "atMost") return { label: t.label, pass: !failed && value <= t.value, detail: `${fmt(value)} ${unit}${failed}` };
    const ref = byKey.get(t.vs ?? "")?.median[t.metric];
    if (ref === undefined || ref === 0) return { label: t.label, pass: false, detail: `no reference figure` };
    const ratio = value / ref;
    const pass = !failed && (t.kind === "ratioAtLeast" ? ratio >= t.value : ratio <= t.value);
    return { label: t.label, pass, detail: `${ratio.toFixed(2)}x (${fmt(value)} / ${fmt(ref)} ${unit})${failed}` };
  });
}

export function notImplemented(n: NotImplemented): ScenarioResult {
  return { id: n.id, title: n.title, implemented: false, notImplemented: n.notImplemented, notes: [], series: [], targets: [] };
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en") : n.toFixed(1);
}

function range(s: SeriesResult, m: Metric): string {
  return s.rounds.length > 1 ? `${fmt(s.median[m])} (${fmt(s.min[m])}–${fmt(s.max[m])})` : fmt(s.median[m]);
}

function ratio(s: SeriesResult, all: SeriesResult[], m: Metric): string {
  const ref = all.find((r) => r.key === s.vs);
  if (!ref || !ref.median[m]) return "";
  return `${(s.median[m] / ref.median[m]).toFixed(2)}x`;
}

/** The table printed at the end: one line per series, then the targets. */
export function renderTable(results: ScenarioResult[]): string {
  const rows: string[][] = [["#", "series", "req/s median (min–max)", "ratio", "p99 ms median (min–max)", "ratio", "failed"]];
  for (const r of results) {
    if (!r.implemented) {
      rows.push([r.id, `${r.title}: ${r.notImplemented}`, "", "", "", "", ""]);
      continue;
    }
    rows.push([r.id, r.title, "", "", "", "", ""]);
    for (const s of r.series) {
      rows.push(["", `  ${s.label}`, range(s, "reqPerSec"), ratio(s, r.series, "reqPerSec"), range(s, "p99Ms"), ratio(s, r.series, "p99Ms"), String(s.failures)]);
    }
  }
  // Header and series lines are columns; scenario titles run across the whole line.
  const isColumns = (row: string[]) => row[0] === "#" || row[0] === "";
  const widths = rows[0]!.map((_, i) => Math.max(...rows.filter(isColumns).map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    isColumns(row) ? row.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ") : `${row[0]}  ${row[1]}`;
  const out = rows.map(line);
  out.push("", "Targets (ratios of medians from this run):");
  for (const r of results) for (const t of r.targets) out.push(`  ${t.pass ? "PASS" : "MISS"}  ${t.label}: ${t.detail}`);
  for (const r of results) {
    for (const n of r.notes) out.push(`  note (${r.id}): ${n}`);
    for (const s of r.series) if (s.firstFailure) out.push(`  failures (${r.id}, ${s.label}): first was ${s.firstFailure}`);
  }
  return out.join("\n");
}

/** Scenario 7: the server's peak resident memory over the whole run (load, every scenario). */
export function rssResult(serverMb: number | undefined, baselineMb: number | undefined, targetMb: number): ScenarioResult {
  const pass = serverMb !== undefined && serverMb < targetMb;
  return {
    id: "7",
    title: `Peak RSS over the run (VmHWM): server ${serverMb ?? "not measured"} MB, baseline ${baselineMb ?? "not measured"} MB`,
    implemented: true,
    notes: [],
    series: [],
    targets: [{ label: `peak server RSS < ${targetMb} MB`, pass, detail: `${serverMb ?? "not measured"} MB` }],
  };
}
