import { X509Certificate } from "node:crypto";
import { InvalidValueError } from "./errors.ts";

/** An identity provider's signing certificate as shown to operators. */
export interface CertificateInfo {
  /** SHA-256 of the DER bytes, upper-case hex pairs joined by ":" (what IdP consoles show). */
  fingerprintSha256: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

export const MAX_CERTIFICATES = 10;
// xml-crypto verifies RSA signatures only (rsa-sha256/512), and keys below
// 2048 bits are no longer considered safe (NIST SP 800-131A).
const MIN_RSA_BITS = 2048;

/**
 * Canonical PEM of one certificate, from PEM (with or without line breaks) or
 * from bare base64 (as in metadata's <ds:X509Certificate>). Refuses anything
 * that is not a parseable X.509 certificate with an RSA key of at least 2048 bits.
 */
export function normaliseCertificate(raw: unknown, field: string): string {
  if (typeof raw !== "string" || !raw.trim()) throw new InvalidValueError(`${field} must be a PEM certificate ("-----BEGIN CERTIFICATE-----…")`);
  const text = raw.trim();
  if (/PRIVATE KEY-----/.test(text)) {
    throw new InvalidValueError(`${field} is a private key; send the identity provider's public signing certificate only`);
  }
  const match = /^-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----$/.exec(text);
  if (!match && text.includes("-----")) {
    throw new InvalidValueError(`${field} must hold exactly one PEM certificate ("-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----")`);
  }
  const body = (match ? match[1]! : text).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new InvalidValueError(`${field} is not base64 certificate data`);
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new InvalidValueError(`${field} is not a valid X.509 certificate`);
  }
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== "rsa") {
    throw new InvalidValueError(`${field} has a ${key.asymmetricKeyType ?? "non-RSA"} key; SAML signatures are verified with RSA keys only`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new InvalidValueError(`${field} has a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`);
  return pem;
}

export function certificateInfo(pem: string): CertificateInfo {
  const cert = new X509Certificate(pem);
  return {
    fingerprintSha256: cert.fingerprint256,
    subject: cert.subject.replace(/\n/g, ", "),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/** Normalises a list (1 to MAX_CERTIFICATES), dropping exact duplicates. */
export function normaliseCertificates(raw: unknown, field = "certificates"): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new InvalidValueError(`${field} must be a non-empty list of the identity provider's PEM signing certificates`);
  }
  if (raw.length > MAX_CERTIFICATES) throw new InvalidValueError(`${field} holds ${raw.length} certificates; at most ${MAX_CERTIFICATES} are accepted`);
  const pems = raw.map((c, i) => normaliseCertificate(c, `${field}[${i}]`));
  const seen = new Set<string>();
  return pems.filter((p) => {
    const fp = certificateInfo(p).fingerprintSha256;
    if (seen.has(fp)) return false;
    seen.add(fp);
    return true;
  });
}
