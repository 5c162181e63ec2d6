// The hand-written Prometheus registry renders the text exposition format 0.0.4 exactly.
import { describe, expect, it } from "vitest";
import { Registry } from "../../server/lib/prometheus.ts";

describe("prometheus registry", () => {
  it("renders counters with HELP, TYPE and labels in declared order", async () => {
    const r = new Registry();
    const c = r.counter("jobs_total", "Jobs run.", ["queue", "result"]);
    c.inc({ result: "ok", queue: "mail" });
    c.inc({ queue: "mail", result: "ok" }, 2);
    expect(await r.exposition()).toBe('# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total{queue="mail",result="ok"} 3\n');
  });

  it("escapes backslash, double quote and newline in label values", async () => {
    const r = new Registry();
    r.gauge("g", "A gauge.", ["name"]).set({ name: 'a\\b"c\nd' }, 1);
    expect(await r.exposition()).toContain('g{name="a\\\\b\\"c\\nd"} 1\n');
  });

  it("renders histograms with cumulative buckets, +Inf, sum and count", async () => {
    const r = new Registry();
    const h = r.histogram("latency_seconds", "Latency.", ["op"], [0.1, 1]);
    h.observe({ op: "read" }, 0.05);
    h.observe({ op: "read" }, 0.5);
    h.observe({ op: "read" }, 3);
    const text = await r.exposition();
    expect(text).toContain(
      [
        'latency_seconds_bucket{op="read",le="0.1"} 1',
        'latency_seconds_bucket{op="read",le="1"} 2',
        'latency_seconds_bucket{op="read",le="+Inf"} 3',
        'latency_seconds_sum{op="read"} 3.55',
        'latency_seconds_count{op="read"} 3',
      ].join("\n"),
    );
  });

  it("recomputes collected gauges at each scrape, dropping series that are gone", async () => {
    const r = new Registry();
    const g = r.gauge("seats", "Seats.", ["product"]);
    let rows: [string, number][] = [["a", 1], ["b", 2]];
    r.onCollect(async () => {
      g.reset();
      for (const [product, n] of rows) g.set({ product }, n);
    });
    expect(await r.exposition()).toContain('seats{product="b"} 2');
    rows = [["a", 5]];
    const text = await r.exposition();
    expect(text).toContain('seats{product="a"} 5');
    expect(text).not.toContain('product="b"');
  });

  it("refuses a missing label, a duplicate name and an invalid name", () => {
    const r = new Registry();
    const c = r.counter("x_total", "X.", ["a"]);
    expect(() => c.inc({})).toThrow(/needs label "a"/);
    expect(() => r.counter("x_total", "again")).toThrow(/registered twice/);
    expect(() => r.gauge("bad-name", "no")).toThrow(/invalid metric name/);
  });
});
