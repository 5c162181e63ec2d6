// project() without attributes / excludedAttributes returns the rendered
// resource as is, skipping scimmy's outbound coercion (the hot path of every
// GET, POST, PUT and list page). That is only right if the rendering is
// already what scimmy's coercion would return: these compare the two for
// representative users and groups, extensions included.
import { describe, expect, it } from "vitest";
import type { Group, Member } from "../../server/domain/groups.ts";
import type { User } from "../../server/domain/users.ts";
import { groupFromBody, renderGroup } from "../../server/scim/group-mapping.ts";
import { project, projectWithScimmy } from "../../server/scim/projection.ts";
import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  groupSchemaDefinition,
  USER_SCHEMA,
  userSchemaDefinition,
} from "../../server/scim/schemas.ts";
import { renderUser, type UserRelations, userInputFromBody } from "../../server/scim/user-mapping.ts";

const BASE = "https://scim.example.com/scim/v2";
const CREATED = new Date("2026-03-01T08:00:00.000Z");
const MODIFIED = new Date("2026-03-02T09:30:00.125Z");

/** A user as the domain returns it after a POST of `body` (the inbound coercion stores the profile). */
function userFrom(body: Record<string, unknown>, overrides: Partial<User> = {}): User {
  const input = userInputFromBody({ schemas: [USER_SCHEMA], ...body });
  return {
    id: "019a0000-0000-7000-8000-000000000001",
    orgId: "019a0000-0000-7000-8000-0000000000aa",
    userName: input.userName,
    externalId: input.externalId,
    displayName: input.displayName,
    active: input.active,
    profile: input.profile,
    roles: { orgRole: "user", adminRole: "member", managerScope: { groups: [], permissions: [] } },
    version: 4,
    createdAt: CREATED,
    updatedAt: MODIFIED,
    ...overrides,
  };
}

function groupFrom(body: Record<string, unknown>): Group {
  const { input } = groupFromBody({ schemas: [GROUP_SCHEMA], ...body });
  return {
    id: "019a0000-0000-7000-8000-000000000002",
    orgId: "019a0000-0000-7000-8000-0000000000aa",
    displayName: input.displayName,
    externalId: input.externalId,
    profile: input.profile,
    version: 2,
    createdAt: CREATED,
    updatedAt: MODIFIED,
  } as Group;
}

/** What scimmy's outbound coercion makes of a rendered resource, as JSON. */
function viaScimmy(resource: Record<string, unknown>, definition: ReturnType<typeof userSchemaDefinition>) {
  return JSON.parse(JSON.stringify(definition.coerce(resource, "out")));
}

const NO_RELATIONS: UserRelations = { groups: [], seats: { granted: [], pending: [] } };

const users: [string, User, UserRelations][] = [
  ["a minimal user", userFrom({ userName: "min@acme.com" }), NO_RELATIONS],
  [
    "a full core user with groups and granted seats",
    userFrom({
      userName: "full@acme.com",
      externalId: "ext-1",
      name: { givenName: "Ada", familyName: "Lovelace", formatted: "Ada Lovelace", honorificPrefix: "Dr" },
      displayName: "Ada Lovelace",
      nickName: "ada",
      title: "Engineer",
      preferredLanguage: "en-GB",
      locale: "en-GB",
      timezone: "Europe/London",
      emails: [
        { value: "full@acme.com", type: "work", primary: true },
        { value: "ada@home.example", type: "home" },
      ],
      phoneNumbers: [{ value: "+44 20 7946 0000", type: "work" }],
      addresses: [{ streetAddress: "1 Road", locality: "London", country: "GB", type: "work", primary: true }],
      entitlements: [{ value: "crm" }],
      active: true,
    }),
    {
      groups: [
        { id: "019a0000-0000-7000-8000-0000000000b1", displayName: "Engineering" },
        { id: "019a0000-0000-7000-8000-0000000000c2", displayName: "London" },
      ],
      seats: { granted: ["crm"], pending: [] },
    },
  ],
  [
    "a user with the enterprise extension (manager included)",
    userFrom({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: "ent@acme.com",
      [ENTERPRISE_USER_SCHEMA]: {
        employeeNumber: "701984",
        costCenter: "4130",
        organization: "Acme",
        division: "Theme Park",
        department: "Tours",
        manager: { value: "019a0000-0000-7000-8000-0000000000d4", displayName: "John Smith" },
      },
    }),
    NO_RELATIONS,
  ],
  [
    "a user waiting for seats (our extension's pendingProducts)",
    userFrom({ userName: "wait@acme.com", entitlements: [{ value: "crm" }, { value: "bi" }] }),
    { groups: [], seats: { granted: ["crm"], pending: ["bi", "wiki"] } },
  ],
  [
    "a suspended user whose seats were not read (entitlements as sent)",
    userFrom({ userName: "off@acme.com", active: false, entitlements: [{ value: "crm", display: "CRM", primary: true }] }),
    { groups: [] },
  ],
  [
    "a user with roles as an identity provider sent them",
    userFrom({ userName: "roles@acme.com", roles: [{ value: "org:admin", display: "Admin", primary: true }] }, {
      roles: { orgRole: "admin", adminRole: "administrator", managerScope: { groups: [], permissions: [] } },
    }),
    NO_RELATIONS,
  ],
];

const MEMBERS: Member[] = [
  { id: "019a0000-0000-7000-8000-000000000011", type: "User", display: "Ada Lovelace" },
  { id: "019a0000-0000-7000-8000-000000000012", type: "User", display: null },
  { id: "019a0000-0000-7000-8000-000000000013", type: "Group", display: "Nested" },
] as Member[];

const groups: [string, Group, Member[] | undefined][] = [
  ["a group with users and a nested group", groupFrom({ displayName: "Engineering", externalId: "eng" }), MEMBERS],
  ["a group whose members were not read", groupFrom({ displayName: "Tours" }), undefined],
  ["an empty group", groupFrom({ displayName: "Empty" }), []],
];

describe("project()'s fast paths return what scimmy's projection would", () => {
  it.each(users)("%s", (_name, user, relations) => {
    const rendered = renderUser(user, relations, BASE);
    const fast = project(rendered, userSchemaDefinition(), {});
    expect(fast).toBe(rendered); // the fast path: no coercion ran
    expect(JSON.parse(JSON.stringify(fast))).toEqual(viaScimmy(rendered, userSchemaDefinition()));
  });

  it.each(groups)("%s", (_name, group, members) => {
    const rendered = renderGroup(group, members, BASE);
    const fast = project(rendered, groupSchemaDefinition(), {});
    expect(fast).toBe(rendered);
    expect(JSON.parse(JSON.stringify(fast))).toEqual(viaScimmy(rendered, groupSchemaDefinition()));
  });

  const ID_ONLY = [["id"], ["ID"], ["urn:ietf:params:scim:schemas:core:2.0:User:id"], ["id", "Id"]];

  it.each(users)("%s, attributes=id", (_name, user, relations) => {
    const rendered = renderUser(user, relations, BASE);
    for (const attributes of ID_ONLY) {
      const projection = { attributes };
      expect(project(rendered, userSchemaDefinition(), projection), attributes.join()).toEqual(
        JSON.parse(JSON.stringify(projectWithScimmy(rendered, userSchemaDefinition(), projection))),
      );
    }
  });

  it.each(groups)("%s, attributes=id", (_name, group, members) => {
    const rendered = renderGroup(group, members, BASE);
    for (const attributes of [["id"], ["urn:ietf:params:scim:schemas:core:2.0:Group:ID"]]) {
      expect(project(rendered, groupSchemaDefinition(), { attributes })).toEqual(
        JSON.parse(JSON.stringify(projectWithScimmy(rendered, groupSchemaDefinition(), { attributes }))),
      );
    }
  });

  it("attributes naming more than id, or excludedAttributes, still go through scimmy", () => {
    const rendered = renderUser(users[1]![1], users[1]![2], BASE);
    expect(project(rendered, userSchemaDefinition(), { attributes: ["id", "userName"] })).toEqual({
      schemas: [USER_SCHEMA],
      id: rendered.id,
      userName: rendered.userName,
    });
    expect(project(rendered, userSchemaDefinition(), { excludedAttributes: ["id"] })).toHaveProperty("userName");
  });

  it("the comparison is not vacuous: scimmy drops what the schema does not define", () => {
    const rendered = { ...renderUser(users[0]![1], NO_RELATIONS, BASE), notAnAttribute: 1 };
    expect(viaScimmy(rendered, userSchemaDefinition())).not.toHaveProperty("notAnAttribute");
  });
});
