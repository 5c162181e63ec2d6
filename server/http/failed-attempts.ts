/**
 * Counts failed attempts per client in memory and says when a client has had
 * too many within a window. Used where a guess could unlock everything (the
 * operator sign-in): per process, which is enough to turn an online guessing
 * attack on a 16+ character token from slow into hopeless.
 */
export class FailedAttempts {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxClients: number;
  #byClient = new Map<string, { count: number; resetAt: number }>();

  constructor(options: { limit: number; windowMs: number; maxClients?: number }) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxClients = options.maxClients ?? 10_000;
  }

  /** Seconds until this client may try again, or 0 when it may try now. */
  retryAfterSeconds(client: string, now = Date.now()): number {
    const entry = this.#byClient.get(client);
    if (!entry || entry.resetAt <= now || entry.count < this.#limit) return 0;
    return Math.ceil((entry.resetAt - now) / 1000);
  }

  fail(client: string, now = Date.now()): void {
    const entry = this.#byClient.get(client);
    if (entry && entry.resetAt > now) {
      entry.count++;
      return;
    }
    if (this.#byClient.size >= this.#maxClients) this.#sweep(now);
    this.#byClient.set(client, { count: 1, resetAt: now + this.#windowMs });
  }

  #sweep(now: number): void {
    for (const [client, entry] of this.#byClient) if (entry.resetAt <= now) this.#byClient.delete(client);
    // Still full of live entries (many attacking addresses): start over rather than grow without bound.
    if (this.#byClient.size >= this.#maxClients) this.#byClient.clear();
  }
}
