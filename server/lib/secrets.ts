import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A bearer secret: 256 random bits, URL-safe, with a prefix that secret scanners can recognise. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/**
 * Tokens are stored only as SHA-256 hashes. The secret has 256 bits of entropy,
 * so a fast hash is enough (no password stretching needed) and lets us look the
 * token up by its hash.
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time string comparison that does not exit early on length mismatch. */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
