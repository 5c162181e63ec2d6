// splitMemberOps: group membership PATCH becomes ordered SQL deltas, never a loaded member list.
import { describe, expect, it } from "vitest";
import { parsePatchRequest, PATCH_OP_SCHEMA, splitMemberOps } from "../../server/scim/patch/index.ts";
import { ScimError } from "../../server/scim/scim-error.ts";

const split = (...Operations: unknown[]) => splitMemberOps(parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations }));

function scimTypeOf(fn: () => unknown): [number, string | undefined, string] | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return [e.status, e.scimType, e.detail];
    throw e;
  }
  return undefined;
}

describe("splitMemberOps", () => {
  it("turns an or of value eq terms into one remove delta", () => {
    expect(split({ op: "remove", path: 'members[value eq "a" or value eq "b"]' }).memberDeltas).toEqual([
      { kind: "remove", ids: ["a", "b"] },
    ]);
  });

  it("accepts the Group core URN prefix and any case of the attribute name", () => {
    const out = split({ op: "remove", path: 'urn:ietf:params:scim:schemas:core:2.0:Group:Members[Value eq "a"]' });
    expect(out.memberDeltas).toEqual([{ kind: "remove", ids: ["a"] }]);
  });

  it("keeps the other keys of a no-path value in otherOps and takes members out", () => {
    const out = split({ op: "replace", value: { displayName: "Admins", members: [{ value: "a" }] } });
    expect(out).toEqual({
      memberDeltas: [{ kind: "replace", members: [{ value: "a" }] }],
      otherOps: [{ op: "replace", value: { displayName: "Admins" } }],
    });
  });

  it("passes ops that do not touch members through unchanged and in order", () => {
    const ops = [
      { op: "replace", path: "displayName", value: "Admins" },
      { op: "add", path: "externalId", value: "ext-1" },
    ];
    expect(split(...ops)).toEqual({ memberDeltas: [], otherOps: ops });
  });

  it("treats replace with an empty list as removeAll", () => {
    expect(split({ op: "replace", path: "members", value: [] }).memberDeltas).toEqual([{ kind: "removeAll" }]);
  });

  it("canonicalises member type and drops duplicate ids within one add", () => {
    const out = split({ op: "add", path: "members", value: [{ value: "a", type: "user" }, { value: "a", type: "User" }, { value: "g", type: "GROUP" }] });
    expect(out.memberDeltas).toEqual([{ kind: "add", members: [{ value: "a", type: "User" }, { value: "g", type: "Group" }] }]);
  });

  it("keeps deltas in request order across add, remove and replace", () => {
    const out = split(
      { op: "add", path: "members", value: [{ value: "a" }] },
      { op: "remove", path: 'members[value eq "b"]' },
      { op: "replace", path: "members", value: [{ value: "c" }] },
      { op: "remove", path: "members" },
    );
    expect(out.memberDeltas.map((d) => d.kind)).toEqual(["add", "remove", "replace", "removeAll"]);
  });

  it.each([
    ["a filter on another sub-attribute", { op: "remove", path: 'members[display eq "Babs"]' }, "invalidFilter", /only value eq/],
    ["and inside a members filter", { op: "remove", path: 'members[value eq "a" and type eq "User"]' }, "invalidFilter", /only value eq/],
    ["a non-eq comparison", { op: "remove", path: 'members[value sw "a"]' }, "invalidFilter", /only value eq/],
    ["a malformed members filter", { op: "remove", path: "members[value eq]" }, "invalidFilter", /malformed/],
    ["a members filter outside remove", { op: "replace", path: 'members[value eq "a"]', value: { value: "b" } }, "invalidFilter", /only with remove/],
    ["a members sub-attribute path", { op: "replace", path: "members.display", value: "x" }, "invalidPath", /immutable/],
    ["a member without a value", { op: "add", path: "members", value: [{ display: "Babs" }] }, "invalidValue", /string "value"/],
    ["a member whose value is not a string", { op: "add", path: "members", value: [{ value: 42 }] }, "invalidValue", /string/],
    ["a member type other than User or Group", { op: "add", path: "members", value: [{ value: "a", type: "Device" }] }, "invalidValue", /Device/],
    ["an unknown member sub-attribute", { op: "add", path: "members", value: [{ value: "a", role: "owner" }] }, "invalidPath", /role/],
  ])("refuses %s", (_, op, scimType, detail) => {
    const err = scimTypeOf(() => split(op));
    expect(err?.slice(0, 2)).toEqual([400, scimType]);
    expect(err?.[2]).toMatch(detail);
  });

  it("validates every op before returning: a bad last op fails the whole request", () => {
    const err = scimTypeOf(() => split({ op: "add", path: "members", value: [{ value: "a" }] }, { op: "remove", path: 'members[display eq "x"]' }));
    expect(err?.[1]).toBe("invalidFilter");
    expect(err?.[2]).toMatch(/^Operations\[1\]: /);
  });
});
