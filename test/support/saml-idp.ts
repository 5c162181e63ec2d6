// A test identity provider: a key pair and self-signed certificate made in
// the test run, real SAML 2.0 Responses signed with xml-crypto (the library
// node-saml verifies with), and helpers to read the AuthnRequest out of our
// redirect. Tamper with the XML it returns to build the attacks.
import { randomBytes } from "node:crypto";
import { inflateRawSync } from "node:zlib";
import { SignedXml } from "xml-crypto";
import { selfSignedCertificate, type TestKeyPair } from "./self-signed-cert.ts";

const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

export interface SpEndpoints {
  entityId: string;
  acsUrl: string;
}

export interface ResponseOptions {
  /** The subject; an email address for our sign-in. */
  nameId: string;
  inResponseTo?: string | undefined;
  /** Defaults: sp.entityId / sp.acsUrl / sp.acsUrl; null leaves Destination out. */
  audience?: string;
  recipient?: string;
  destination?: string | null;
  /** Issuer of both the Response and the Assertion (default: the IdP's entity id). */
  issuer?: string;
  /** Validity of Conditions and SubjectConfirmationData (default: now-1min .. now+5min). */
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** What gets signed (default "assertion", Entra ID's default). */
  sign?: "assertion" | "response" | "both" | "none";
  /** Sign with another key pair than the IdP's own. */
  signWith?: TestKeyPair;
  /** SHA-1 instead of SHA-256. */
  weakAlgorithm?: boolean;
  attributes?: Record<string, string | string[]>;
  assertionId?: string;
}

export interface TestIdp {
  entityId: string;
  ssoUrl: string;
  key: TestKeyPair;
  metadataXml(extraCertificates?: TestKeyPair[]): string;
  /** A SAML Response as XML text, signed as asked. */
  response(sp: SpEndpoints, options: ResponseOptions): string;
  /** The same IdP with another key (for certificate rotation). */
  withNewKey(): TestIdp;
}

export function createTestIdp(name = "idp", key?: TestKeyPair): TestIdp {
  const entityId = `https://${name}.idp.test/saml/metadata`;
  const ssoUrl = `https://${name}.idp.test/saml/sso`;
  const own = key ?? selfSignedCertificate({ commonName: `${name}.idp.test` });
  return {
    entityId,
    ssoUrl,
    key: own,
    metadataXml: (extra = []) => metadataOf(entityId, ssoUrl, [own, ...extra]),
    response: (sp, options) => buildResponse(entityId, own, sp, options),
    withNewKey: () => createTestIdp(name),
  };
}

export const encodeResponse = (xml: string): string => Buffer.from(xml, "utf8").toString("base64");

export const newId = (): string => `_${randomBytes(16).toString("hex")}`;

const iso = (d: Date) => d.toISOString();
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function buildResponse(idpEntityId: string, own: TestKeyPair, sp: SpEndpoints, o: ResponseOptions): string {
  const now = new Date();
  const notBefore = o.notBefore ?? new Date(now.getTime() - 60_000);
  const notOnOrAfter = o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const issuer = esc(o.issuer ?? idpEntityId);
  const assertionId = o.assertionId ?? newId();
  const irt = o.inResponseTo ? ` InResponseTo="${esc(o.inResponseTo)}"` : "";
  const destination = o.destination === null ? "" : ` Destination="${esc(o.destination ?? sp.acsUrl)}"`;
  const attributes = Object.entries(o.attributes ?? {})
    .map(
      ([k, v]) =>
        `<saml:Attribute Name="${esc(k)}">${(Array.isArray(v) ? v : [v]).map((x) => `<saml:AttributeValue>${esc(x)}</saml:AttributeValue>`).join("")}</saml:Attribute>`,
    )
    .join("");
  const xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${iso(now)}"${destination}${irt}>` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(o.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${esc(o.recipient ?? sp.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? sp.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : "") +
    `</saml:Assertion></samlp:Response>`;
  const sign = o.sign ?? "assertion";
  const key = o.signWith ?? own;
  let out = xml;
  if (sign === "assertion" || sign === "both") out = signAt(out, "Assertion", key, o.weakAlgorithm);
  if (sign === "response" || sign === "both") out = signAt(out, "Response", key, o.weakAlgorithm);
  return out;
}

/** Signs the assertion of a Response built (or edited) elsewhere. */
export const signAssertion = (xml: string, key: TestKeyPair): string => signAt(xml, "Assertion", key);

/** An enveloped signature over the element, placed right after its Issuer (SAML core schema order). */
function signAt(xml: string, element: "Assertion" | "Response", key: TestKeyPair, weak = false): string {
  const sig = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: weak ? RSA_SHA1 : RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    getKeyInfoContent: SignedXml.getKeyInfoContent,
  });
  const path = element === "Response" ? "/*[local-name(.)='Response']" : "/*[local-name(.)='Response']/*[local-name(.)='Assertion']";
  sig.addReference({ xpath: path, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: weak ? SHA1 : SHA256 });
  sig.computeSignature(xml, { prefix: "ds", location: { reference: `${path}/*[local-name(.)='Issuer']`, action: "after" } });
  return sig.getSignedXml();
}

function metadataOf(entityId: string, ssoUrl: string, keys: TestKeyPair[]): string {
  const keyDescriptors = keys
    .map(
      (k) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${k.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${esc(entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    keyDescriptors +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(ssoUrl)}/post"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(ssoUrl)}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

export interface ParsedAuthnRequest {
  id: string;
  destination: string;
  acsUrl: string;
  issuer: string;
  relayState: string | null;
  xml: string;
}

/** Reads the AuthnRequest out of a Location header (HTTP-Redirect binding: DEFLATE, base64, URL-encoded). */
export function authnRequestOf(location: string): ParsedAuthnRequest {
  const url = new URL(location);
  const encoded = url.searchParams.get("SAMLRequest");
  if (!encoded) throw new Error(`no SAMLRequest in ${location}`);
  const xml = inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8");
  const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(xml)?.[1] ?? "";
  return {
    id: attr("ID"),
    destination: attr("Destination"),
    acsUrl: attr("AssertionConsumerServiceURL"),
    issuer: /<saml:Issuer[^>]*>([^<]*)<\/saml:Issuer>/.exec(xml)?.[1] ?? "",
    relayState: url.searchParams.get("RelayState"),
    xml,
  };
}
