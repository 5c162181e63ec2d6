// The role → access rules of the admin API, as pure functions (the HTTP tests in
// test/http/admin-access.test.ts prove the server applies them).
import { describe, expect, it } from "vitest";
import {
  accessOfRoles,
  checkWrite,
  OPERATOR_ACCESS,
  roleChangeRefusal,
  targetOfPath,
} from "../../server/domain/admin-access.ts";
import { DEFAULT_ROLES, type Roles } from "../../server/domain/roles.ts";

const roles = (r: Partial<Roles> & { groups?: string[]; permissions?: string[] } = {}): Roles => ({
  orgRole: r.orgRole ?? "user",
  adminRole: r.adminRole ?? "member",
  managerScope: { groups: r.groups ?? [], permissions: r.permissions ?? [] },
});
const G1 = "0190a000-0000-7000-8000-000000000001";
const G2 = "0190a000-0000-7000-8000-000000000002";
const U1 = "0190a000-0000-7000-8000-0000000000aa";

describe("accessOfRoles", () => {
  it("gives nothing to plain users and members", () => {
    expect(accessOfRoles(DEFAULT_ROLES)).toBeUndefined();
    expect(accessOfRoles(roles({ orgRole: "user", adminRole: "member" }))).toBeUndefined();
  });

  it("gives read-write to org admins, administrators and super administrators", () => {
    for (const r of [roles({ orgRole: "admin" }), roles({ adminRole: "administrator" }), roles({ adminRole: "super-administrator" })]) {
      const access = accessOfRoles(r)!;
      expect(access.access).toBe("read-write");
      expect(access.permissions).toContain("roles");
      expect(access.permissions).not.toContain("audit");
    }
  });

  it("gives read-only to admin-readonly", () => {
    expect(accessOfRoles(roles({ orgRole: "admin-readonly" }))).toMatchObject({ access: "read-only", permissions: [], role: "admin-readonly" });
  });

  it("the most capable role wins", () => {
    expect(accessOfRoles(roles({ orgRole: "admin-readonly", adminRole: "administrator" }))?.access).toBe("read-write");
    expect(accessOfRoles(roles({ orgRole: "admin", adminRole: "manager" }))?.role).toBe("admin");
    expect(accessOfRoles(roles({ orgRole: "admin-readonly", adminRole: "manager", permissions: ["users"] }))?.permissions).toEqual(["users", "import"]);
  });

  it("gives managers their permissions, import with users unless limited to groups, never roles or audit writes", () => {
    expect(accessOfRoles(roles({ adminRole: "manager", permissions: ["users", "audit", "sso"] }))).toMatchObject({
      access: "read-write",
      permissions: ["users", "sso", "import"],
      groupScope: undefined,
    });
    expect(accessOfRoles(roles({ adminRole: "manager", groups: [G1.toUpperCase()], permissions: ["users"] }))).toMatchObject({
      permissions: ["users"],
      groupScope: [G1],
    });
    expect(accessOfRoles(roles({ adminRole: "manager", permissions: ["roles", "import", "bogus"] }))).toMatchObject({ access: "read-only", permissions: [] });
  });
});

describe("targetOfPath", () => {
  it.each([
    ["/users/abc/suspend", { section: "users", user: "abc" }],
    ["/USERS/abc/roles", { section: "roles", user: "abc" }],
    ["/groups/g/products", { section: "groups", group: "g" }],
    ["/products/meeting", { section: "products" }],
    ["/domains/acme.com/verify", { section: "domains" }],
    ["/saml", { section: "sso" }],
    ["/scim-tokens/t", { section: "provisioning" }],
    ["/imports", { section: "import" }],
    ["/", { section: undefined }],
    ["/constructor", { section: undefined }],
  ])("%s", (path, expected) => {
    expect(targetOfPath(path)).toEqual(expected);
  });
});

describe("checkWrite", () => {
  const admin = accessOfRoles(roles({ orgRole: "admin" }))!;
  const readOnly = accessOfRoles(roles({ orgRole: "admin-readonly" }))!;
  const manager = accessOfRoles(roles({ adminRole: "manager", permissions: ["users", "groups"] }))!;
  const scoped = accessOfRoles(roles({ adminRole: "manager", groups: [G1], permissions: ["users", "groups", "domains"] }))!;

  it("lets the operator and read-write admins write everywhere, even where no section is known", () => {
    expect(checkWrite(OPERATOR_ACCESS, { section: undefined })).toBeUndefined();
    expect(checkWrite(admin, { section: "roles" })).toBeUndefined();
    expect(checkWrite(admin, { section: undefined })).toBeUndefined();
  });

  it("refuses read-only callers everywhere", () => {
    for (const section of ["users", "roles", "sso", undefined] as const) {
      expect(checkWrite(readOnly, { section })).toMatchObject({ reason: "read_only" });
    }
  });

  it("lets managers write their sections only", () => {
    expect(checkWrite(manager, { section: "users", user: U1 })).toBeUndefined();
    expect(checkWrite(manager, { section: "roles", user: U1 })).toMatchObject({ reason: "read_only" });
    expect(checkWrite(manager, { section: "products" })).toMatchObject({ reason: "read_only" });
    expect(checkWrite(manager, { section: undefined })).toMatchObject({ reason: "read_only" });
  });

  it("narrows a group-scoped manager to its groups and their members", () => {
    expect(checkWrite(scoped, { section: "groups", group: G1 })).toBeUndefined();
    expect(checkWrite(scoped, { section: "groups", group: G1.toUpperCase() })).toBeUndefined();
    expect(checkWrite(scoped, { section: "groups", group: G2 })).toMatchObject({ reason: "read_only" });
    expect(checkWrite(scoped, { section: "users", user: U1 })).toEqual({ reason: "needs_membership", groups: [G1] });
    expect(checkWrite(scoped, { section: "users" })).toMatchObject({ reason: "read_only" });
    expect(checkWrite(scoped, { section: "domains" })).toBeUndefined();
    expect(checkWrite(scoped, { section: "import" })).toMatchObject({ reason: "read_only" });
  });
});

describe("roleChangeRefusal", () => {
  const adminCaller = { kind: "admin" as const, userId: "me", roles: roles({ adminRole: "administrator" }) };
  const superCaller = { kind: "admin" as const, userId: "me", roles: roles({ adminRole: "super-administrator" }) };
  const plain = { id: "them", roles: roles() };
  const superTarget = { id: "them", roles: roles({ adminRole: "super-administrator" }) };

  it("nobody changes their own roles", () => {
    expect(roleChangeRefusal(adminCaller, { id: "ME", roles: roles() }, undefined)).toMatch(/own roles/);
    expect(roleChangeRefusal(superCaller, { id: "me", roles: roles() }, "member")).toMatch(/own roles/);
  });

  it("only a super administrator grants it or touches a super administrator", () => {
    expect(roleChangeRefusal(adminCaller, plain, "super-administrator")).toMatch(/grant/);
    expect(roleChangeRefusal(adminCaller, superTarget, undefined)).toMatch(/super administrator/);
    expect(roleChangeRefusal(adminCaller, plain, "administrator")).toBeUndefined();
    expect(roleChangeRefusal(superCaller, plain, "super-administrator")).toBeUndefined();
    expect(roleChangeRefusal(superCaller, superTarget, "member")).toBeUndefined();
    expect(roleChangeRefusal({ kind: "operator" }, superTarget, "member")).toBeUndefined();
  });
});
