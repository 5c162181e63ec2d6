import { h } from "../dom.ts";
import { errorText } from "./notice.ts";

/**
 * Runs an action from a button: the button is disabled while it runs (no
 * double submit), and the outcome goes to `status` (an aria-live region).
 */
export async function runAction<T>(
  btn: HTMLButtonElement,
  status: { show(kind: "error" | "success" | "info", text: string): void },
  action: () => Promise<T>,
  success?: (result: T) => string | undefined,
): Promise<T | undefined> {
  const wasDisabled = btn.disabled;
  btn.disabled = true;
  btn.setAttribute("aria-busy", "true");
  try {
    const result = await action();
    const text = success?.(result);
    if (text) status.show("success", text);
    return result;
  } catch (e) {
    status.show("error", errorText(e));
    return undefined;
  } finally {
    btn.disabled = wasDisabled;
    btn.removeAttribute("aria-busy");
  }
}

/** A read-only text with a Copy button (clipboard API; selection + execCommand where it is unavailable, e.g. plain http). */
export function copyable(label: string, value: string): HTMLElement {
  const input = h("input", { type: "text", readonly: true, value, class: "mono", "aria-label": label, spellcheck: "false" });
  const status = h("span", { class: "copy-status", role: "status" });
  const copy = h("button", { type: "button", class: "secondary small" }, "Copy");
  copy.setAttribute("aria-label", `Copy ${label}`);
  copy.addEventListener("click", async () => {
    let ok = false;
    try {
      await navigator.clipboard.writeText(value);
      ok = true;
    } catch {
      input.select();
      ok = document.execCommand("copy");
    }
    status.textContent = ok ? "Copied" : "Select the text and copy it";
  });
  return h("div", { class: "copyable" }, input, copy, status);
}
