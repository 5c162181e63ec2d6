import type { Group, GroupInput, Member, MemberRef } from "../domain/groups.ts";
import { etagOf } from "./etag.ts";
import { GROUP_SCHEMA, groupSchemaDefinition } from "./schemas.ts";
import { invalidSyntax, invalidValue } from "./scim-error.ts";

export interface GroupBody {
  input: GroupInput;
  members: MemberRef[];
}

/** A SCIM Group request body (POST, PUT) → domain input plus its member references. */
export function groupFromBody(body: unknown): GroupBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidSyntax("The request body must be a JSON object holding a SCIM Group");
  }
  const { input, members } = groupFromDocument(body as Record<string, unknown>);
  return { input, members: members ?? [] };
}

export function groupFromDocument(doc: Record<string, unknown>): { input: GroupInput; members?: MemberRef[] } {
  let coerced: Record<string, unknown>;
  try {
    coerced = JSON.parse(JSON.stringify(groupSchemaDefinition().coerce(doc, "in")));
  } catch (e) {
    throw invalidValue((e as Error).message);
  }
  const { schemas: _s, meta: _m, id: _i, members, ...profile } = coerced;
  return {
    input: {
      displayName: String(profile.displayName),
      externalId: typeof profile.externalId === "string" ? profile.externalId : null,
      profile,
    },
    members: Array.isArray(members) ? members.map(memberRef) : undefined,
  };
}

function memberRef(m: unknown): MemberRef {
  const value = (m as { value?: unknown })?.value;
  if (typeof value !== "string" || !value) throw invalidValue("members[].value must be the id of a User or Group");
  const type = (m as { type?: unknown }).type;
  const normalised = typeof type === "string" ? type.toLowerCase() : undefined;
  if (normalised !== undefined && normalised !== "user" && normalised !== "group") {
    throw invalidValue(`members[].type must be "User" or "Group", got "${String(type)}"`);
  }
  return { value, type: normalised === "user" ? "User" : normalised === "group" ? "Group" : undefined };
}

/** Domain group → SCIM Group resource (RFC 7643 §4.2). `members` undefined: not loaded, not returned. */
export function renderGroup(group: Group, members: Member[] | undefined, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...group.profile,
    displayName: group.displayName,
    ...(members?.length
      ? {
          members: members.map((m) => ({
            value: m.id,
            $ref: `${baseUrl}/${m.type === "User" ? "Users" : "Groups"}/${m.id}`,
            ...(m.display === null ? {} : { display: m.display }),
            type: m.type,
          })),
        }
      : {}),
    meta: {
      resourceType: "Group",
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location: `${baseUrl}/Groups/${group.id}`,
      version: etagOf(group.version),
    },
  };
}

export function patchableGroup(group: Group): Record<string, unknown> {
  return { ...group.profile, displayName: group.displayName };
}
