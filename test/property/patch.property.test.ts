// Property-based tests of SCIM PATCH (RFC 7644 §3.5.2) with fast-check: the
// PATCH engine fails only with our ScimError 400, and over real HTTP any
// PATCH body to a User or a Group is answered 2xx or a SCIM error that says
// what is wrong (400 with a scimType, or a 409 / 403 state answer), never a
// 5xx and never a hang; operations valid for any user always succeed.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPatch, parsePatchRequest, splitMemberOps } from "../../server/scim/patch/index.ts";
import { groupSchemaDefinition, userSchemaDefinition } from "../../server/scim/schemas.ts";
import { ScimError } from "../../server/scim/scim-error.ts";
import { ENGINES } from "../support/engines.ts";
import { GROUP_SCHEMA, startTestServer, type TestOrg, type TestServer, userBody } from "../support/server.ts";
import { nearValidGroupPatch, nearValidUserPatch, validUserPatch } from "./patch-arbitraries.ts";

const REQUEST_DEADLINE_MS = 10_000;
/** scimType values RFC 7644 §3.12 gives a 400 answer to a PATCH. */
const PATCH_SCIM_TYPES = ["invalidSyntax", "invalidPath", "noTarget", "invalidValue", "mutability", "invalidFilter"];

function expectPatch400(err: unknown): void {
  if (!(err instanceof ScimError)) throw err;
  expect(err.status).toBe(400);
  expect(PATCH_SCIM_TYPES).toContain(err.scimType);
}

const NOT_TOUCHED = Symbol("not touched");

/** What the operations leave in a top-level string attribute (undefined once removed). */
function lastValueOf(ops: readonly Record<string, any>[], attr: string): unknown {
  let value: unknown = NOT_TOUCHED;
  for (const o of ops) {
    if (o.path === attr) value = o.op === "remove" ? undefined : o.value;
    else if (o.path === undefined && o.value && attr in o.value) value = o.value[attr];
  }
  return value;
}

const STORED_USER = {
  userName: "ada",
  name: { givenName: "Ada", familyName: "Lovelace" },
  emails: [{ value: "ada@example.com", type: "work", primary: true }],
  active: true,
};

describe("PATCH engine (pure)", () => {
  it("parsePatchRequest and applyPatch return a document or throw a 400 with an RFC scimType, for any body", () => {
    fc.assert(
      fc.property(fc.oneof(nearValidUserPatch, nearValidGroupPatch), fc.boolean(), (body, group) => {
        try {
          const ops = parsePatchRequest(body);
          if (group) {
            const { otherOps } = splitMemberOps(ops);
            applyPatch({ displayName: "Pioneers" }, otherOps, groupSchemaDefinition());
          } else {
            applyPatch(structuredClone(STORED_USER), ops, userSchemaDefinition());
          }
        } catch (err) {
          expectPatch400(err);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe("PATCH regressions found by the properties", () => {
  it('"add" of null to a filtered complex value adds nothing (it was a TypeError, a 500 over HTTP)', () => {
    const body = { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: 'emails[type eq "work"]', value: null }] };
    expect(applyPatch(structuredClone(STORED_USER), parsePatchRequest(body), userSchemaDefinition())).toEqual(STORED_USER);
  });
});

describe.each(ENGINES)("PATCH over HTTP on %s", (engine) => {
  let server: TestServer;
  let org: TestOrg;
  let targetId: string;
  let steadyId: string;
  let groupId: string;

  beforeAll(async () => {
    server = await startTestServer(engine);
    org = await server.newOrg("Patches");
    targetId = (await org.scim("post", "/Users").send(userBody("target")).expect(201)).body.id;
    steadyId = (await org.scim("post", "/Users").send(userBody("steady")).expect(201)).body.id;
    groupId = (
      await org
        .scim("post", "/Groups")
        .send({ schemas: [GROUP_SCHEMA], displayName: "Pioneers", members: [{ value: targetId }, { value: steadyId }] })
        .expect(201)
    ).body.id;
  });
  afterAll(() => server.close());

  /** 2xx, or a SCIM error: 400 with a PATCH scimType, 409 or 403 with a detail. Never 5xx. */
  function expectAnswered(res: { status: number; body: any }, body: unknown): void {
    const context = `PATCH ${JSON.stringify(body).slice(0, 600)} answered ${res.status} ${JSON.stringify(res.body)}`;
    if (res.status >= 200 && res.status < 300) return;
    expect([400, 403, 409], context).toContain(res.status);
    expect(res.body, context).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(res.status) });
    expect(typeof res.body.detail, context).toBe("string");
    if (res.status === 400) expect(PATCH_SCIM_TYPES, context).toContain(res.body.scimType);
  }

  it("answers any PATCH body to a User with 2xx or a SCIM error, never 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(nearValidUserPatch, async (body) => {
        const res = await org.scim("patch", `/Users/${targetId}`).send(body as object).timeout({ deadline: REQUEST_DEADLINE_MS });
        expectAnswered(res, body);
      }),
      { numRuns: 250 },
    );
    // Whatever was applied, the user is still whole and readable.
    await org.scim("get", `/Users/${targetId}`).expect(200);
  });

  it("answers any PATCH body to a Group (members by value paths, bad ids, other attributes) with 2xx or a SCIM error", async () => {
    await fc.assert(
      fc.asyncProperty(nearValidGroupPatch, async (body) => {
        const res = await org.scim("patch", `/Groups/${groupId}`).send(body as object).timeout({ deadline: REQUEST_DEADLINE_MS });
        expectAnswered(res, body);
      }),
      { numRuns: 200 },
    );
    await org.scim("get", `/Groups/${groupId}`).expect(200);
  });

  it('answers 200 and changes nothing for "add" of null to a filtered complex value (was a 500)', async () => {
    const before = (await org.scim("get", `/Users/${steadyId}`).expect(200)).body;
    const res = await org
      .scim("patch", `/Users/${steadyId}`)
      .send({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: 'emails[type eq "work"]', value: null }] })
      .expect(200);
    expect(res.body.emails).toEqual(before.emails);
  });

  it("applies every operation valid for any user, and the answer shows it", async () => {
    await fc.assert(
      fc.asyncProperty(validUserPatch, async (body) => {
        const res = await org.scim("patch", `/Users/${steadyId}`).send(body).timeout({ deadline: REQUEST_DEADLINE_MS });
        expect(res.status, `${JSON.stringify(body)} answered ${res.status} ${JSON.stringify(res.body)}`).toBe(200);
        for (const attr of ["displayName", "title"]) {
          const expected = lastValueOf(body.Operations, attr);
          if (expected !== NOT_TOUCHED) expect(res.body[attr], `${attr} after ${JSON.stringify(body)}`).toBe(expected);
        }
      }),
      { numRuns: 150 },
    );
  });
});
