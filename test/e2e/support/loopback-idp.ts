// A SAML identity provider on loopback HTTP for the browser to be sent to.
// Our /sso/.../login redirects the browser here with an AuthnRequest; this
// page answers, as a real IdP does after its own sign-in, with a form holding
// a SAMLResponse signed by the test IdP's key (test/support/saml-idp.ts) that
// a script posts to our ACS at once. Who signs in is set by the test.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { authnRequestOf, createTestIdp, encodeResponse, type TestIdp } from "../../support/saml-idp.ts";

export interface LoopbackIdp {
  idp: TestIdp;
  /** http://127.0.0.1:<port>/sso: the HTTP-Redirect SSO endpoint to configure. */
  ssoUrl: string;
  /** The IdP's metadata, naming the loopback SSO endpoint. */
  metadataXml(): string;
  /** The address the next sign-in vouches for. */
  signInAs(email: string): void;
  /** AuthnRequest ids received so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export async function startLoopbackIdp(name = "console-idp"): Promise<LoopbackIdp> {
  const idp = createTestIdp(name);
  let user: string | undefined;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" || url.pathname !== "/sso" || !url.searchParams.has("SAMLRequest")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not an SSO request");
      return;
    }
    if (!user) {
      res.writeHead(403, { "content-type": "text/plain" }).end("the test did not say who signs in");
      return;
    }
    const request = authnRequestOf(`http://127.0.0.1${req.url}`);
    requests.push(request.id);
    const xml = idp.response({ entityId: request.issuer, acsUrl: request.acsUrl }, { nameId: user, inResponseTo: request.id });
    const relay = request.relayState === null ? "" : `<input type="hidden" name="RelayState" value="${esc(request.relayState)}">`;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(
      `<!doctype html><html><head><title>Test IdP</title></head><body>` +
        `<form method="post" action="${esc(request.acsUrl)}">` +
        `<input type="hidden" name="SAMLResponse" value="${esc(encodeResponse(xml))}">${relay}` +
        `<noscript><button>Continue</button></noscript></form>` +
        `<script>document.forms[0].submit()</script></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const ssoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sso`;
  return {
    idp,
    ssoUrl,
    requests,
    metadataXml: () => idp.metadataXml().split(idp.ssoUrl).join(ssoUrl),
    signInAs(email) {
      user = email;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
