/**
 * `{{name}}` placeholders in transcripts, so one transcript replays against any
 * organization: `{{domain}}` (a verified domain of it), `{{baseUrl}}` (the SCIM
 * base URL), `{{run}}` (random per replay, so user names never collide with an
 * earlier replay), `{{uuid.<name>}}` (a random UUID per name and replay, for
 * the ids a provider makes up: externalId, objectGUID, a random probe userName)
 * and the values captured from earlier responses (`{{user.alice.id}}`).
 */
import { randomUUID } from "node:crypto";

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.$-]+)\s*\}\}/g;

export class MissingValueError extends Error {
  override name = "MissingValueError";
  constructor(readonly names: string[]) {
    super(`needs ${names.map((n) => `{{${n}}}`).join(", ")}, which no earlier step captured`);
  }
}

export class Variables {
  private readonly values = new Map<string, unknown>();

  constructor(fixed: Record<string, string>) {
    for (const [k, v] of Object.entries(fixed)) this.values.set(k, v);
  }

  set(name: string, value: unknown): void {
    this.values.set(name, value);
  }

  get(name: string): unknown {
    if (!this.values.has(name) && name.startsWith("uuid.")) this.values.set(name, randomUUID());
    return this.values.get(name);
  }

  /** Deep substitution. A string that is exactly one placeholder takes the value's own type. */
  substitute<T>(value: T): T {
    const missing = new Set<string>();
    const out = this.walk(value, missing);
    if (missing.size) throw new MissingValueError([...missing]);
    return out as T;
  }

  private walk(value: unknown, missing: Set<string>): unknown {
    if (typeof value === "string") return this.substituteString(value, missing);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, missing));
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [this.substituteString(k, missing) as string, this.walk(v, missing)]),
      );
    }
    return value;
  }

  private substituteString(text: string, missing: Set<string>): unknown {
    const whole = /^\{\{\s*([A-Za-z0-9_.$-]+)\s*\}\}$/.exec(text);
    if (whole) {
      const v = this.get(whole[1]!);
      if (v === undefined) missing.add(whole[1]!);
      return v;
    }
    return text.replace(PLACEHOLDER, (match, name: string) => {
      const v = this.get(name);
      if (v === undefined) {
        missing.add(name);
        return match;
      }
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }
}

/** A short random id for `{{run}}`: lower-case letters and digits, safe in user names and emails. */
export function runId(): string {
  return randomUUID().replace(/-/g, "").slice(0, 8);
}
