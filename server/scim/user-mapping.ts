import type { User, UserGroupRef, UserInput } from "../domain/users.ts";
import { etagOf } from "./etag.ts";
import { coerceStringBooleans } from "./dialects/string-booleans.ts";
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA, userSchemaDefinition } from "./schemas.ts";
import { invalidSyntax, invalidValue } from "./scim-error.ts";

/** A SCIM User request body (POST, PUT) → domain input, validated by scimmy's schema. */
export function userInputFromBody(body: unknown): UserInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidSyntax("The request body must be a JSON object holding a SCIM User");
  }
  return userInputFromDocument(body as Record<string, unknown>);
}

/** Any User document (a body, or a stored profile after PATCH) → validated domain input. */
export function userInputFromDocument(doc: Record<string, unknown>): UserInput {
  const definition = userSchemaDefinition();
  let coerced: Record<string, unknown>;
  try {
    coerced = JSON.parse(JSON.stringify(definition.coerce(coerceStringBooleans(doc, definition), "in")));
  } catch (e) {
    throw invalidValue((e as Error).message);
  }
  // Never stored in the profile: id and meta are ours, password is write-only,
  // groups is read-only and derived from memberships.
  const { schemas: _s, meta: _m, id: _i, password, groups: _g, ...profile } = coerced;
  const emails = Array.isArray(profile.emails) ? (profile.emails as Record<string, unknown>[]) : [];
  return {
    userName: String(profile.userName),
    externalId: typeof profile.externalId === "string" ? profile.externalId : null,
    displayName: typeof profile.displayName === "string" ? profile.displayName : null,
    active: profile.active !== false,
    emails: emails.map((e) => ({
      value: String(e.value ?? ""),
      type: typeof e.type === "string" ? e.type : null,
      primary: e.primary === true,
    })),
    profile: { ...profile, active: profile.active !== false },
    password: typeof password === "string" ? password : undefined,
  };
}

/** Domain user → SCIM User resource (RFC 7643 §4.1). */
export function renderUser(user: User, groups: UserGroupRef[], baseUrl: string): Record<string, unknown> {
  const hasEnterprise = ENTERPRISE_USER_SCHEMA in user.profile;
  return {
    schemas: hasEnterprise ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
    id: user.id,
    ...user.profile,
    userName: user.userName,
    active: user.active,
    ...(groups.length
      ? {
          groups: groups.map((g) => ({
            value: g.id,
            $ref: `${baseUrl}/Groups/${g.id}`,
            display: g.displayName,
            type: "direct",
          })),
        }
      : {}),
    meta: {
      resourceType: "User",
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: `${baseUrl}/Users/${user.id}`,
      version: etagOf(user.version),
    },
  };
}

/** The stored document PATCH operates on (what the client would see, minus read-only parts). */
export function patchableUser(user: User): Record<string, unknown> {
  return { ...user.profile, userName: user.userName, active: user.active };
}
