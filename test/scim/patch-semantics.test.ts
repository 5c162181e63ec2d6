// applyPatch behaviour the RFC leaves to the server: naming, merging, primaries, empties, immutability, atomicity.
import { describe, expect, it } from "vitest";
import { applyPatch, parsePatchRequest, PATCH_OP_SCHEMA } from "../../server/scim/patch/index.ts";
import { groupSchemaDefinition, userSchemaDefinition } from "../../server/scim/schemas.ts";

const USER = userSchemaDefinition();
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const patchUser = (resource: Record<string, unknown>, ...ops: unknown[]) =>
  applyPatch(resource, parsePatchRequest(body(...ops)), USER);

const user = () => ({
  userName: "bjensen",
  name: { givenName: "Barbara", familyName: "Jensen" },
  emails: [
    { value: "bjensen@example.com", type: "work", primary: true },
    { value: "babs@jensen.org", type: "home" },
  ],
  [ENTERPRISE]: { department: "Tour Operations", manager: { value: "m-1" } },
});

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

describe("attribute names", () => {
  it("matches paths case-insensitively and writes the schema's spelling back", () => {
    const out = patchUser(user(), { op: "replace", path: "NAME.GIVENNAME", value: "Babs" }, { op: "add", path: "NickName", value: "B" });
    expect(out.name).toEqual({ givenName: "Babs", familyName: "Jensen" });
    expect(out.nickName).toBe("B");
  });

  it("accepts core-URN-qualified paths", () => {
    const out = patchUser(user(), { op: "replace", path: "urn:ietf:params:scim:schemas:core:2.0:User:userName", value: "babs" });
    expect(out.userName).toBe("babs");
  });

  it("replaces a differently-cased stored key instead of keeping both", () => {
    expect(patchUser({ userName: "a", nickname: "old" }, { op: "replace", path: "nickName", value: "new" })).toEqual({
      userName: "a",
      nickName: "new",
    });
  });
});

describe("multi-valued attributes", () => {
  it("skips an exact duplicate on add", () => {
    const out = patchUser(user(), { op: "add", path: "emails", value: [{ value: "babs@jensen.org", type: "home" }] });
    expect(out.emails).toEqual(user().emails);
  });

  it("keeps a single primary: a newly added primary value clears the old one (RFC 7643 §2.4)", () => {
    const out = patchUser(user(), { op: "add", path: "emails", value: [{ value: "new@example.com", type: "other", primary: true }] });
    expect((out.emails as { primary?: boolean }[]).map((e) => e.primary)).toEqual([false, undefined, true]);
  });

  it("matches filter values case-insensitively where the sub-attribute is not caseExact", () => {
    const out = patchUser(user(), { op: "remove", path: 'emails[type eq "WORK"]' });
    expect(out.emails).toEqual([{ value: "babs@jensen.org", type: "home" }]);
  });

  it("removes the elements given in a remove value, matching on the sub-attributes given", () => {
    const out = patchUser(user(), { op: "remove", path: "emails", value: [{ value: "BJENSEN@example.com" }] });
    expect(out.emails).toEqual([{ value: "babs@jensen.org", type: "home" }]);
  });

  it("treats remove with a filter that matches nothing as a no-op, so retries succeed", () => {
    expect(patchUser(user(), { op: "remove", path: 'emails[type eq "other"]' })).toEqual(user());
  });

  it("drops the key when a multi-valued attribute ends up empty", () => {
    const out = patchUser(user(), { op: "remove", path: 'emails[type eq "work"]' }, { op: "remove", path: 'emails[type eq "home"]' });
    expect(out).not.toHaveProperty("emails");
  });

  it("sets the sub-attribute on every element when its path has no filter", () => {
    const out = patchUser(user(), { op: "replace", path: "emails.display", value: "Babs" });
    expect((out.emails as { display?: string }[]).map((e) => e.display)).toEqual(["Babs", "Babs"]);
  });

  it("creates the element for add with an eq filter and no sub-attribute, merging the filter's equalities", () => {
    const out = patchUser(user(), { op: "add", path: 'phoneNumbers[type eq "mobile"]', value: { value: "+1 555 0100" } });
    expect(out.phoneNumbers).toEqual([{ type: "mobile", value: "+1 555 0100" }]);
  });
});

describe("complex attributes and extensions", () => {
  it("merges sub-attributes on add of a complex attribute", () => {
    const out = patchUser(user(), { op: "add", path: "name", value: { middleName: "Jane" } });
    expect(out.name).toEqual({ givenName: "Barbara", familyName: "Jensen", middleName: "Jane" });
  });

  it("removes a sub-attribute and then the complex attribute once it is empty", () => {
    const once = patchUser(user(), { op: "remove", path: "name.givenName" });
    expect(once.name).toEqual({ familyName: "Jensen" });
    expect(patchUser(once, { op: "remove", path: "name.familyName" })).not.toHaveProperty("name");
  });

  it("clears an optional attribute replaced with null (RFC 7643 §2.5)", () => {
    expect(patchUser({ userName: "a", title: "Boss" }, { op: "replace", path: "title", value: null })).toEqual({ userName: "a" });
  });

  it("replaces attributes of the extension given by its bare URN path, leaving the others", () => {
    const out = patchUser(user(), { op: "replace", path: ENTERPRISE, value: { department: "Sales" } });
    expect(out[ENTERPRISE]).toEqual({ department: "Sales", manager: { value: "m-1" } });
  });

  it("accepts the extension as a nested object in a no-path value", () => {
    const out = patchUser(user(), { op: "add", value: { [ENTERPRISE]: { employeeNumber: "701984" } } });
    expect(out[ENTERPRISE]).toEqual({ department: "Tour Operations", manager: { value: "m-1" }, employeeNumber: "701984" });
  });

  it("removes the whole extension by its bare URN path", () => {
    expect(patchUser(user(), { op: "remove", path: ENTERPRISE })).not.toHaveProperty(ENTERPRISE);
  });
});

describe("immutable attributes (RFC 7643 §2.2)", () => {
  const GROUP = groupSchemaDefinition();
  const group = () => ({ displayName: "Admins", members: [{ value: "a", type: "User" }] });
  const patchGroup = (...ops: unknown[]) => applyPatch(group(), parsePatchRequest(body(...ops)), GROUP);

  it("may be set while unset", () => {
    const out = patchGroup({ op: "add", path: 'members[value eq "a"].display', value: "Alice" });
    expect(out.members).toEqual([{ value: "a", type: "User", display: "Alice" }]);
  });

  it("may not be changed once set", () => {
    expect(() => patchGroup({ op: "replace", path: 'members[value eq "a"].type', value: "Group" })).toThrow(/immutable/);
  });
});

describe("atomicity", () => {
  it("never mutates the input resource", () => {
    const input = deepFreeze(user());
    const out = patchUser(input, { op: "add", path: "emails", value: [{ value: "x@example.com" }] }, { op: "remove", path: "name.givenName" });
    expect(out).not.toBe(input);
    expect(input).toEqual(user());
  });

  it("applies nothing when a later op fails validation", () => {
    const input = user();
    expect(() =>
      patchUser(input, { op: "replace", path: "userName", value: "changed" }, { op: "replace", path: "id", value: "x" }),
    ).toThrow(/readOnly/);
    expect(input.userName).toBe("bjensen");
  });

  it("returns nothing when a later op fails against the current values", () => {
    const input = user();
    const ops = [
      { op: "replace", path: "userName", value: "changed" },
      { op: "replace", path: 'emails[value co "nowhere"].type', value: "home" },
    ];
    expect(() => patchUser(input, ...ops)).toThrow(/^Operations\[1\]: .*matched no value/);
    expect(input).toEqual(user());
  });
});
