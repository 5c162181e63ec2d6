import { h, uid } from "../dom.ts";

export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel: string;
  /** A destructive action: the confirm button is red and Cancel has the focus. */
  danger?: boolean;
}

/**
 * A modal confirmation on the native <dialog>: showModal() makes the rest of
 * the page inert (focus stays inside), Escape cancels, and focus returns to
 * the control that opened it.
 */
export function confirmDialog({ title, message, confirmLabel, danger = false }: ConfirmOptions): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uid("dlg");
  const textId = uid("dlg");
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const confirm = h("button", { type: "button", class: danger ? "danger" : "primary" }, confirmLabel);
  const dialog = h(
    "dialog",
    { class: "dialog", "aria-labelledby": titleId, "aria-describedby": textId },
    h("h2", { id: titleId }, title),
    h("p", { id: textId }, message),
    h("div", { class: "dialog-actions" }, cancel, confirm),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    let result = false;
    cancel.addEventListener("click", () => dialog.close());
    confirm.addEventListener("click", () => {
      result = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      opener?.focus();
      resolve(result);
    });
    dialog.showModal();
    (danger ? cancel : confirm).focus();
  });
}
