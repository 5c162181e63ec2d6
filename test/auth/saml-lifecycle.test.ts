// What happens around a sign-in over time: certificate rotation, just-in-time
// provisioning, and sessions ending when the user is suspended or deleted or
// SAML sign-in is switched off.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIdp } from "../support/saml-idp.ts";
import { ENGINES } from "../support/engines.ts";
import { patchBody, startTestServer, type TestServer, userBody } from "../support/server.ts";
import {
  auditEvents,
  expectRefused,
  loginRequestId,
  me,
  postToAcs,
  provision,
  type SamlOrg,
  samlOrg,
  sessionCookieOf,
  signInAs,
} from "./saml-helpers.ts";

describe.each(ENGINES)("SAML sign-in over time on %s", (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(() => server.close());

  const sessionsOf = (userId: string) =>
    server.database.db.selectFrom("sessions").select("id_hash").where("user_id", "=", userId).execute();

  describe("certificate rotation", () => {
    it("trusts old and new keys during the overlap and refuses the old one once it is removed", async () => {
      const s = await samlOrg(server, "rotate.com");
      await provision(s.org, "rita@rotate.com");
      const oldIdp = s.idp;
      const newIdp = oldIdp.withNewKey();
      expect(newIdp.entityId).toBe(oldIdp.entityId);
      const withKey = (idp: typeof oldIdp): SamlOrg => ({ ...s, idp });

      await signInAs(server, withKey(oldIdp), "rita@rotate.com");
      // Before the new key is configured, its signatures are refused.
      const early = await postToAcs(
        server,
        s.org.id,
        newIdp.response(s.sp, { nameId: "rita@rotate.com", inResponseTo: await loginRequestId(server, s.org.id) }),
      ).expect(403);
      await expectRefused(server, s.org.id, early, "invalid_signature");

      // Overlap: the IdP's metadata lists both keys.
      await server.admin("put", `/orgs/${s.org.id}/saml`).send({ metadataXml: oldIdp.metadataXml([newIdp.key]) }).expect(200);
      await me(server, await signInAs(server, withKey(oldIdp), "rita@rotate.com")).expect(200);
      await me(server, await signInAs(server, withKey(newIdp), "rita@rotate.com")).expect(200);

      // The old key is removed: refused from the next response on.
      await server
        .admin("put", `/orgs/${s.org.id}/saml`)
        .send({ entityId: newIdp.entityId, ssoUrl: newIdp.ssoUrl, certificates: [newIdp.key.certificatePem] })
        .expect(200);
      const late = await postToAcs(
        server,
        s.org.id,
        oldIdp.response(s.sp, { nameId: "rita@rotate.com", inResponseTo: await loginRequestId(server, s.org.id) }),
      ).expect(403);
      await expectRefused(server, s.org.id, late, "invalid_signature");
      await me(server, await signInAs(server, withKey(newIdp), "rita@rotate.com")).expect(200);
    });
  });

  describe("just-in-time provisioning", () => {
    let s: SamlOrg;
    beforeAll(async () => {
      s = await samlOrg(server, "jit.com", { idp: createTestIdp("jit"), settings: { jitProvisioning: true } });
    });

    it("creates an unknown user of a verified domain once, and SCIM finds it by userName", async () => {
      const id = await loginRequestId(server, s.org.id);
      const xml = s.idp.response(s.sp, {
        nameId: "Jo.New@JIT.com",
        inResponseTo: id,
        attributes: { givenName: "Jo", sn: "New" },
      });
      const res = await postToAcs(server, s.org.id, xml).expect(303);
      const who = (await me(server, sessionCookieOf(res)).expect(200)).body;
      expect(who.userName).toBe("Jo.New@jit.com");

      const created = await auditEvents(server, s.org.id, "user.created");
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ actor: { kind: "system" }, target: { id: who.id } });
      const [signin] = await auditEvents(server, s.org.id, "signin.succeeded");
      expect(signin?.details).toMatchObject({ provisioned: true });

      const found = await s.org.scim("get", `/Users?filter=${encodeURIComponent('userName eq "jo.new@jit.com"')}`).expect(200);
      expect(found.body.totalResults).toBe(1);
      expect(found.body.Resources[0]).toMatchObject({
        id: who.id,
        userName: "Jo.New@jit.com",
        active: true,
        name: { givenName: "Jo", familyName: "New" },
        emails: [{ value: "Jo.New@jit.com", type: "work", primary: true }],
      });

      // The second sign-in finds the same user.
      const again = await signInAs(server, s, "jo.new@jit.com");
      expect((await me(server, again).expect(200)).body.id).toBe(who.id);
      expect(await auditEvents(server, s.org.id, "user.created")).toHaveLength(1);
      const [second] = await auditEvents(server, s.org.id, "signin.succeeded");
      expect(second?.details).toMatchObject({ provisioned: false });
    });

    it("creates nobody outside the organization's verified domains", async () => {
      const id = await loginRequestId(server, s.org.id);
      const res = await postToAcs(server, s.org.id, s.idp.response(s.sp, { nameId: "someone@elsewhere.com", inResponseTo: id })).expect(403);
      await expectRefused(server, s.org.id, res, "domain_not_verified");
      const found = await s.org.scim("get", `/Users?filter=${encodeURIComponent('userName eq "someone@elsewhere.com"')}`).expect(200);
      expect(found.body.totalResults).toBe(0);
    });

    it("does not bring a suspended user back", async () => {
      const userId = await provision(s.org, "sus@jit.com", { active: false });
      const id = await loginRequestId(server, s.org.id);
      const res = await postToAcs(server, s.org.id, s.idp.response(s.sp, { nameId: "sus@jit.com", inResponseTo: id })).expect(403);
      await expectRefused(server, s.org.id, res, "user_suspended");
      expect((await s.org.scim("get", `/Users/${userId}`).expect(200)).body.active).toBe(false);
    });
  });

  describe("sessions end with the user", () => {
    let s: SamlOrg;
    beforeAll(async () => {
      s = await samlOrg(server, "ends.com");
    });

    it("suspending over SCIM (PATCH active=false) ends the session at once; restoring does not revive it", async () => {
      const userId = await provision(s.org, "paula@ends.com");
      const cookie = await signInAs(server, s, "paula@ends.com");
      await me(server, cookie).expect(200);
      await s.org.scim("patch", `/Users/${userId}`).send(patchBody({ op: "replace", path: "active", value: false })).expect(200);
      await me(server, cookie).expect(401);
      expect(await sessionsOf(userId)).toEqual([]);
      await s.org.scim("patch", `/Users/${userId}`).send(patchBody({ op: "replace", path: "active", value: true })).expect(200);
      await me(server, cookie).expect(401);
      await me(server, await signInAs(server, s, "paula@ends.com")).expect(200);
    });

    it("suspending with PUT active=false (Okta's way) ends it too", async () => {
      const userId = await provision(s.org, "quinn@ends.com");
      const cookie = await signInAs(server, s, "quinn@ends.com");
      await s.org.scim("put", `/Users/${userId}`).send(userBody("quinn@ends.com", { active: false })).expect(200);
      await me(server, cookie).expect(401);
    });

    it("deleting the user ends its sessions", async () => {
      const userId = await provision(s.org, "ruth@ends.com");
      const cookie = await signInAs(server, s, "ruth@ends.com");
      await s.org.scim("delete", `/Users/${userId}`).expect(204);
      await me(server, cookie).expect(401);
      expect(await sessionsOf(userId)).toEqual([]);
    });

    it("other users' sessions are untouched", async () => {
      const keepId = await provision(s.org, "keep@ends.com");
      const dropId = await provision(s.org, "drop@ends.com");
      const keep = await signInAs(server, s, "keep@ends.com");
      await signInAs(server, s, "drop@ends.com");
      await s.org.scim("patch", `/Users/${dropId}`).send(patchBody({ op: "replace", path: "active", value: false })).expect(200);
      expect((await me(server, keep).expect(200)).body.id).toBe(keepId);
    });

    it("switching SAML sign-in off ends every session of the organization and refuses new sign-ins", async () => {
      const t = await samlOrg(server, "off.com");
      await provision(t.org, "olga@off.com");
      const cookie = await signInAs(server, t, "olga@off.com");
      const requestId = await loginRequestId(server, t.org.id);
      await server.admin("delete", `/orgs/${t.org.id}/saml`).expect(204);
      await me(server, cookie).expect(401);
      const [disabled] = await auditEvents(server, t.org.id, "saml.disabled");
      expect(disabled?.details).toMatchObject({ sessionsEnded: 1 });
      const shown = await server.admin("get", `/orgs/${t.org.id}/saml`).expect(200);
      expect(shown.body).toMatchObject({ enabled: false });
      expect(shown.body.identityProvider).toBeUndefined();
      const res = await postToAcs(server, t.org.id, t.idp.response(t.sp, { nameId: "olga@off.com", inResponseTo: requestId })).expect(403);
      await expectRefused(server, t.org.id, res, "sso_not_configured");
    });
  });
});
