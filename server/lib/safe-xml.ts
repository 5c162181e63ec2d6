import { DOMParser } from "@xmldom/xmldom";

/**
 * Parses untrusted XML (SAML messages, IdP metadata) after refusing any
 * document type declaration. SAML never needs a DTD (SAML core §1.3, and the
 * SAML 2.0 bindings forbid DTDs in protocol messages), and a DTD is how entity
 * expansion ("billion laughs"), external entities (XXE) and parser
 * differentials get in; so it is refused on the raw text, before any parser
 * sees it. Any parser warning or error is fatal: a document two parsers may
 * read differently is not one we sign anyone in with.
 */
export class UnsafeXmlError extends Error {
  constructor(readonly kind: "doctype" | "malformed", message: string) {
    super(message);
    this.name = "UnsafeXmlError";
  }
}

// `<!` opens a comment, a CDATA section, or a declaration; only the first two may appear.
const DECLARATION = /<!(?!--|\[CDATA\[)/;

export function hasDeclaration(text: string): boolean {
  return DECLARATION.test(text);
}

export function parseUntrustedXml(text: string): Document {
  if (hasDeclaration(text)) throw new UnsafeXmlError("doctype", "XML with a DOCTYPE or ENTITY declaration is refused");
  const problems: string[] = [];
  const record = (msg: string) => problems.push(String(msg).split("\n")[0]!);
  const doc = new DOMParser({ locator: {}, errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(
    text,
    "text/xml",
  );
  if (problems.length || !doc?.documentElement) {
    throw new UnsafeXmlError("malformed", `not well-formed XML${problems.length ? `: ${problems[0]}` : ""}`);
  }
  return doc;
}

/** The element children of `parent` with this namespace and local name (never descendants further down). */
export function childElements(parent: Element | Document, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName) out.push(n as Element);
  }
  return out;
}

/** The only such child, undefined when there is none; refuses several (ambiguity is an attack surface). */
export function onlyChild(parent: Element | Document, ns: string, localName: string): Element | undefined {
  const found = childElements(parent, ns, localName);
  if (found.length > 1) throw new UnsafeXmlError("malformed", `more than one <${localName}> where one is expected`);
  return found[0];
}

/** Text content with surrounding whitespace removed. */
export function textOf(el: Element | undefined): string | undefined {
  const t = el?.textContent?.trim();
  return t ? t : undefined;
}
