import { ApiError } from "../api.ts";
import { h, replace } from "../dom.ts";

export type NoticeKind = "error" | "success" | "info";

/** A message box; errors are announced at once (role=alert), the rest politely (role=status). */
export function notice(kind: NoticeKind, ...text: (string | Node)[]): HTMLElement {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, ...text);
}

/** What to show for a failure: the server's own message (it says what to do), with its code for support. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (${e.status} ${e.code})`;
  if (e instanceof TypeError) return "The server could not be reached. Check your connection and try again.";
  return e instanceof Error ? e.message : String(e);
}

/** An empty region that later shows the outcome of an action. */
export function messageArea(): { el: HTMLElement; show(kind: NoticeKind, text: string): void; error(e: unknown): void; clear(): void } {
  const el = h("div", { class: "message-area" });
  return {
    el,
    show: (kind, text) => replace(el, notice(kind, text)),
    error: (e) => replace(el, notice("error", errorText(e))),
    clear: () => replace(el),
  };
}
