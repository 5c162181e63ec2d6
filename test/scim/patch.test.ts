// RFC 7644 §3.5.2 PATCH examples and every refusal, asserting status and scimType.
import { describe, expect, it } from "vitest";
import { applyPatch, parsePatchRequest, PATCH_OP_SCHEMA, splitMemberOps } from "../../server/scim/patch/index.ts";
import { ScimError } from "../../server/scim/scim-error.ts";
import { groupSchemaDefinition, userSchemaDefinition } from "../../server/scim/schemas.ts";

const USER = userSchemaDefinition();
const GROUP = groupSchemaDefinition();
const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const patchUser = (resource: Record<string, unknown>, ...ops: unknown[]) =>
  applyPatch(resource, parsePatchRequest(body(...ops)), USER);

function expectScimError(fn: () => unknown, scimType: string, detail?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ScimError);
  const err = caught as ScimError;
  expect({ status: err.status, scimType: err.scimType }).toEqual({ status: 400, scimType });
  if (detail) expect(err.detail).toMatch(detail);
}

const BABS = "2819c223-7f76-453a-919d-413861904646";
const MANDY = "902c246b-6245-4190-8e05-00816be7344a";
const workAddress = {
  type: "work",
  streetAddress: "100 Universal City Plaza",
  locality: "Hollywood",
  region: "CA",
  postalCode: "91608",
  country: "USA",
  primary: true,
};
const homeAddress = { type: "home", streetAddress: "456 Hollywood Blvd", locality: "Hollywood", country: "USA" };
const bjensen = () => ({
  userName: "bjensen",
  name: { givenName: "Barbara", familyName: "Jensen" },
  active: true,
  emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
  addresses: [workAddress, homeAddress],
});

describe("RFC 7644 §3.5.2.1 add", () => {
  it("adds a member to a group as an add delta (example: add member)", () => {
    const ops = parsePatchRequest(
      body({ op: "add", path: "members", value: [{ display: "Babs Jensen", $ref: `https://example.com/v2/Users/${BABS}`, value: BABS }] }),
    );
    expect(splitMemberOps(ops)).toEqual({ memberDeltas: [{ kind: "add", members: [{ value: BABS }] }], otherOps: [] });
  });

  it("adds several members in one add delta", () => {
    const ops = parsePatchRequest(body({ op: "add", path: "members", value: [{ value: BABS, type: "User" }, { value: MANDY }] }));
    expect(splitMemberOps(ops).memberDeltas).toEqual([{ kind: "add", members: [{ value: BABS, type: "User" }, { value: MANDY }] }]);
  });

  it("appends emails and sets nickName from a no-path add (example: add without path)", () => {
    const out = patchUser(bjensen(), {
      op: "add",
      value: { emails: [{ value: "babs@jensen.org", type: "home" }], nickname: "Babs" },
    });
    expect(out.emails).toEqual([
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ]);
    expect(out.nickName).toBe("Babs");
    expect(out).not.toHaveProperty("nickname");
  });
});

describe("RFC 7644 §3.5.2.2 remove", () => {
  it("removes all members as removeAll (example: remove all members)", () => {
    expect(splitMemberOps(parsePatchRequest(body({ op: "remove", path: "members" }))).memberDeltas).toEqual([
      { kind: "removeAll" },
    ]);
  });

  it("removes one member by filter (example: remove a single member)", () => {
    const ops = parsePatchRequest(body({ op: "remove", path: `members[value eq "${BABS}"]` }));
    expect(splitMemberOps(ops).memberDeltas).toEqual([{ kind: "remove", ids: [BABS] }]);
  });

  it("removes multiple members, one op per member, in order (example: remove multiple members)", () => {
    const ops = parsePatchRequest(
      body({ op: "remove", path: `members[value eq "${BABS}"]` }, { op: "remove", path: `members[value eq "${MANDY}"]` }),
    );
    expect(splitMemberOps(ops).memberDeltas).toEqual([
      { kind: "remove", ids: [BABS] },
      { kind: "remove", ids: [MANDY] },
    ]);
  });

  it("removes the emails a complex filter selects and drops the key once none remain", () => {
    const out = patchUser(bjensen(), { op: "remove", path: 'emails[type eq "work" and value ew "example.com"]' });
    expect(out).not.toHaveProperty("emails");
  });
});

describe("RFC 7644 §3.5.2.3 replace", () => {
  it("replaces all members with a replace delta (example: replace members)", () => {
    const ops = parsePatchRequest(
      body({ op: "replace", path: "members", value: [{ display: "Babs Jensen", value: BABS }, { display: "James Smith", value: MANDY }] }),
    );
    expect(splitMemberOps(ops).memberDeltas).toEqual([{ kind: "replace", members: [{ value: BABS }, { value: MANDY }] }]);
  });

  it("replaces all members as remove-all then add (the RFC's two-op form)", () => {
    const ops = parsePatchRequest(body({ op: "remove", path: "members" }, { op: "add", path: "members", value: [{ value: BABS }] }));
    expect(splitMemberOps(ops).memberDeltas).toEqual([{ kind: "removeAll" }, { kind: "add", members: [{ value: BABS }] }]);
  });

  it("replaces the whole work address selected by a filter (example: addresses[type eq \"work\"])", () => {
    const newWork = {
      type: "work",
      streetAddress: "911 Universal City Plaza",
      locality: "Hollywood",
      region: "CA",
      postalCode: "91608",
      country: "US",
      formatted: "911 Universal City Plaza\nHollywood, CA 91608 US",
      primary: true,
    };
    const out = patchUser(bjensen(), { op: "replace", path: 'addresses[type eq "work"]', value: newWork });
    expect(out.addresses).toEqual([newWork, homeAddress]);
  });

  it("replaces only streetAddress of the work address (example: addresses[type eq \"work\"].streetAddress)", () => {
    const out = patchUser(bjensen(), { op: "replace", path: 'addresses[type eq "work"].streetAddress', value: "1010 Broadway Ave" });
    expect(out.addresses).toEqual([{ ...workAddress, streetAddress: "1010 Broadway Ave" }, homeAddress]);
  });

  it("replaces emails wholesale and sets nickName from a no-path replace (example: replace without path)", () => {
    const emails = [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ];
    const out = patchUser({ ...bjensen(), emails: [{ value: "old@example.com", type: "other" }] }, {
      op: "replace",
      value: { emails, nickname: "Babs" },
    });
    expect(out.emails).toEqual(emails);
    expect(out.nickName).toBe("Babs");
  });

  it("leaves sub-attributes that a complex replace does not name unchanged", () => {
    const out = patchUser(bjensen(), { op: "replace", path: "name", value: { givenName: "Babs" } });
    expect(out.name).toEqual({ givenName: "Babs", familyName: "Jensen" });
  });
});

describe("refusals (status 400 with the RFC 7644 §3.12 scimType)", () => {
  it.each([
    ["a body that is not an object", [] as unknown],
    ["a body without schemas", { Operations: [{ op: "add", path: "nickName", value: "x" }] }],
    ["schemas without the PatchOp URN", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], Operations: [{ op: "add", path: "nickName", value: "x" }] }],
    ["empty Operations", body()],
    ["Operations that is not an array", { schemas: [PATCH_OP_SCHEMA], Operations: { op: "add" } }],
    ["an unknown op", body({ op: "copy", path: "nickName", value: "x" })],
    ["an operation that is not an object", body("add")],
  ])("refuses %s as invalidSyntax", (_, b) => {
    expectScimError(() => parsePatchRequest(b), "invalidSyntax");
  });

  it("refuses add without a value as invalidValue", () => {
    expectScimError(() => parsePatchRequest(body({ op: "add", path: "nickName" })), "invalidValue", /needs a "value"/);
  });

  it.each([
    ["an unknown attribute", "favouriteColour", /favouriteColour/],
    ["an unknown sub-attribute", "name.nickname", /nickname/],
    ["an unknown schema URN", "urn:example:custom:1.0:User:badge", /schema/],
    ["a path deeper than attribute.subAttribute", "name.givenName.first", /subAttribute/],
    ["an unclosed value filter", 'emails[type eq "work"', /matching "]"/],
    ["text after a value filter that is not .subAttribute", 'emails[type eq "work"]value', /follow/],
    ["a filter on a single-valued attribute", 'name[givenName eq "x"]', /multi-valued/],
  ])("refuses %s as invalidPath naming it", (_, path, detail) => {
    expectScimError(() => patchUser(bjensen(), { op: "replace", path, value: "x" }), "invalidPath", detail);
  });

  it("refuses an unknown attribute inside a no-path value object as invalidPath", () => {
    expectScimError(() => patchUser(bjensen(), { op: "replace", value: { nickName: "B", shoeSize: 9 } }), "invalidPath", /shoeSize/);
  });

  it("refuses remove without a path as noTarget", () => {
    expectScimError(() => patchUser(bjensen(), { op: "remove" }), "noTarget");
  });

  it.each([
    ["id", "x"],
    ["meta.created", "2020-01-01T00:00:00Z"],
    ["groups", [{ value: "g1" }]],
    ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName", "Boss"],
    ["schemas", ["urn:example"]],
  ])("refuses to modify readOnly %s as mutability", (path, value) => {
    expectScimError(() => patchUser(bjensen(), { op: "replace", path, value }), "mutability", /readOnly|server/);
  });

  it("refuses readOnly groups inside a no-path value object, while ignoring echoed id, meta and schemas", () => {
    const echoed = { id: "abc", meta: { version: 'W/"1"' }, schemas: [USER.id], nickName: "Babs" };
    expect(patchUser(bjensen(), { op: "replace", value: echoed }).nickName).toBe("Babs");
    expectScimError(() => patchUser(bjensen(), { op: "replace", value: { groups: [] } }), "mutability", /groups/);
  });

  it.each([
    ["removing userName", { op: "remove", path: "userName" }],
    ["replacing userName with null", { op: "replace", path: "userName", value: null }],
  ])("refuses %s (required) as mutability", (_, op) => {
    expectScimError(() => patchUser(bjensen(), op), "mutability", /required/);
  });

  it("refuses removing a Group's required displayName as mutability", () => {
    const ops = parsePatchRequest(body({ op: "remove", path: "displayName" }));
    expectScimError(() => applyPatch({ displayName: "Admins" }, ops, GROUP), "mutability", /displayName/);
  });

  it.each(['emails[type eq]', 'emails[type eq "work" and]', 'emails[type "work"]'])(
    "refuses the malformed filter %s as invalidFilter",
    (path) => expectScimError(() => patchUser(bjensen(), { op: "replace", path, value: {} }), "invalidFilter", /malformed/),
  );

  it("refuses a filter on an unknown sub-attribute as invalidFilter", () => {
    expectScimError(() => patchUser(bjensen(), { op: "remove", path: 'emails[kind eq "work"]' }), "invalidFilter", /kind/);
  });

  it("refuses replace whose non-eq filter matches nothing as noTarget", () => {
    const op = { op: "replace", path: 'emails[value ew "@nowhere.test"].type', value: "home" };
    expectScimError(() => patchUser(bjensen(), op), "noTarget", /matched no value/);
  });

  it.each([
    ["a non-boolean for active", { op: "replace", path: "active", value: "maybe" }],
    ["a number for userName", { op: "replace", path: "userName", value: 42 }],
    ["a string for a multi-valued complex list element", { op: "replace", path: "addresses", value: [7] }],
    ["two primary emails in one value", { op: "replace", path: "emails", value: [{ value: "a@x.test", primary: true }, { value: "b@x.test", primary: true }] }],
    ["a no-path value that is not an object", { op: "replace", value: "Babs" }],
  ])("refuses %s as invalidValue", (_, op) => {
    expectScimError(() => patchUser(bjensen(), op), "invalidValue");
  });

  it("names the failing operation's index in the detail", () => {
    expectScimError(
      () => patchUser(bjensen(), { op: "replace", path: "nickName", value: "B" }, { op: "replace", path: "shoe", value: 1 }),
      "invalidPath",
      /^Operations\[1\]: /,
    );
  });
});
