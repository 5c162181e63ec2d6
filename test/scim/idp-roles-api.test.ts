// Roles as identity providers send them (scim/user-roles.ts,
// scim/dialects/empty-canonical-values.ts), each rule found by replaying
// idp-fixtures/entra-id: Entra ID's SingleAppRoleAssignment sends
// {"primary": true, "type": "WindowsAzureActiveDirectoryRole", "value": …} and
// later changes it with `Replace roles[primary eq "True"].value`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../support/engines.ts";
import { type TestOrg, type TestServer, patchBody, startTestServer, userBody } from "../support/server.ts";

const ENTRA_ROLE = { primary: true, type: "WindowsAzureActiveDirectoryRole", value: "org:admin-readonly" };

describe.each(ENGINES)("roles sent by identity providers on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Roles dialects");
  });
  afterAll(async () => {
    await server.close();
  });

  const create = async (name: string, extra: Record<string, unknown> = {}) =>
    (await org.scim("post", "/Users").send(userBody(name, extra)).expect(201)).body as { id: string; roles: unknown[] };
  const rolesOf = async (id: string) => (await org.scim("get", `/Users/${id}`).expect(200)).body.roles as Record<string, unknown>[];

  it("accepts any roles.type (RFC 7643 §4.1.2 defines no vocabulary) and returns the sub-attributes as sent", async () => {
    const user = await create("rd-type", { roles: [ENTRA_ROLE] });
    expect(user.roles).toEqual([ENTRA_ROLE, { value: "admin:member" }]);
    expect(await rolesOf(user.id)).toEqual([ENTRA_ROLE, { value: "admin:member" }]);
  });

  it("accepts any x509Certificates.type, the other attribute scimmy declared with an empty canonical list", async () => {
    const res = await org
      .scim("post", "/Users")
      .send(userBody("rd-cert", { x509Certificates: [{ value: "TUlJQkl6Q0J5Z0lK", type: "signing" }] }))
      .expect(201);
    expect(res.body.x509Certificates).toEqual([{ value: "TUlJQkl6Q0J5Z0lK", type: "signing" }]);
  });

  it("Replace roles[primary eq \"True\"].value changes the primary role and keeps the other family", async () => {
    const user = await create("rd-replace", { roles: [ENTRA_ROLE, { value: "admin:manager" }] });
    const res = await org
      .scim("patch", `/Users/${user.id}`)
      .send(patchBody({ op: "Replace", path: 'roles[primary eq "True"].value', value: "org:admin" }))
      .expect(200);
    expect(res.body.roles).toEqual([{ ...ENTRA_ROLE, value: "org:admin" }, { value: "admin:manager" }]);
  });

  it("a role written by PATCH on a user with no primary role replaces the role of its family, rather than conflicting with it", async () => {
    const user = await create("rd-add");
    expect(user.roles).toEqual([{ value: "org:user" }, { value: "admin:member" }]);
    const res = await org
      .scim("patch", `/Users/${user.id}`)
      .send(patchBody({ op: "Add", path: 'roles[primary eq "True"].value', value: "org:admin" }))
      .expect(200);
    expect(res.body.roles).toEqual([{ primary: true, value: "org:admin" }, { value: "admin:member" }]);
    // The next cycle finds the primary role it set, so it has nothing to send again.
    const found = await org.scim("get", `/Users?filter=${encodeURIComponent(`id eq "${user.id}" and roles[primary eq true].value eq "org:admin"`)}`).expect(200);
    expect(found.body.totalResults).toBe(1);
  });

  it("removing a role with PATCH returns its family to the default", async () => {
    const user = await create("rd-remove", { roles: [{ value: "org:admin" }, { value: "admin:manager" }] });
    const res = await org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "remove", path: 'roles[value eq "org:admin"]' })).expect(200);
    expect(res.body.roles).toEqual([{ value: "org:user" }, { value: "admin:manager" }]);
  });

  it("a PATCH that leaves roles alone keeps roles a person set in the admin API", async () => {
    const user = await create("rd-kept", { roles: [ENTRA_ROLE] });
    await server.admin("put", `/orgs/${org.id}/users/${user.id}/roles`).send({ orgRole: "admin" }).expect(200);
    const res = await org.scim("patch", `/Users/${user.id}`).send(patchBody({ op: "Replace", path: "displayName", value: "Kept" })).expect(200);
    expect(res.body.roles).toEqual([{ value: "org:admin" }, { value: "admin:member" }]);
  });

  it("two roles of one family written by one PATCH are still refused, changing nothing", async () => {
    const user = await create("rd-two", { roles: [ENTRA_ROLE] });
    const res = await org
      .scim("patch", `/Users/${user.id}`)
      .send(patchBody({ op: "add", path: "roles", value: [{ value: "org:admin" }, { value: "org:user" }] }))
      .expect(400);
    expect(res.body).toMatchObject({ scimType: "invalidValue", detail: expect.stringContaining("at most one org:* role") });
    expect(await rolesOf(user.id)).toEqual([ENTRA_ROLE, { value: "admin:member" }]);
  });
});
