// Who gets into the admin console and what they may do, end to end in
// headless Chromium: a read-only administrator is refused every change by the
// server (not only by disabled buttons), the operator signs in with
// ADMIN_TOKEN, a non-administrator is kept out, and the single sign-on page
// (metadata upload, SP metadata download, test sign-in) works against the
// loopback identity provider. Each flow saves a screenshot.
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { checkpoint, chromiumMissing, launchBrowser, openPage } from "./support/browser.ts";
import { heading, signInAsOperator, signInWithSso } from "./support/console-steps.ts";
import { type ConsoleWorld, DOMAIN, startConsoleWorld } from "./support/console-world.ts";

// A browser flow takes a few seconds alone, longer when the whole suite shares the machine.
vi.setConfig({ testTimeout: 90_000 });

describe.skipIf(chromiumMissing).each(ENGINES)("admin console access on %s", (engine) => {
  let world: ConsoleWorld;
  let browser: Browser;

  beforeAll(async () => {
    [world, browser] = await Promise.all([startConsoleWorld(engine), launchBrowser()]);
    await world.provision("ada", { roles: ["org:admin"] });
    await world.provision("rita", { roles: ["org:admin-readonly"] });
    await world.provision("carol", { entitlements: ["meeting"] });
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  it("shows a read-only administrator everything, disables changes, and the server refuses them anyway", async () => {
    const w = await openPage(browser);
    const { page } = w;
    await signInWithSso(page, world, `rita@${DOMAIN}`);
    await page.getByText("You have read-only access: you can see everything here and change nothing.").waitFor();
    await expect(page.locator(".topbar .access").textContent()).resolves.toBe("Read-only");

    await page.getByRole("link", { name: "Products & seats" }).click();
    const meeting = page.locator('[data-product="meeting"]');
    const setSeats = meeting.getByRole("button", { name: "Set seats" });
    await setSeats.waitFor();
    expect(await setSeats.isDisabled()).toBe(true);
    expect(await meeting.getByLabel("Seats of meeting").isDisabled()).toBe(true);

    // A page tampered with (the button re-enabled): the server refuses, and the page says so.
    await meeting.getByLabel("Seats of meeting").evaluate((input: HTMLInputElement) => {
      input.disabled = false;
      input.value = "50";
    });
    await setSeats.evaluate((b: HTMLButtonElement) => (b.disabled = false));
    await setSeats.click();
    const alert = meeting.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/read-only.*\(403 read_only\)/);

    // Straight calls from the page's own context: with the CSRF token, refused as read-only; without it, as CSRF.
    const outcome = await page.evaluate(async (orgId) => {
      const session = (await (await fetch("/admin/v1/session")).json()) as { csrfToken: string };
      const put = (headers: Record<string, string>) =>
        fetch(`/admin/v1/orgs/${orgId}/products/meeting`, { method: "PUT", headers: { "Content-Type": "application/json", ...headers }, body: '{"seats":50}' }).then(
          async (r) => [r.status, ((await r.json()) as { error: string }).error],
        );
      return { withToken: await put({ "X-CSRF-Token": session.csrfToken }), withoutToken: await put({}) };
    }, world.org.id);
    expect(outcome).toEqual({ withToken: [403, "read_only"], withoutToken: [403, "csrf"] });
    const { products } = await world.admin<{ products: { key: string; seats: number }[] }>("GET", `/orgs/${world.org.id}/products`);
    expect(products.find((p) => p.key === "meeting")?.seats).toBe(5);

    await page.getByRole("link", { name: "Users" }).click();
    await page.getByRole("link", { name: `carol@${DOMAIN}` }).click();
    await heading(page, `carol@${DOMAIN}`).waitFor();
    for (const name of ["Suspend", "Delete", "Save roles"]) expect(await page.getByRole("button", { name }).isDisabled()).toBe(true);
    await checkpoint(page, "read-only");
    await w.close();
  });

  it("signs the operator in with the ADMIN_TOKEN, by keyboard, to pick an organization; signs out", async () => {
    const w = await openPage(browser);
    const { page } = w;
    await signInAsOperator(page, world, "not-the-operator-token-000");
    await page.getByText("That token is not the operator token.").waitFor();
    await checkpoint(page, "sign-in");

    await page.getByLabel("Operator token").fill("");
    await page.getByLabel("Operator token").focus();
    await page.keyboard.type("e2e-operator-token-0123456789abcdef");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${world.url}/admin/orgs`);
    await heading(page, "Organizations").waitFor();
    await expect(page.locator(".topbar .who").textContent()).resolves.toBe("Operator");
    expect(await page.evaluate(() => document.cookie)).toBe("");

    // Keyboard: on a fresh page the first Tab reaches the skip link, which moves focus to the page's content.
    await page.reload();
    await page.getByRole("link", { name: "Acme" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Acme");
    await page.getByRole("link", { name: "Acme" }).click();
    await page.waitForURL(`${world.url}/admin/orgs/${world.org.id}/users`);
    await page.getByRole("link", { name: `ada@${DOMAIN}` }).waitFor();
    await page.locator(".topbar .org-name", { hasText: /^Acme$/ }).waitFor();

    await page.getByRole("link", { name: "Switch organization" }).click();
    await page.getByLabel("Name").fill("Globex");
    await page.getByRole("button", { name: "Create organization" }).click();
    await heading(page, "Domains").waitFor();
    await page.locator(".topbar .org-name", { hasText: /^Globex$/ }).waitFor();
    await checkpoint(page, "operator");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${world.url}/admin/sign-in`);
    expect(await page.evaluate(() => fetch("/admin/v1/session").then((r) => r.status))).toBe(401);
    await w.close();
  });

  it("configures single sign-on from metadata, serves the SP metadata, and a test sign-in shows who signed in", async () => {
    const w = await openPage(browser);
    const { page } = w;
    await signInWithSso(page, world, `ada@${DOMAIN}`);
    await page.getByRole("link", { name: "Single sign-on" }).click();
    await heading(page, "Single sign-on").waitFor();
    expect(await page.getByRole("textbox", { name: "ACS URL", exact: true }).inputValue()).toBe(`${world.url}/sso/${world.org.id}/acs`);

    await page.getByLabel("IdP metadata file (XML)").setInputFiles({ name: "idp.xml", mimeType: "application/xml", buffer: Buffer.from(world.idp.metadataXml()) });
    await page.getByLabel("Just-in-time provisioning", { exact: false }).first().check();
    await page.getByRole("button", { name: "Upload and save" }).click();
    await page.getByText(/Configured from metadata/).waitFor();
    const saml = await world.admin<{ source: string; jitProvisioning: boolean; identityProvider: { ssoUrl: string } }>("GET", `/orgs/${world.org.id}/saml`);
    expect(saml).toMatchObject({ source: "metadata", jitProvisioning: true, identityProvider: { ssoUrl: world.idp.ssoUrl } });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download SP metadata" }).click()]);
    expect(download.suggestedFilename()).toBe("scim-gate-sp-metadata.xml");
    expect(readFileSync((await download.path())!, "utf8")).toContain(`entityID="${world.url}/sso/${world.org.id}"`);
    await checkpoint(page, "sso");

    // The test account need not be an administrator: the result page shows whoever the IdP vouched for.
    world.idp.signInAs(`carol@${DOMAIN}`);
    await page.getByRole("link", { name: "Test sign-in" }).click();
    await page.waitForURL(`${world.url}/admin/sso-test`);
    await page.getByText(`Single sign-on works: the identity provider signed in carol@${DOMAIN}.`).waitFor();
    await page.getByText("meeting", { exact: true }).waitFor();
    await checkpoint(page, "sso-test");

    // carol is now the browser's session, and no administrator: the console keeps her out.
    await page.goto(`${world.url}/admin/`);
    await heading(page, "No access to the admin console").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("has no administrator role");
    await checkpoint(page, "not-an-admin");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${world.url}/admin/sign-in`);
    expect(await page.evaluate(() => fetch("/me").then((r) => r.status))).toBe(401);
    await w.close();
  });

  it("shows groups with their products and members, and the audit trail with filters", async () => {
    const w = await openPage(browser);
    const { page } = w;
    const carol = await world.provision("carol2");
    const res = await world.scim("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Sales",
      members: [{ value: carol }],
    });
    expect(res.status).toBe(201);
    await signInWithSso(page, world, `ada@${DOMAIN}`);
    await page.getByRole("link", { name: "Groups" }).click();
    await page.getByRole("link", { name: "Sales" }).click();
    await heading(page, "Sales").waitFor();
    await page.getByRole("link", { name: `carol2@${DOMAIN}` }).waitFor();
    await page.getByLabel("webinar").check();
    await page.getByRole("button", { name: "Save products" }).click();
    await page.getByText("Products saved.").waitFor();
    const user = await world.admin<{ products: { granted: string[] } }>("GET", `/orgs/${world.org.id}/users/${carol}`);
    expect(user.products.granted).toEqual(["webinar"]);
    await checkpoint(page, "group");

    await page.getByRole("link", { name: "Audit trail" }).click();
    await page.getByLabel("Action").fill("group.");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/action=group\./);
    await page.locator("tbody code", { hasText: "group.created" }).waitFor();
    const actions = await page.locator("tbody tr td:nth-child(3)").allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.startsWith("group."))).toBe(true);
    await checkpoint(page, "audit");
    await w.close();
  });
});
