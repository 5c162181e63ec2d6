import { SamlStatusError } from "@node-saml/passport-saml";
import { type RefusalReason, SignInRefusedError } from "../domain/sign-in.ts";
import type { ResponseFacts } from "./response-checks.ts";

/**
 * Names a failed validation. node-saml reports failures as plain Errors, so
 * its messages (node-saml 5.1 src/saml.ts and src/xml.ts) are matched here,
 * in one place; anything unrecognised is "invalid_response" with the message
 * kept as the detail. The reason only labels a refusal that has already
 * happened, so using unverified facts (was the assertion signed at all? which
 * time was off?) to choose the label is safe.
 */
export function refusalOf(
  err: unknown,
  facts: ResponseFacts | undefined,
  now: Date = new Date(),
): { reason: RefusalReason; detail: string; userId?: string | undefined } {
  if (err instanceof SignInRefusedError) return { reason: err.reason, detail: err.message, userId: err.userId };
  const detail = err instanceof Error ? err.message : String(err);
  const reason = ((): RefusalReason => {
    if (err instanceof SamlStatusError) return "idp_error";
    if (/multiple assertions/i.test(detail)) return "multiple_assertions";
    if (/signature|signed references|referenced node|ID cannot refer/i.test(detail)) {
      return facts && !facts.assertionSigned ? "unsigned" : "invalid_signature";
    }
    if (/InResponseTo is missing/.test(detail)) return "unsolicited";
    if (/InResponseTo does not match/.test(detail)) return "in_response_to_mismatch";
    if (/InResponseTo is not valid/i.test(detail)) return "unknown_in_response_to";
    if (/not yet valid/.test(detail)) return "not_yet_valid";
    if (/expired/.test(detail)) return "expired";
    // node-saml found no SubjectConfirmation inside its validity window: say which side it missed.
    if (/No valid subject confirmation/.test(detail)) {
      const early = facts?.claimedTimes.notBefore.some((d) => d.getTime() > now.getTime()) ?? false;
      return early ? "not_yet_valid" : "expired";
    }
    if (/audience/i.test(detail)) return "wrong_audience";
    if (/decrypt|EncryptedAssertion/i.test(detail)) return "encrypted_assertion";
    return "invalid_response";
  })();
  return { reason, detail };
}

/** Where a refusal sends the person: what went wrong in words, without internals. */
export const REASON_TEXT: Partial<Record<RefusalReason, string>> = {
  domain_not_verified: "Your email address is not in a verified domain of this organization.",
  unknown_user: "There is no account for you in this organization yet. Ask your administrator to give you access.",
  user_suspended: "Your account in this organization is suspended.",
  ambiguous_user: "Several accounts in this organization use your email address. Ask your administrator to fix it.",
  no_email: "Your identity provider did not send an email address.",
  jit_refused: "Your account could not be created. Ask your administrator.",
  unsolicited: "Start signing in from this application, not from your identity provider's portal.",
  expired: "The sign-in took too long or your clock is off. Please try again.",
  replayed: "This sign-in response was already used. Please sign in again.",
  unknown_in_response_to: "This sign-in attempt is unknown or was already completed. Please sign in again.",
};
