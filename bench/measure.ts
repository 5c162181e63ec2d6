import autocannon from "autocannon";

/** One autocannon run against one endpoint. */
export interface Probe {
  method: "GET" | "POST" | "PATCH";
  headers?: Record<string, string>;
  /** The request of step k (0, 1, 2, … over every run of this probe): path and body. */
  step(k: number): { path: string; body?: string };
  connections: number;
}

export interface Measurement {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** The first answer that was not 2xx (status and the start of its body), to see what went wrong. */
  firstFailure?: string;
}

/**
 * Drives `baseUrl` with the probe for `seconds`. The step counter lives in the
 * probe's closure and continues from run to run, so each request of the whole
 * benchmark gets its own data (new user names, the next member to add).
 */
export function makeRunner() {
  const counters = new WeakMap<Probe, number>();
  return async function measure(baseUrl: string, probe: Probe, seconds: number): Promise<Measurement> {
    let firstFailure: string | undefined;
    const result = await autocannon({
      url: baseUrl,
      connections: probe.connections,
      duration: seconds,
      timeout: 30,
      method: probe.method,
      headers: probe.headers ?? {},
      requests: [
        {
          setupRequest: (req) => {
            const k = counters.get(probe) ?? 0;
            counters.set(probe, k + 1);
            const { path, body } = probe.step(k);
            return { ...req, path, ...(body === undefined ? {} : { body }) };
          },
          onResponse: (status, body) => {
            if ((status < 200 || status > 299) && firstFailure === undefined) firstFailure = `${status} ${body.slice(0, 300)}`;
          },
        },
      ],
    });
    const elapsed = result.duration || seconds;
    return {
      reqPerSec: round(result.requests.total / elapsed),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      ...(firstFailure === undefined ? {} : { firstFailure }),
    };
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
