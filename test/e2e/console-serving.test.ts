// How the server serves the console, without a browser (so it runs where
// Chromium is absent too): index.html for every console address with the
// strict CSP and no caching, the bundle under content-hashed names cached for
// good, and the admin API's own paths never answered with the page.
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_CSP } from "../../server/console/console-router.ts";
import { ENGINES } from "../support/engines.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

describe.each(ENGINES)("console serving on %s", (engine) => {
  let server: TestServer;
  let html: string;
  beforeAll(async () => {
    server = await startTestServer(engine);
    html = (await supertest(server.app).get("/admin/").expect(200)).text;
  });
  afterAll(() => server.close());

  const assetsOf = (page: string) => [...page.matchAll(/(?:src|href)="(\/admin\/assets\/[^"]+)"/g)].map((m) => m[1]!);

  it("answers index.html, uncached and under the strict CSP, at every console address", async () => {
    for (const path of ["/admin", "/admin/", "/admin/sign-in", "/admin/orgs/01a1fd65-9856-73a0-b1ba-ca729fc2950d/users/x?q=a", "/admin/sso-test"]) {
      const res = await supertest(server.app).get(path).expect(200);
      expect(res.headers["content-type"], path).toBe("text/html; charset=utf-8");
      expect(res.headers["content-security-policy"], path).toBe(CONSOLE_CSP);
      expect(res.headers["cache-control"], path).toBe("no-store");
      expect(res.headers["x-frame-options"], path).toBe("DENY");
      expect(res.text, path).toBe(html);
    }
    expect(CONSOLE_CSP).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it("has no inline script or style: one module script and one stylesheet, both same-origin", () => {
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(assetsOf(html)).toEqual([expect.stringMatching(/^\/admin\/assets\/app-[0-9a-f]{16}\.css$/), expect.stringMatching(/^\/admin\/assets\/app-[0-9a-f]{16}\.js$/)]);
  });

  it("serves the bundle under content-hashed names, cached for a year", async () => {
    for (const asset of assetsOf(html)) {
      const res = await supertest(server.app).get(asset).buffer(true).parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => done(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(res.headers["content-type"]).toBe(asset.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
      const body = (res.body as Buffer).toString("utf8");
      expect(body.length).toBeGreaterThan(1000);
      // The page never builds markup from strings.
      if (asset.endsWith(".js")) expect(body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
    }
  });

  it("leaves unknown assets, other methods and the admin API's own paths alone", async () => {
    await supertest(server.app).get("/admin/assets/app-0000000000000000.js").expect(404);
    await supertest(server.app).post("/admin/users").expect(404);
    const api = await server.admin("get", "/no-such-endpoint").expect(404);
    expect(api.headers["content-type"]).toMatch(/json/);
    const unauthenticated = await supertest(server.app).get("/admin/v1/no-such-endpoint").expect(401);
    expect(unauthenticated.headers["content-type"]).toMatch(/json/);
  });
});
