/**
 * The checks node-saml does not make, around the ones it does:
 *
 * before node-saml (on the raw response, so a failure is named precisely):
 * - any DOCTYPE/ENTITY declaration refused before parsing (lib/safe-xml.ts);
 * - the root is a SAML 2.0 protocol Response, with Destination = our ACS URL
 *   (SAML bindings §3.5.5.2: a signed message names its destination);
 * - the Response Issuer, when present, is the organization's IdP;
 * - exactly one plain Assertion (no second one to wrap around the signed one,
 *   no EncryptedAssertion: we hold no decryption key);
 * - RSA-SHA256/512 signatures and SHA-256/512 digests only: xml-crypto would
 *   accept SHA-1, which is no longer collision-resistant.
 *
 * after node-saml (on the assertion bytes it verified, never on the raw
 * document, which may hold anything outside the signature):
 * - the assertion Issuer is the organization's IdP, and it states an authentication (AuthnStatement);
 * - a bearer SubjectConfirmationData with Recipient = our ACS URL, inside its
 *   NotBefore/NotOnOrAfter (node-saml skips that for unsolicited responses),
 *   whose InResponseTo agrees with the Response's;
 * - the assertion id, for the one-time store.
 */
import { SignInRefusedError } from "../domain/sign-in.ts";
import { childElements, onlyChild, parseUntrustedXml, textOf, UnsafeXmlError } from "../lib/safe-xml.ts";

const SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol";
const SAML = "urn:oasis:names:tc:SAML:2.0:assertion";
const DS = "http://www.w3.org/2000/09/xmldsig#";
const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

export const ALLOWED_SIGNATURE_METHODS = [
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
];
export const ALLOWED_DIGEST_METHODS = ["http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2001/04/xmlenc#sha512"];

// xml:ID values node-saml and IdPs produce are far shorter; a bound keeps the stores sane.
const MAX_ID_LENGTH = 256;

export interface Expected {
  acsUrl: string;
  idpEntityId: string;
  clockSkewMs: number;
}

/** What the raw response says; only used to name a failure or to compare with verified facts. */
export interface ResponseFacts {
  inResponseTo: string | undefined;
  assertionSigned: boolean;
  /** The assertion's ID as claimed (unverified): tells a replay from an unknown request when naming a refusal. */
  claimedAssertionId: string | undefined;
  /** Unverified times of the assertion, for naming a node-saml time failure (expired or not yet valid). */
  claimedTimes: { notBefore: Date[]; notOnOrAfter: Date[] };
}

const refuse = (reason: ConstructorParameters<typeof SignInRefusedError>[0], message: string) =>
  new SignInRefusedError(reason, message);

/** Decodes and inspects the posted SAMLResponse; throws SignInRefusedError. */
export function inspectResponse(samlResponse: string, expected: Expected): ResponseFacts {
  const compact = samlResponse.replace(/\s+/g, "");
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw refuse("malformed", "SAMLResponse is not base64");
  const xml = Buffer.from(compact, "base64").toString("utf8");
  let doc: Document;
  try {
    doc = parseUntrustedXml(xml);
  } catch (e) {
    if (e instanceof UnsafeXmlError) throw refuse(e.kind === "doctype" ? "doctype_present" : "malformed", e.message);
    throw e;
  }
  const root = doc.documentElement;
  if (root.namespaceURI !== SAMLP || root.localName !== "Response") {
    throw refuse("malformed", `expected a SAML 2.0 Response, got <${root.localName}>`);
  }
  const destination = root.getAttribute("Destination");
  if (destination !== expected.acsUrl) {
    throw refuse("wrong_destination", `Destination is ${destination ? JSON.stringify(destination) : "missing"}, expected ${expected.acsUrl}`);
  }
  const issuer = textOf(strictChild(root, SAML, "Issuer"));
  if (issuer !== undefined && issuer !== expected.idpEntityId) {
    throw refuse("wrong_issuer", `Response Issuer is ${JSON.stringify(issuer)}, expected ${JSON.stringify(expected.idpEntityId)}`);
  }
  if (childElements(root, SAML, "EncryptedAssertion").length) {
    throw refuse("encrypted_assertion", "encrypted assertions are not supported: turn assertion encryption off at the identity provider");
  }
  const assertions = childElements(root, SAML, "Assertion");
  if (assertions.length > 1) throw refuse("multiple_assertions", `the Response holds ${assertions.length} assertions; exactly one is accepted`);

  for (const m of Array.from(doc.getElementsByTagNameNS(DS, "SignatureMethod"))) {
    const alg = m.getAttribute("Algorithm") ?? "";
    if (!ALLOWED_SIGNATURE_METHODS.includes(alg)) throw refuse("weak_algorithm", `signature algorithm ${alg || "(none)"} is refused; use RSA-SHA256`);
  }
  for (const m of Array.from(doc.getElementsByTagNameNS(DS, "DigestMethod"))) {
    const alg = m.getAttribute("Algorithm") ?? "";
    if (!ALLOWED_DIGEST_METHODS.includes(alg)) throw refuse("weak_algorithm", `digest algorithm ${alg || "(none)"} is refused; use SHA-256`);
  }

  const assertion = assertions[0];
  const claimedTimes = { notBefore: [] as Date[], notOnOrAfter: [] as Date[] };
  if (assertion) collectTimes(assertion, claimedTimes);
  return {
    inResponseTo: root.getAttribute("InResponseTo") || undefined,
    assertionSigned: !!assertion && childElements(assertion, DS, "Signature").length > 0,
    claimedAssertionId: assertion?.getAttribute("ID") || undefined,
    claimedTimes,
  };
}

export interface VerifiedAssertion {
  assertionId: string;
  /** Until when the id must be remembered: the latest NotOnOrAfter plus the clock skew. */
  keepUntil: Date;
  idpInitiated: boolean;
}

/** Checks the assertion bytes node-saml verified; throws SignInRefusedError. */
export function checkVerifiedAssertion(
  assertionXml: string,
  facts: ResponseFacts,
  expected: Expected,
  now: Date = new Date(),
): VerifiedAssertion {
  let assertion: Element;
  try {
    assertion = parseUntrustedXml(assertionXml).documentElement;
  } catch (e) {
    if (e instanceof UnsafeXmlError) throw refuse("malformed", `verified assertion: ${e.message}`);
    throw e;
  }
  if (assertion.namespaceURI !== SAML || assertion.localName !== "Assertion") throw refuse("malformed", "the signed element is not an Assertion");
  const assertionId = assertion.getAttribute("ID") ?? "";
  if (!assertionId || assertionId.length > MAX_ID_LENGTH) throw refuse("malformed", "the assertion has no usable ID");

  const issuer = textOf(strictChild(assertion, SAML, "Issuer"));
  if (issuer !== expected.idpEntityId) {
    throw refuse("wrong_issuer", `assertion Issuer is ${issuer ? JSON.stringify(issuer) : "missing"}, expected ${JSON.stringify(expected.idpEntityId)}`);
  }

  // Web Browser SSO profile (SAML profiles §4.1.4.2): the assertion states an authentication.
  if (!childElements(assertion, SAML, "AuthnStatement").length) throw refuse("invalid_response", "the assertion has no AuthnStatement");

  const subject = strictChild(assertion, SAML, "Subject");
  const bearer = (subject ? childElements(subject, SAML, "SubjectConfirmation") : [])
    .filter((sc) => sc.getAttribute("Method") === BEARER)
    .flatMap((sc) => childElements(sc, SAML, "SubjectConfirmationData"));
  if (!bearer.length) throw refuse("invalid_response", "the assertion has no bearer SubjectConfirmationData");
  const forUs = bearer.filter((d) => d.getAttribute("Recipient") === expected.acsUrl);
  if (!forUs.length) {
    const got = bearer.map((d) => d.getAttribute("Recipient") ?? "(none)").join(", ");
    throw refuse("wrong_recipient", `SubjectConfirmationData Recipient is ${got}, expected ${expected.acsUrl}`);
  }
  const nowMs = now.getTime();
  const skew = expected.clockSkewMs;
  const timely = forUs.filter((d) => {
    const nb = time(d.getAttribute("NotBefore"));
    const noa = time(d.getAttribute("NotOnOrAfter"));
    return noa !== undefined && nowMs - skew < noa && (nb === undefined || nb <= nowMs + skew);
  });
  if (!timely.length) {
    const early = forUs.some((d) => (time(d.getAttribute("NotBefore")) ?? -Infinity) > nowMs + skew);
    if (early) throw refuse("not_yet_valid", "the SubjectConfirmationData is not valid yet (NotBefore in the future beyond the clock skew)");
    throw refuse("expired", "the SubjectConfirmationData has expired (NotOnOrAfter passed, or missing)");
  }
  const confirmation = timely[0]!;
  const confirmed = confirmation.getAttribute("InResponseTo") || undefined;
  if (confirmed !== facts.inResponseTo) {
    throw refuse(
      "in_response_to_mismatch",
      `the signed SubjectConfirmationData answers ${confirmed ? JSON.stringify(confirmed) : "no request"}, the Response ${facts.inResponseTo ? JSON.stringify(facts.inResponseTo) : "no request"}`,
    );
  }

  const times = { notBefore: [] as Date[], notOnOrAfter: [] as Date[] };
  collectTimes(assertion, times);
  const latest = Math.max(...times.notOnOrAfter.map((d) => d.getTime()));
  return { assertionId, keepUntil: new Date(latest + skew + 1000), idpInitiated: facts.inResponseTo === undefined };
}

/** NotBefore / NotOnOrAfter of the Conditions and of every SubjectConfirmationData. */
function collectTimes(assertion: Element, into: { notBefore: Date[]; notOnOrAfter: Date[] }): void {
  const holders: Element[] = [...childElements(assertion, SAML, "Conditions")];
  for (const subject of childElements(assertion, SAML, "Subject")) {
    for (const sc of childElements(subject, SAML, "SubjectConfirmation")) holders.push(...childElements(sc, SAML, "SubjectConfirmationData"));
  }
  for (const h of holders) {
    const nb = time(h.getAttribute("NotBefore"));
    const noa = time(h.getAttribute("NotOnOrAfter"));
    if (nb !== undefined) into.notBefore.push(new Date(nb));
    if (noa !== undefined) into.notOnOrAfter.push(new Date(noa));
  }
}

function time(value: string | null): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function strictChild(parent: Element, ns: string, name: string): Element | undefined {
  try {
    return onlyChild(parent, ns, name);
  } catch {
    throw refuse("malformed", `more than one <${name}> in <${parent.localName}>`);
  }
}
