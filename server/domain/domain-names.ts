import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { InvalidValueError } from "./errors.ts";

/** Where the ownership proof is published: `_scim-gate-challenge.<domain>` (underscore label, RFC 8552 style). */
export const CHALLENGE_LABEL = "_scim-gate-challenge";
export const CHALLENGE_VALUE_PREFIX = "scim-gate-verification=";

// A DNS name is at most 253 characters in text form (RFC 1035 §2.3.4 / §3.1),
// and the challenge name must fit too.
const MAX_DOMAIN_LENGTH = 253 - (CHALLENGE_LABEL.length + 1);
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Top-level domains are letters (or an IDN in punycode), never digits: this
// also keeps "10.1" and similar numeric forms out.
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * The canonical form of a domain an organization claims: trimmed, IDN in
 * punycode (lower-case, via WHATWG `domainToASCII`, which also maps full-width
 * dots), one trailing dot removed. Refuses anything that is not a plain
 * host name with at least two labels: IP addresses, wildcards, URLs, email
 * addresses, single labels. No Public Suffix List is consulted: verification
 * needs a TXT record in the zone itself, which nobody can publish in "co.uk".
 */
export function normaliseDomainName(raw: unknown): string {
  if (typeof raw !== "string" || !raw.trim()) throw new InvalidValueError('"name" must be a domain name such as "acme.com"');
  const input = raw.trim();
  const bad = (why: string) => new InvalidValueError(`"name" ${JSON.stringify(input)} ${why}`);
  if (input.includes("*")) throw bad("is a wildcard; add the domain itself (e.g. acme.com): a verified domain covers its subdomains");
  if (input.includes("@")) throw bad('is an email address; send only the domain after "@"');
  if (isIP(input) || isIP(input.replace(/^\[(.*)\]$/, "$1"))) throw bad("is an IP address; send a domain name");
  if (/[/:[\]]/.test(input)) throw bad("is not a host name; send only the domain, e.g. acme.com");
  let name = domainToASCII(input);
  // WHATWG reads IPv4 shorthands ("127.1", "0x7f.1") as addresses, and answers
  // "" for any other name whose last label is numeric.
  if (isIP(name.replace(/\.$/, ""))) throw bad("is an IP address; send a domain name");
  if (!name && /\.\d+\.?$/.test(input)) throw bad("does not end in a top-level domain");
  if (!name) throw bad("is not a valid domain name");
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name.length > MAX_DOMAIN_LENGTH) throw bad(`is longer than ${MAX_DOMAIN_LENGTH} characters`);
  const labels = name.split(".");
  if (labels.length < 2) throw bad("needs at least one dot (e.g. acme.com)");
  for (const label of labels) {
    if (label.length > 63) throw bad(`has a label longer than 63 characters ("${label.slice(0, 20)}…")`);
    if (!LABEL.test(label)) {
      throw bad(`has an invalid label "${label}" (letters, digits and inner hyphens only, 1-63 characters)`);
    }
  }
  if (!TOP_LEVEL.test(labels[labels.length - 1]!)) throw bad(`does not end in a top-level domain`);
  return name;
}

/** True when `domain` is `verified` itself or one of its subdomains. Both in canonical form. */
export function isCoveredBy(domain: string, verified: string): boolean {
  return domain === verified || domain.endsWith(`.${verified}`);
}

/** The domain and each parent with at least two labels: a.b.acme.com → [a.b.acme.com, b.acme.com, acme.com]. */
export function selfAndParents(domain: string): string[] {
  const labels = domain.split(".");
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) out.push(labels.slice(i).join("."));
  return out;
}

/**
 * The canonical domain of an address (after its last "@"), for matching
 * against verified domains: lower-case, IDN in punycode, trailing dot
 * removed; undefined when there is no usable domain.
 */
export function addressDomain(address: string): string | undefined {
  const at = address.lastIndexOf("@");
  if (at < 0) return undefined;
  const part = address.slice(at + 1).trim();
  if (!part || isIP(part)) return undefined;
  let domain = domainToASCII(part);
  if (domain.endsWith(".")) domain = domain.slice(0, -1);
  return domain && domain.includes(".") && !isIP(domain) ? domain : undefined;
}

/**
 * An email address with its domain lower-cased (domains are case-insensitive,
 * RFC 5321 §2.4) and its local part kept as sent: a mail server may treat
 * "John" and "john" as different mailboxes. Surrounding whitespace is removed.
 */
export function normaliseEmail(value: string): string {
  const trimmed = value.trim();
  const at = trimmed.lastIndexOf("@");
  return at < 0 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

export const challengeName = (domain: string): string => `${CHALLENGE_LABEL}.${domain}`;
export const challengeValue = (token: string): string => `${CHALLENGE_VALUE_PREFIX}${token}`;
