// Headless Chromium for the console's end-to-end tests: Debian's package at
// /usr/bin/chromium (CI installs it), driven by playwright-core; never a
// browser download. Every page is watched for script errors and CSP
// violations, which fail the test that caused them.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
export const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) {
  console.warn(`console end-to-end tests SKIPPED: ${CHROMIUM} not found (install Debian's chromium package; CI does)`);
}

const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Script errors, failed console messages and CSP violations seen so far. */
  problems: string[];
  /** Fails the test if the page reported any problem; closes the context. */
  close(): Promise<void>;
}

/** A fresh context (no cookies) at laptop size, with one page under watch. */
export async function openPage(browser: Browser, options: { allowConsoleErrors?: RegExp } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  // Generous: the whole suite runs in parallel with this browser.
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    // A refused API call is logged by Chromium as "Failed to load resource: … 4xx": expected in refusal flows.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    if (options.allowConsoleErrors?.test(text)) return;
    problems.push(`console error: ${text}`);
  });
  return {
    page,
    context,
    problems,
    async close() {
      await context.close();
      expect(problems, "script errors or CSP violations in the page").toEqual([]);
    },
  };
}

/**
 * The end of a flow: every form control on the page has a label (or an
 * accessible name), then the page is saved as test/e2e/screenshots/<flow>.png
 * (the folder is not committed).
 */
export async function checkpoint(page: Page, flow: string): Promise<void> {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea")]
      .filter((c) => c.type !== "hidden" && !c.labels?.length && !c.getAttribute("aria-label") && !c.getAttribute("aria-labelledby"))
      .map((c) => c.outerHTML),
  );
  expect(unlabelled, `form controls without a label on ${flow}`).toEqual([]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${flow}.png`, fullPage: true });
}
