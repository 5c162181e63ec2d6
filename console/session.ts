import { ApiError, getJson, send, setCsrfToken } from "./api.ts";

/** What GET /admin/v1/session says about the signed-in person. */
export interface Session {
  kind: "operator" | "admin";
  /** Sent back in X-CSRF-Token on every change (null for Bearer callers, who need none). */
  csrfToken: string | null;
  user: { id: string; userName: string } | null;
  organization: { id: string; name: string } | null;
  access: "read-write" | "read-only";
  /** The sections this person may change (everyone signed in may read every section). */
  permissions: string[];
  /** The role that let them in ("operator", "administrator", "manager", "admin-readonly", …). */
  role?: string;
}

export type SessionState =
  | { state: "signed-in"; session: Session }
  | { state: "signed-out" }
  /** Signed in with SAML, but not an administrator of the organization. */
  | { state: "not-admin"; message: string };

export async function loadSession(): Promise<SessionState> {
  try {
    const session = await getJson<Session>("/session");
    setCsrfToken(session.csrfToken ?? undefined);
    return { state: "signed-in", session };
  } catch (e) {
    setCsrfToken(undefined);
    if (e instanceof ApiError && e.status === 401) return { state: "signed-out" };
    if (e instanceof ApiError && e.status === 403) return { state: "not-admin", message: e.message };
    throw e;
  }
}

export async function signOut(): Promise<void> {
  try {
    await send("DELETE", "/session");
  } catch (e) {
    // A signed-in user who is no administrator has no console session to end: end the SAML session itself.
    if (!(e instanceof ApiError && e.status === 403)) throw e;
    await fetch("/logout", { method: "POST", credentials: "same-origin", cache: "no-store" });
  } finally {
    setCsrfToken(undefined);
  }
}

/** Whether any change at all is allowed (the read-only banner). */
export const canWrite = (s: Session): boolean => s.access === "read-write";

/** Whether changes to a section are allowed; the server decides again on every request. */
export const mayWrite = (s: Session, section: string): boolean => s.permissions.includes(section);
