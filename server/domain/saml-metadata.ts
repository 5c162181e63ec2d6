import { childElements, parseUntrustedXml, textOf, UnsafeXmlError } from "../lib/safe-xml.ts";
import { InvalidValueError } from "./errors.ts";

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS = "http://www.w3.org/2000/09/xmldsig#";
const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
export const HTTP_REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

/** What we take from an identity provider's metadata document. */
export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  /** Bare base64 DER of every signing certificate (KeyDescriptor use="signing" or without use). */
  certificates: string[];
}

// An IdP metadata document is a few kilobytes; Entra's is about 25 kB with its signature.
export const MAX_METADATA_LENGTH = 512 * 1024;

/**
 * Reads entityID, the HTTP-Redirect SingleSignOnService location and every
 * signing certificate from an IdP's EntityDescriptor (SAML metadata §2.4.3).
 * An EntitiesDescriptor holding exactly one identity provider is accepted too.
 * The metadata's own signature is not checked: the operator pasted it from the
 * identity provider's console, which is the trust decision.
 */
export function parseIdpMetadata(xml: unknown): IdpMetadata {
  if (typeof xml !== "string" || !xml.trim()) throw new InvalidValueError('"metadataXml" must be the identity provider\'s metadata XML document');
  if (xml.length > MAX_METADATA_LENGTH) throw new InvalidValueError(`"metadataXml" is longer than ${MAX_METADATA_LENGTH} characters`);
  let doc: Document;
  try {
    doc = parseUntrustedXml(xml.trim());
  } catch (e) {
    if (e instanceof UnsafeXmlError) throw new InvalidValueError(`"metadataXml" is refused: ${e.message}`);
    throw e;
  }
  const entity = pickEntity(doc.documentElement);
  const entityId = entity.getAttribute("entityID")?.trim();
  if (!entityId) throw new InvalidValueError('"metadataXml": the EntityDescriptor has no entityID');

  const idps = childElements(entity, MD, "IDPSSODescriptor").filter((d) =>
    (d.getAttribute("protocolSupportEnumeration") ?? "").split(/\s+/).includes(PROTOCOL),
  );
  if (idps.length !== 1) {
    throw new InvalidValueError('"metadataXml" must describe one SAML 2.0 identity provider (an IDPSSODescriptor); this looks like service-provider or non-SAML-2.0 metadata');
  }
  const idp = idps[0]!;
  const sso = childElements(idp, MD, "SingleSignOnService").find((s) => s.getAttribute("Binding") === HTTP_REDIRECT_BINDING);
  const ssoUrl = sso?.getAttribute("Location")?.trim();
  if (!ssoUrl) {
    throw new InvalidValueError('"metadataXml" has no SingleSignOnService with the HTTP-Redirect binding; this server sends AuthnRequests by redirect');
  }

  const certificates: string[] = [];
  for (const kd of childElements(idp, MD, "KeyDescriptor")) {
    const use = kd.getAttribute("use");
    if (use && use !== "signing") continue;
    for (const keyInfo of childElements(kd, DS, "KeyInfo")) {
      for (const data of childElements(keyInfo, DS, "X509Data")) {
        for (const cert of childElements(data, DS, "X509Certificate")) {
          const b64 = textOf(cert)?.replace(/\s+/g, "");
          if (b64 && !certificates.includes(b64)) certificates.push(b64);
        }
      }
    }
  }
  if (!certificates.length) throw new InvalidValueError('"metadataXml" lists no signing certificate (KeyDescriptor use="signing" with an X509Certificate)');
  return { entityId, ssoUrl, certificates };
}

function pickEntity(root: Element): Element {
  if (root.namespaceURI === MD && root.localName === "EntityDescriptor") return root;
  if (root.namespaceURI === MD && root.localName === "EntitiesDescriptor") {
    const withIdp = childElements(root, MD, "EntityDescriptor").filter((e) => childElements(e, MD, "IDPSSODescriptor").length > 0);
    if (withIdp.length === 1) return withIdp[0]!;
    throw new InvalidValueError(`"metadataXml" holds ${withIdp.length} identity providers; paste the metadata of exactly one`);
  }
  throw new InvalidValueError('"metadataXml" must be a SAML 2.0 metadata document (<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">)');
}
