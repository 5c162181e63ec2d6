import { readFile } from "node:fs/promises";
import type { Command, CommandContext } from "./command.ts";
import { UsageError } from "./io.ts";
import { printJson, printLines, safe } from "./output.ts";

/** GET/PUT /admin/v1/orgs/{org}/saml (server/http/saml-admin-routes.ts). */
export interface SamlJson {
  enabled: boolean;
  serviceProvider: { entityId: string; acsUrl: string; metadataUrl: string; loginUrl: string; nameIdFormat: string };
  identityProvider?: {
    entityId: string;
    ssoUrl: string;
    certificates: { fingerprintSha256: string; subject: string; notBefore: string; notAfter: string; expired: boolean }[];
  };
  allowIdpInitiated?: boolean;
  jitProvisioning?: boolean;
  clockSkewSeconds?: number;
}

const path = (org: string) => `/orgs/${encodeURIComponent(org)}/saml`;

/** The PUT body from a file: a JSON body as is, anything else as the IdP's metadata XML. */
async function bodyFromFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "saml set");
  }
  if (!text.trimStart().startsWith("{")) return { metadataXml: text };
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`, "saml set");
  }
}

function printSaml(ctx: CommandContext, org: string, s: SamlJson): void {
  if (ctx.json) return printJson(ctx.io.stdout, s);
  const sp = s.serviceProvider;
  const lines = [
    `SAML sign-in for organization ${org}: ${s.enabled ? "enabled" : "not configured"}`,
    "Our values (paste them into the identity provider):",
    `  entity ID (audience):  ${sp.entityId}`,
    `  ACS (reply) URL:       ${sp.acsUrl}`,
    `  metadata URL:          ${sp.metadataUrl}`,
    `  sign-in URL:           ${sp.loginUrl}`,
  ];
  const idp = s.identityProvider;
  if (idp) {
    lines.push(
      "Identity provider:",
      `  entity ID (issuer):    ${safe(idp.entityId)}`,
      `  SSO URL:               ${safe(idp.ssoUrl)}`,
      ...idp.certificates.map(
        (c) => `  certificate:           ${c.fingerprintSha256} ${safe(c.subject)}, valid until ${c.notAfter}${c.expired ? " (EXPIRED)" : ""}`,
      ),
      `Options: IdP-initiated ${s.allowIdpInitiated ? "allowed" : "refused"}, just-in-time provisioning ${s.jitProvisioning ? "on" : "off"}, clock skew ${s.clockSkewSeconds} s`,
    );
  }
  printLines(ctx.io.stdout, ...lines);
}

export const samlCommands: Command[] = [
  {
    words: ["saml", "set"],
    args: ["org", "file"],
    summary: "Configure (replace) an organization's SAML identity provider from a file",
    details: [
      "<file> is either the identity provider's metadata XML (options take their defaults),",
      "or a JSON body as for PUT /admin/v1/orgs/{org}/saml, e.g.",
      '  {"entityId": "https://idp.example/…", "ssoUrl": "https://idp.example/sso",',
      '   "certificates": ["-----BEGIN CERTIFICATE-----\\n…"], "jitProvisioning": true}',
      '  {"metadataXml": "<EntityDescriptor …>", "allowIdpInitiated": true}',
      "Options: allowIdpInitiated (default false), jitProvisioning (default false),",
      "clockSkewSeconds (default 120, at most 600). The whole configuration is replaced:",
      "list every certificate to keep (several during a key rollover). See docs/saml.md.",
    ].join("\n"),
    async run(ctx) {
      const body = await bodyFromFile(ctx.args.file!);
      const saved = await ctx.client().request<SamlJson>("PUT", path(ctx.args.org!), body);
      printSaml(ctx, ctx.args.org!, saved);
    },
  },
  {
    words: ["saml", "show"],
    args: ["org"],
    summary: "Show an organization's SAML configuration and the values to give the identity provider",
    details: "Certificates are shown by SHA-256 fingerprint with their expiry (--json adds the PEM).",
    async run(ctx) {
      printSaml(ctx, ctx.args.org!, await ctx.client().request<SamlJson>("GET", path(ctx.args.org!)));
    },
  },
  {
    words: ["saml", "disable"],
    args: ["org"],
    summary: "Switch SAML sign-in off for an organization (ends its sessions)",
    details: "Deletes the configuration; every session of the organization ends at once. `saml set` turns it on again.",
    async run(ctx) {
      await ctx.client().request<void>("DELETE", path(ctx.args.org!));
      if (ctx.json) return printJson(ctx.io.stdout, { org: ctx.args.org, enabled: false });
      printLines(ctx.io.stdout, `SAML sign-in is off for organization ${ctx.args.org}; its sessions have ended.`);
    },
  },
];
