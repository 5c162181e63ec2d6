// Every identity provider's recorded lifecycle (idp-fixtures/<provider>/transcript.json)
// replayed over real HTTP against a real server on each engine, on every CI run.
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listProviders, loadTranscript, replayTranscript } from "../../server/idp-replay/index.ts";
import { ENGINES } from "../support/engines.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { formatFailures } from "./report.ts";

const PROVIDERS = await listProviders();

describe("the transcript set", () => {
  it("covers every major identity provider", () => {
    expect(PROVIDERS).toEqual(expect.arrayContaining(["ad-connector", "entra-id", "google-workspace", "jumpcloud", "okta", "onelogin"]));
  });
});

describe.each(ENGINES)("identity-provider transcripts replayed on %s", (engine) => {
  let server: TestServer;
  let listener: Server;
  let scimUrl: string;

  beforeAll(async () => {
    server = await startTestServer(engine);
    listener = server.app.listen(0, "127.0.0.1");
    await once(listener, "listening");
    scimUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/scim/v2`;
  });
  afterAll(async () => {
    listener.closeAllConnections();
    await new Promise((resolve) => listener.close(resolve));
    await server.close();
  });

  it.each(PROVIDERS)("%s: every step of its lifecycle passes", async (provider) => {
    const transcript = await loadTranscript(provider);
    const org = await server.newOrg(provider, { domain: `${provider}.test` });
    for (const [key, seats] of Object.entries(transcript.requires.products ?? {})) {
      await server.admin("put", `/orgs/${org.id}/products/${key}`).send({ seats }).expect(200);
    }
    // A page size of 2 makes the few users of a transcript span several pages.
    const result = await replayTranscript({ transcript, url: scimUrl, token: org.token, domain: org.domain, pageSize: 2 });
    expect(result.steps).toHaveLength(transcript.steps.length);
    expect(formatFailures(result)).toBe("");
  });
});
