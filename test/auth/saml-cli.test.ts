// `scim-gate saml set|show|disable` against a real server on an ephemeral port.
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../server/cli/run-cli.ts";
import { createTestIdp } from "../support/saml-idp.ts";
import { ENGINES } from "../support/engines.ts";
import { ADMIN_TOKEN, startTestServer, type TestOrg, type TestServer } from "../support/server.ts";
import { auditEvents } from "./saml-helpers.ts";

describe.each(ENGINES)("scim-gate saml commands on %s", (engine) => {
  let server: TestServer;
  let listener: Server;
  let env: Record<string, string>;
  let dir: string;
  let org: TestOrg;
  const idp = createTestIdp("cli");

  const run = async (...argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, {
      env,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      fetch,
    });
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    server = await startTestServer(engine);
    listener = server.app.listen(0, "127.0.0.1");
    await once(listener, "listening");
    env = { SCIM_GATE_URL: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`, ADMIN_TOKEN };
    dir = await mkdtemp(join(tmpdir(), "saml-cli-"));
    org = await server.newOrg("Cli", { domain: "cli.com" });
  });
  afterAll(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("saml set <org> <metadata.xml> configures from the IdP's metadata and prints what to paste where", async () => {
    const file = join(dir, "idp-metadata.xml");
    await writeFile(file, idp.metadataXml());
    const res = await run("saml", "set", org.id, file);
    expect(res).toMatchObject({ code: 0, stderr: "" });
    expect(res.stdout).toContain(`SAML sign-in for organization ${org.id}: enabled`);
    expect(res.stdout).toContain(`ACS (reply) URL:       https://scim.test/sso/${org.id}/acs`);
    expect(res.stdout).toContain(`entity ID (issuer):    ${idp.entityId}`);
    expect(res.stdout).toMatch(/certificate: +([0-9A-F]{2}:){31}[0-9A-F]{2} CN=cli\.idp\.test, valid until/);
    expect(await auditEvents(server, org.id, "saml.configured")).toHaveLength(1);
  });

  it("saml set <org> <body.json> takes the manual form with options; saml show --json shows them", async () => {
    const file = join(dir, "saml.json");
    await writeFile(
      file,
      JSON.stringify({ entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificates: [idp.key.certificatePem], jitProvisioning: true, clockSkewSeconds: 60 }),
    );
    expect((await run("saml", "set", org.id, file)).code).toBe(0);
    const shown = await run("saml", "show", org.id, "--json");
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ enabled: true, jitProvisioning: true, clockSkewSeconds: 60, source: "manual" });
    expect((await run("saml", "show", org.id)).stdout).toContain("just-in-time provisioning on, clock skew 60 s");
  });

  it("reports the server's refusal (exit 1) and a missing or unreadable file (exit 2)", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ entityId: idp.entityId, ssoUrl: "http://idp.example/sso", certificates: [idp.key.certificatePem] }));
    const refused = await run("saml", "set", org.id, bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/must be an https:\/\/ URL.*\(HTTP 400\)/);
    const missing = await run("saml", "set", org.id, join(dir, "nope.xml"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("ENOENT");
    const broken = join(dir, "broken.json");
    await writeFile(broken, "{ not json");
    expect((await run("saml", "set", org.id, broken)).code).toBe(2);
  });

  it("saml disable <org> switches it off; show says so", async () => {
    const off = await run("saml", "disable", org.id);
    expect(off).toMatchObject({ code: 0 });
    expect(off.stdout).toContain("SAML sign-in is off");
    expect((await run("saml", "show", org.id)).stdout).toContain("not configured");
    expect((await run("saml", "disable", org.id)).code).toBe(1);
  });

  it("is listed in the help", async () => {
    const help = await run("saml", "--help");
    expect(help.stdout).toMatch(/saml set <org> <file>/);
    expect(help.stdout).toMatch(/saml show <org>/);
    expect(help.stdout).toMatch(/saml disable <org>/);
  });
});
