import type { Measurement } from "./measure.ts";

/**
 * A fixed amount of work (not a fixed duration, as autocannon measures):
 * `workers` loops, each taking the next job until none is left, every request
 * timed. For the scenarios whose figure is "how long does this whole job take"
 * (a sync replay, N creates one by one or in bulk).
 */
export interface WorkRequest {
  method: "GET" | "POST" | "PATCH";
  path: string;
  body?: unknown;
}

export interface WorkResult {
  measurement: Measurement;
  wallSeconds: number;
}

export interface Recorder {
  /** Sends one request, records its latency and status; returns the status and parsed body. */
  send(req: WorkRequest): Promise<{ status: number; body: unknown }>;
  /** Marks an answer as wrong although its status was 2xx (e.g. a bulk operation that failed). */
  fail(detail: string): void;
}

export class Work {
  private readonly latencies: number[] = [];
  private non2xx = 0;
  private errors = 0;
  private firstFailure: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
  ) {}

  readonly recorder: Recorder = {
    send: async (req) => {
      const started = performance.now();
      try {
        const res = await fetch(`${this.baseUrl}${req.path}`, {
          method: req.method,
          headers: this.headers,
          ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
        });
        const text = await res.text();
        this.latencies.push(performance.now() - started);
        if (res.status < 200 || res.status > 299) {
          this.non2xx++;
          this.firstFailure ??= `${res.status} ${req.method} ${req.path}: ${text.slice(0, 300)}`;
        }
        return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
      } catch (e) {
        this.latencies.push(performance.now() - started);
        this.errors++;
        this.firstFailure ??= `${req.method} ${req.path}: ${(e as Error).message}`;
        return { status: 0, body: undefined };
      }
    },
    fail: (detail) => {
      this.non2xx++;
      this.firstFailure ??= detail;
    },
  };

  /** Runs `workers` loops of `job` (each gets the next index until `count`); returns the figures. */
  async run(workers: number, count: number, job: (i: number, r: Recorder) => Promise<void>, items = count): Promise<WorkResult> {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(workers, count)) }, async () => {
        while (next < count) await job(next++, this.recorder);
      }),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    return { measurement: this.measurement(wallSeconds, items), wallSeconds };
  }

  /** The figures so far, with `items` done in `wallSeconds` as the throughput. */
  measurement(wallSeconds: number, items: number): Measurement {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!) : 0);
    return {
      reqPerSec: Math.round((items / wallSeconds) * 10) / 10,
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      requests: sorted.length,
      non2xx: this.non2xx,
      errors: this.errors,
      ...(this.firstFailure === undefined ? {} : { firstFailure: this.firstFailure }),
    };
  }
}
