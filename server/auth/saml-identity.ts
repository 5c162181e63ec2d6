import type { Profile } from "@node-saml/passport-saml";
import type { SignInIdentity } from "../domain/sign-in.ts";

// Attribute names identity providers use for the email address, by provider default:
// Entra ID (WS-Fed claim URIs), LDAP/eduPerson OIDs (JumpCloud, Shibboleth), plain names (Okta, OneLogin, Google).
const EMAIL = [
  "email",
  "mail",
  "emailAddress",
  "Email",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
  "urn:oid:0.9.2342.19200300.100.1.3",
];
const DISPLAY_NAME = ["displayName", "http://schemas.microsoft.com/identity/claims/displayname", "urn:oid:2.16.840.1.113730.3.1.241"];
const GIVEN_NAME = ["givenName", "firstName", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42"];
const FAMILY_NAME = ["sn", "surname", "lastName", "familyName", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4"];

/** The person an assertion names, from the profile node-saml built out of the verified assertion. */
export function identityOf(profile: Profile): SignInIdentity {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const strings = (names: string[]) => names.flatMap((n) => valuesOf(attributes[n]));
  const first = (names: string[]) => strings(names)[0];
  return {
    nameId: typeof profile.nameID === "string" && profile.nameID.trim() ? profile.nameID.trim() : undefined,
    emails: [...new Set(strings(EMAIL))],
    displayName: first(DISPLAY_NAME),
    givenName: first(GIVEN_NAME),
    familyName: first(FAMILY_NAME),
  };
}

function valuesOf(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is string => typeof x === "string" && x.trim() !== "").map((x) => x.trim());
}
