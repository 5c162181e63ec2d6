// Steps a person takes in the console, as the browser takes them: through the
// sign-in page, the identity provider's redirect and our ACS.
import type { Page } from "playwright-core";
import { ADMIN_TOKEN, type ConsoleWorld } from "./console-world.ts";

/** SP-initiated SAML sign-in from the console's sign-in page, ending on `landing` (a console path). */
export async function signInWithSso(page: Page, world: ConsoleWorld, email: string, landing?: string): Promise<void> {
  world.idp.signInAs(email);
  await page.goto(`${world.url}/admin/`);
  await page.waitForURL(/\/admin\/sign-in/);
  await page.getByLabel("Work email").fill(email);
  await page.getByRole("button", { name: "Continue with single sign-on" }).click();
  await page.waitForURL(`${world.url}${landing ?? `/admin/orgs/${world.org.id}/users`}`);
}

export async function signInAsOperator(page: Page, world: ConsoleWorld, token = ADMIN_TOKEN): Promise<void> {
  await page.goto(`${world.url}/admin/`);
  await page.waitForURL(/\/admin\/sign-in/);
  await page.getByLabel("Operator token").fill(token);
  await page.getByRole("button", { name: "Sign in as operator" }).click();
}

/** The console's own main heading (h1), once the page has rendered it. */
export function heading(page: Page, name: string | RegExp) {
  return page.getByRole("heading", { level: 1, name });
}
