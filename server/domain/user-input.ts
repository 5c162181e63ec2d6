import { normaliseEmail } from "./domains.ts";
import { InvalidValueError } from "./errors.ts";
import { assertIndexable, assertStorableText } from "./text-rules.ts";
import type { User } from "./users.ts";

export interface EmailInput {
  value: string;
  type: string | null;
  primary: boolean;
}

/** What a protocol (SCIM, CSV import, admin API) hands the domain to create or replace a user. */
export interface UserInput {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  emails: EmailInput[];
  /** The whole attribute document as the protocol will render it back (no id, meta, password, roles). */
  profile: Record<string, unknown>;
  /** A new password to store (hashed), or undefined to keep the current one. */
  password?: string | undefined;
  /** Products the user is given directly (SCIM `entitlements` values). */
  products: string[];
  /** Role values as an identity provider sends them (SCIM `roles`); see roles.ts for what they may change. */
  roleValues: string[];
}

/** The input that would write a user back unchanged (admin actions that change one thing). */
export function inputOf(user: User): UserInput {
  const emails = Array.isArray(user.profile.emails) ? (user.profile.emails as Record<string, unknown>[]) : [];
  const entitlements = Array.isArray(user.profile.entitlements) ? (user.profile.entitlements as { value?: unknown }[]) : [];
  return {
    userName: user.userName,
    externalId: user.externalId,
    displayName: user.displayName,
    active: user.active,
    emails: emails.map((e) => ({ value: String(e.value ?? ""), type: typeof e.type === "string" ? e.type : null, primary: e.primary === true })),
    profile: user.profile,
    products: entitlements.map((e) => String(e.value ?? "")),
    roleValues: [],
  };
}

/** Email domains are lower-cased (RFC 7643 §4.1.2 canonical form); local parts and userName are kept as sent. */
export function normalise(input: UserInput): UserInput {
  const emails = input.emails.map((e) => ({ ...e, value: normaliseEmail(e.value) }));
  const profileEmails = Array.isArray(input.profile.emails)
    ? (input.profile.emails as Record<string, unknown>[]).map((e) =>
        typeof e.value === "string" ? { ...e, value: normaliseEmail(e.value) } : e,
      )
    : undefined;
  return {
    ...input,
    emails,
    profile: profileEmails ? { ...input.profile, emails: profileEmails } : input.profile,
    products: [...new Set(input.products)],
  };
}

export function validate(input: UserInput): void {
  if (!input.userName.trim()) throw new InvalidValueError("userName must not be empty");
  for (const e of input.emails) {
    if (!e.value.trim()) throw new InvalidValueError("emails[].value must not be empty");
  }
  assertIndexable("userName", input.userName);
  assertIndexable("externalId", input.externalId);
  assertIndexable("displayName", input.displayName);
  input.emails.forEach((e, i) => assertIndexable(`emails[${i}].value`, e.value));
  assertStorableText(input.profile);
}

export function addressesChanged(current: User, input: UserInput): boolean {
  const before = inputOf(current);
  const key = (u: Pick<UserInput, "userName" | "emails">) =>
    JSON.stringify([u.userName.toLowerCase(), u.emails.map((e) => [e.value.toLowerCase(), e.type?.toLowerCase() ?? null, e.primary])]);
  return key(before) !== key(input);
}

/** What the audit trail records of a user: its attributes and roles, never its password. */
export function auditView(user: User): Record<string, unknown> {
  return { ...user.profile, userName: user.userName, active: user.active, roles: user.roles };
}


/** Whether the stored email rows (value, type, primary, in order) would change. */
export function emailsChanged(current: User, input: UserInput): boolean {
  return JSON.stringify(inputOf(current).emails) !== JSON.stringify(input.emails);
}
