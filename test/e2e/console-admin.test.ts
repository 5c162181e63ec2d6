// The admin console end to end, as an organization administrator: sign-in
// through the organization's SAML IdP (loopback), then the day-to-day flows
// (domains with DNS verification on a loopback DNS server, seats, CSV import,
// suspending a user, the live SCIM request list) in headless Chromium against
// a real server on a real database. Each flow saves a screenshot.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { checkpoint, chromiumMissing, launchBrowser, openPage, type WatchedPage } from "./support/browser.ts";
import { heading, signInWithSso } from "./support/console-steps.ts";
import { type ConsoleWorld, DOMAIN, startConsoleWorld } from "./support/console-world.ts";

// A browser flow takes a few seconds alone, longer when the whole suite shares the machine.
vi.setConfig({ testTimeout: 90_000 });

describe.skipIf(chromiumMissing).each(ENGINES)("admin console as an organization administrator on %s", (engine) => {
  let world: ConsoleWorld;
  let browser: Browser;
  let signedIn: WatchedPage | undefined;
  let aliceId: string;

  beforeAll(async () => {
    [world, browser] = await Promise.all([startConsoleWorld(engine), launchBrowser()]);
    await world.provision("ada", { roles: ["org:admin"], displayName: "Ada Admin" });
    aliceId = await world.provision("alice", { entitlements: ["meeting"], displayName: "Alice Example" });
    await world.provision("bob", { entitlements: ["meeting"] });
  });
  afterAll(async () => {
    await signedIn?.close();
    await browser?.close();
    await world?.close();
  });

  /** One signed-in browser shared by the flows (signing in is the first flow). */
  async function admin(): Promise<WatchedPage> {
    if (!signedIn) {
      signedIn = await openPage(browser);
      await signInWithSso(signedIn.page, world, `ada@${DOMAIN}`);
    }
    return signedIn;
  }

  it("signs an administrator in through the identity provider and lands on Users", async () => {
    const { page } = await admin();
    expect(world.idp.requests.length).toBeGreaterThan(0);
    await heading(page, "Users").waitFor();
    await expect(page.locator(".topbar .who").textContent()).resolves.toBe(`ada@${DOMAIN}`);
    await expect(page.locator(".topbar .org-name").textContent()).resolves.toBe("Acme");
    const rows = page.locator("tbody tr");
    await rows.nth(2).waitFor();
    expect(await rows.count()).toBe(3);
    // The session cookie is HttpOnly: the page's scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain("sg_session");
    await checkpoint(page, "admin-sign-in");
  });

  it("adds a domain, shows the TXT record to publish, and verifies it against DNS", async () => {
    const { page, context } = await admin();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: world.url });
    await page.getByRole("link", { name: "Domains" }).click();
    await heading(page, "Domains").waitFor();
    await page.getByLabel("Domain name").fill("newco.test");
    await page.getByRole("button", { name: "Add domain" }).click();
    const card = page.locator('[data-domain="newco.test"]');
    await card.getByText("Pending verification").waitFor();
    const name = await card.getByRole("textbox", { name: "TXT record name for newco.test" }).inputValue();
    const value = await card.getByRole("textbox", { name: "TXT record value for newco.test" }).inputValue();
    expect(name).toBe("_scim-gate-challenge.newco.test");
    expect(value).toMatch(/^scim-gate-verification=/);
    await card.getByRole("button", { name: "Copy TXT record value for newco.test" }).click();
    await card.getByText("Copied").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value);

    // Verify before the record exists: the server's refusal is shown, the domain stays pending.
    await card.getByRole("button", { name: "Verify" }).click();
    await card.getByRole("alert").waitFor();
    expect(await card.getByRole("alert").textContent()).toMatch(/422/);
    await checkpoint(page, "domains-txt-record");

    world.dns.setTxt(name, [value]);
    await card.getByRole("button", { name: "Verify" }).click();
    await page.locator('[data-domain="newco.test"] .badge', { hasText: "Verified" }).waitFor();
    const { domains } = await world.admin<{ domains: { name: string; status: string }[] }>("GET", `/orgs/${world.org.id}/domains`);
    expect(domains.find((d) => d.name === "newco.test")?.status).toBe("verified");
    await checkpoint(page, "domains");
  });

  it("shows seat usage per product and sets the number of seats", async () => {
    const { page } = await admin();
    await page.getByRole("link", { name: "Products & seats" }).click();
    await heading(page, "Products & seats").waitFor();
    const meeting = page.locator('[data-product="meeting"]');
    await expect(meeting.locator(".usage-legend").textContent()).resolves.toBe("2 assigned0 pending3 freeof 5 seats");
    await meeting.getByLabel("Seats of meeting").fill("12");
    await meeting.getByRole("button", { name: "Set seats" }).click();
    await meeting.getByText("meeting: 12 seats.").waitFor();
    await meeting.locator(".usage-legend", { hasText: "of 12 seats" }).waitFor();
    await expect(meeting.locator(".usage-legend").textContent()).resolves.toBe("2 assigned0 pending10 freeof 12 seats");
    const bar = meeting.locator(".bar");
    expect(await bar.getAttribute("aria-label")).toBe("2 assigned, 0 pending, 10 free of 12 seats");

    // Below what is assigned: the server refuses, and says why.
    await meeting.getByLabel("Seats of meeting").fill("1");
    await meeting.getByRole("button", { name: "Set seats" }).click();
    await meeting.getByRole("alert").getByText(/cannot be lowered/).waitFor();
    const { products } = await world.admin<{ products: { key: string; seats: number }[] }>("GET", `/orgs/${world.org.id}/products`);
    expect(products.find((p) => p.key === "meeting")?.seats).toBe(12);
    await checkpoint(page, "seats");
  });

  it("imports users from a CSV file: preview with per-row errors, then apply with progress and a report", async () => {
    const { page } = await admin();
    await page.getByRole("link", { name: "CSV import" }).click();
    await heading(page, "CSV import").waitFor();
    const template = page.getByRole("link", { name: "Download the template" });
    expect(await template.getAttribute("href")).toBe(`/admin/v1/orgs/${world.org.id}/imports/template.csv`);

    const csv = (rows: string[]) => ({ name: "users.csv", mimeType: "text/csv", buffer: Buffer.from(["firstName,lastName,email,products", ...rows].join("\r\n")) });
    await page.getByLabel(/CSV file/).setInputFiles(csv(["Carol,Jones,carol@acme.test,meeting", "Dan,Brown,dan@elsewhere.example,"]));
    await page.getByRole("button", { name: "Preview" }).click();
    const errorRow = page.locator("tr.row-error");
    await errorRow.waitFor();
    expect(await errorRow.textContent()).toContain("dan@elsewhere.example");
    expect(await page.getByRole("button", { name: /^Create/ }).count()).toBe(0);
    await checkpoint(page, "import-preview-errors");

    await page.getByLabel(/CSV file/).setInputFiles(csv(["Carol,Jones,carol@acme.test,meeting", "Dan,Brown,dan@acme.test,webinar"]));
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByRole("button", { name: "Create 2 users" }).click();
    await page.getByText("2 users created.").waitFor();
    expect(await page.locator("progress").evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([2, 2]);
    await page.getByRole("link", { name: "carol@acme.test" }).waitFor();
    const found = await world.admin<{ users: { userName: string; products: { granted: string[] } }[] }>("GET", `/orgs/${world.org.id}/users?q=carol`);
    expect(found.users.map((u) => [u.userName, u.products.granted])).toEqual([["carol@acme.test", ["meeting"]]]);
    await checkpoint(page, "import");
  });

  it("suspends a user after a confirmation that Escape cancels", async () => {
    const { page } = await admin();
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByLabel("Search").fill("alice");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\?q=alice$/);
    await page.getByRole("link", { name: `alice@${DOMAIN}` }).click();
    await heading(page, `alice@${DOMAIN}`).waitFor();
    await page.getByText("meeting", { exact: true }).waitFor();

    const suspend = page.getByRole("button", { name: "Suspend" });
    await suspend.click();
    const dialog = page.getByRole("dialog", { name: `Suspend alice@${DOMAIN}?` });
    await dialog.waitFor();
    // A destructive action: Cancel has the focus, and Escape closes without doing anything.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Suspend");
    const still = await world.admin<{ active: boolean }>("GET", `/orgs/${world.org.id}/users/${aliceId}`);
    expect(still.active).toBe(true);

    await suspend.click();
    await dialog.getByRole("button", { name: "Suspend" }).click();
    await page.locator(".badge", { hasText: "Suspended" }).waitFor();
    await page.getByRole("button", { name: "Restore" }).waitFor();
    const after = await world.admin<{ active: boolean; products: { granted: string[] }; recentAuditEvents: { action: string; actor: { kind: string } }[] }>(
      "GET",
      `/orgs/${world.org.id}/users/${aliceId}`,
    );
    expect(after.active).toBe(false);
    expect(after.products.granted).toEqual([]);
    expect(after.recentAuditEvents[0]).toMatchObject({ action: "user.suspended", actor: { kind: "admin" } });
    await page.locator("table code", { hasText: "user.suspended" }).first().waitFor();
    await checkpoint(page, "suspend-user");
  });

  it("lists SCIM requests as they arrive, errors highlighted with the detail the IdP received", async () => {
    const { page } = await admin();
    await page.getByRole("link", { name: "Provisioning" }).click();
    await heading(page, "Provisioning").waitFor();
    await page.getByRole("region", { name: "SCIM tokens" }).getByRole("cell", { name: "Entra ID", exact: true }).waitFor();

    const ok = await world.scim("GET", "/Users?filter=userName%20eq%20%22bob%40acme.test%22");
    expect(ok.status).toBe(200);
    const bad = await world.scim("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "mallory@outside.example",
      emails: [{ value: "mallory@outside.example", type: "work", primary: true }],
    });
    expect(bad.status).toBe(400);
    const detail = ((await bad.json()) as { detail: string }).detail;

    const errorRow = page.locator("tr.row-error", { hasText: "POST /scim/v2/Users" });
    await errorRow.waitFor({ timeout: 15_000 });
    expect(await errorRow.locator(".error-detail").textContent()).toBe(`invalidValue: ${detail}`);
    await page.locator("tbody tr:not(.row-error)", { hasText: "GET /scim/v2/Users?filter=" }).waitFor();
    await page.getByText(/^Live: updated at/).waitFor();

    // "Errors only" keeps the failed request and drops the successful one.
    await page.getByLabel("Errors only").check();
    await page.locator("tbody tr", { hasText: "GET /scim/v2/Users" }).waitFor({ state: "detached" });
    await errorRow.waitFor();
    await checkpoint(page, "provisioning");

    // A new token: its secret is shown once, and the requests made with it are listed under it.
    await page.getByLabel("Errors only").uncheck();
    await page.getByLabel("Label", { exact: true }).fill("Okta");
    await page.getByRole("button", { name: "Create token" }).click();
    const secret = await page.getByRole("textbox", { name: "secret token", exact: true }).inputValue();
    expect(secret).toMatch(/^scim_/);
    const withNew = await fetch(`${world.url}/scim/v2/Groups?count=1`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(withNew.status).toBe(200);
    await page.getByLabel("Token", { exact: true }).selectOption({ label: "Okta" });
    await page.locator("tbody tr", { hasText: "GET /scim/v2/Groups?count=1" }).waitFor();
    const log = page.getByRole("region", { name: "Recent SCIM requests" });
    expect(await log.locator("tbody td:nth-child(2)").allTextContents()).toEqual(["Okta"]);
    await checkpoint(page, "provisioning-new-token");
    await page.getByRole("button", { name: "I have stored it" }).click();
    expect(await page.getByRole("textbox", { name: "secret token", exact: true }).count()).toBe(0);
    await page.getByRole("region", { name: "SCIM tokens" }).getByRole("cell", { name: "Okta", exact: true }).waitFor();
  });
});
