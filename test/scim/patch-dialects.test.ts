// Identity-provider dialects the PATCH boundary accepts: Microsoft Entra ID and Okta request shapes.
import { describe, expect, it } from "vitest";
import { applyPatch, parsePatchRequest, PATCH_OP_SCHEMA, splitMemberOps } from "../../server/scim/patch/index.ts";
import { userSchemaDefinition } from "../../server/scim/schemas.ts";

const USER = userSchemaDefinition();
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const patchUser = (resource: Record<string, unknown>, ...ops: unknown[]) =>
  applyPatch(resource, parsePatchRequest(body(...ops)), USER);
const MANAGER = "26118915-6090-4610-87a4-74b9b27ebfc2";

const user = () => ({
  userName: "Test_User_dfeef4c5@contoso.com",
  active: true,
  emails: [{ value: "Test_User_home@contoso.com", type: "home", primary: true }],
});

describe("Microsoft Entra ID", () => {
  it("accepts capitalised op names and normalises them to lower case", () => {
    const ops = parsePatchRequest(
      body({ op: "Replace", path: "displayName", value: "x" }, { op: "Add", path: "nickName", value: "y" }, { op: "Remove", path: "title" }),
    );
    expect(ops.map((o) => o.op)).toEqual(["replace", "add", "remove"]);
  });

  it('coerces "False" for active to the boolean false', () => {
    expect(patchUser(user(), { op: "Replace", path: "active", value: "False" }).active).toBe(false);
  });

  it('coerces "True" for a filtered emails primary and clears the other primary', () => {
    const u = { ...user(), emails: [...user().emails, { value: "w@contoso.com", type: "work" }] };
    const out = patchUser(u, { op: "Replace", path: 'emails[type eq "work"].primary', value: "True" });
    expect(out.emails).toEqual([
      { value: "Test_User_home@contoso.com", type: "home", primary: false },
      { value: "w@contoso.com", type: "work", primary: true },
    ]);
  });

  it('creates the work email from emails[type eq "work"].value when the user has none', () => {
    const out = patchUser(user(), { op: "Add", path: 'emails[type eq "work"].value', value: "Test_User_work@contoso.com" });
    expect(out.emails).toEqual([...user().emails, { type: "work", value: "Test_User_work@contoso.com" }]);
  });

  it('updates the existing work email from emails[type eq "work"].value rather than adding another', () => {
    const u = { ...user(), emails: [{ value: "old@contoso.com", type: "work" }] };
    const out = patchUser(u, { op: "Replace", path: 'emails[type eq "work"].value', value: "new@contoso.com" });
    expect(out.emails).toEqual([{ value: "new@contoso.com", type: "work" }]);
  });

  it("applies a no-path replace whose keys are dotted and enterprise-URN-qualified", () => {
    const out = patchUser(user(), {
      op: "Replace",
      value: {
        "name.givenName": "Cherry",
        "name.familyName": "Lee",
        [`${ENTERPRISE}:department`]: "Sales",
        [`${ENTERPRISE}:manager`]: MANAGER,
        active: "False",
      },
    });
    expect(out.name).toEqual({ givenName: "Cherry", familyName: "Lee" });
    expect(out[ENTERPRISE]).toEqual({ department: "Sales", manager: { value: MANAGER } });
    expect(out.active).toBe(false);
  });

  it("turns a manager given as a bare id string into {value}", () => {
    const out = patchUser(user(), { op: "Add", path: `${ENTERPRISE}:manager`, value: MANAGER });
    expect(out[ENTERPRISE]).toEqual({ manager: { value: MANAGER } });
  });

  it("sets manager.value by URN path and removes the manager (and the empty extension) again", () => {
    const withManager = patchUser(user(), { op: "Replace", path: `${ENTERPRISE}:manager.value`, value: MANAGER });
    expect(withManager[ENTERPRISE]).toEqual({ manager: { value: MANAGER } });
    const without = patchUser(withManager, { op: "Remove", path: `${ENTERPRISE}:manager` });
    expect(without).not.toHaveProperty(ENTERPRISE);
  });

  it('removes listed members with {"op":"Remove","path":"members","value":[{"value":id}]}', () => {
    const ops = parsePatchRequest(body({ op: "Remove", path: "members", value: [{ value: MANAGER }] }));
    expect(splitMemberOps(ops).memberDeltas).toEqual([{ kind: "remove", ids: [MANAGER] }]);
  });

  it("adds a member given as a bare id string, as Microsoft's SCIM validator sends", () => {
    const ops = parsePatchRequest(body({ op: "Add", path: "members", value: MANAGER }));
    expect(splitMemberOps(ops).memberDeltas).toEqual([{ kind: "add", members: [{ value: MANAGER }] }]);
  });
});

describe("Okta", () => {
  it('deactivates with {"op":"replace","value":{"active":false}}', () => {
    expect(patchUser(user(), { op: "replace", value: { active: false } }).active).toBe(false);
  });

  it("accepts a single object where a multi-valued add expects an array", () => {
    const out = patchUser(user(), { op: "add", path: "emails", value: { value: "w@contoso.com", type: "work" } });
    expect(out.emails).toEqual([...user().emails, { value: "w@contoso.com", type: "work" }]);
  });
});

describe("dialects stay narrow", () => {
  it('still refuses a string that is not "true"/"false" for a boolean', () => {
    expect(() => patchUser(user(), { op: "replace", path: "active", value: "yes" })).toThrow(/must be a boolean/);
  });

  it("does not wrap a string for a complex attribute without a value sub-attribute", () => {
    expect(() => patchUser(user(), { op: "replace", path: "name", value: "Cherry Lee" })).toThrow(/needs an object/);
  });
});
