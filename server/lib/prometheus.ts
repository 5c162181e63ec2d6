/**
 * A tiny Prometheus registry: counters, gauges and fixed-bucket histograms,
 * rendered in the text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
 * Hand-written because we need five metrics, not a client library. One
 * registry per app, never process-wide, so two apps in one test process do
 * not share counts.
 */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Record<string, string>;
type Kind = "counter" | "gauge" | "histogram";

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly kind: Kind;
  render(): string[];
}

abstract class Labelled<V> implements Metric {
  protected readonly series = new Map<string, { labels: Labels; value: V }>();
  abstract readonly kind: Kind;
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {}

  protected entry(labels: Labels, init: () => V): { labels: Labels; value: V } {
    const ordered: Labels = {};
    for (const n of this.labelNames) {
      const v = labels[n];
      if (v === undefined) throw new Error(`metric ${this.name} needs label "${n}"`);
      ordered[n] = v;
    }
    const key = JSON.stringify(ordered);
    let e = this.series.get(key);
    if (!e) {
      e = { labels: ordered, value: init() };
      this.series.set(key, e);
    }
    return e;
  }

  /** Drops every series (for gauges recomputed from scratch at each scrape). */
  reset(): void {
    this.series.clear();
  }

  abstract render(): string[];
}

export class Counter extends Labelled<number> {
  readonly kind = "counter";
  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels, () => 0).value += by;
  }
  render(): string[] {
    return [...this.series.values()].map((e) => `${this.name}${labelText(e.labels)} ${num(e.value)}`);
  }
}

export class Gauge extends Labelled<number> {
  readonly kind = "gauge";
  set(labels: Labels, value: number): void {
    this.entry(labels, () => 0).value = value;
  }
  render(): string[] {
    return [...this.series.values()].map((e) => `${this.name}${labelText(e.labels)} ${num(e.value)}`);
  }
}

interface HistogramValue {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Labelled<HistogramValue> {
  readonly kind = "histogram";
  constructor(name: string, help: string, labelNames: readonly string[], readonly buckets: readonly number[]) {
    super(name, help, labelNames);
    if (labelNames.includes("le")) throw new Error(`histogram ${name} may not use the label "le"`);
  }
  observe(labels: Labels, value: number): void {
    const e = this.entry(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 })).value;
    this.buckets.forEach((upper, i) => {
      if (value <= upper) e.counts[i]!++;
    });
    e.sum += value;
    e.count++;
  }
  render(): string[] {
    const lines: string[] = [];
    for (const { labels, value } of this.series.values()) {
      // Buckets are cumulative by construction: observe() counts a value in every bucket it fits.
      this.buckets.forEach((upper, i) => lines.push(`${this.name}_bucket${labelText({ ...labels, le: num(upper) })} ${value.counts[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${value.count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${num(value.sum)}`);
      lines.push(`${this.name}_count${labelText(labels)} ${value.count}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: (() => Promise<void>)[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }
  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** Work run before each scrape, e.g. gauges computed from the database. */
  onCollect(collect: () => Promise<void>): void {
    this.collectors.push(collect);
  }

  async exposition(): Promise<string> {
    for (const collect of this.collectors) await collect();
    const lines: string[] = [];
    for (const m of this.metrics) {
      lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${m.name} ${m.kind}`, ...m.render());
    }
    return lines.join("\n") + "\n";
  }

  private add<M extends Metric>(metric: M): M {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric.name)) throw new Error(`invalid metric name "${metric.name}"`);
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.push(metric);
    return metric;
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}
