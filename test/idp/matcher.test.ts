// The replay engine's small pieces: the expectation matcher, placeholders and
// path encoding (pure functions, no server).
import { describe, expect, it } from "vitest";
import { readPath } from "../../server/idp-replay/json-path.ts";
import { match } from "../../server/idp-replay/matcher.ts";
import { MissingValueError, Variables } from "../../server/idp-replay/placeholders.ts";
import { encodePath } from "../../server/idp-replay/replay.ts";
import { parseTranscript, TranscriptError } from "../../server/idp-replay/transcript.ts";

describe("match", () => {
  it("checks only the listed fields of an object", () => {
    expect(match({ a: 1 }, { a: 1, b: 2 })).toEqual([]);
    expect(match({ a: 1 }, { a: 2 }, "body")).toEqual([{ path: "body.a", expected: "1", actual: "2" }]);
  });

  it("compares arrays element by element and by length", () => {
    expect(match([{ v: 1 }], [{ v: 1, x: 0 }])).toEqual([]);
    expect(match([{ v: 1 }], [{ v: 1 }, { v: 2 }], "body.members")).toMatchObject([{ path: "body.members", expected: expect.stringContaining("1 element") }]);
  });

  it("understands $any, $string, $number, $boolean and $absent", () => {
    expect(match({ id: "$string", n: "$number", b: "$boolean", x: "$absent", y: "$any" }, { id: "u1", n: 0, b: false, y: null })).toEqual([]);
    expect(match({ id: "$string" }, { id: 7 })).toMatchObject([{ path: "id", expected: "any string", actual: "7" }]);
    expect(match({ password: "$absent" }, { password: "secret" })).toMatchObject([{ path: "password", expected: "absent" }]);
    expect(match({ y: "$any" }, {})).toMatchObject([{ path: "y", actual: "absent" }]);
  });

  it("$contains needs a matching element for each expectation; $notContains none, and accepts absence", () => {
    const members = [{ value: "a", type: "User" }, { value: "b", type: "User" }];
    expect(match({ $contains: [{ value: "b" }, { value: "a" }] }, members)).toEqual([]);
    expect(match({ $contains: [{ value: "c" }] }, members)).toHaveLength(1);
    expect(match({ $notContains: [{ value: "c" }] }, members)).toEqual([]);
    expect(match({ $notContains: [{ value: "a" }] }, members)).toHaveLength(1);
    expect(match({ members: { $notContains: [{ value: "a" }] } }, {})).toEqual([]);
  });

  it("$length, $gte and $regex", () => {
    expect(match({ $length: 2 }, [1, 2])).toEqual([]);
    expect(match({ $length: 2 }, undefined)).toHaveLength(1);
    expect(match({ $gte: 3 }, 3)).toEqual([]);
    expect(match({ $gte: 3 }, 2)).toHaveLength(1);
    expect(match({ $regex: "^application/scim\\+json" }, "application/scim+json; charset=utf-8")).toEqual([]);
    expect(match({ $regex: "^application/scim\\+json" }, "text/html")).toHaveLength(1);
  });

  it("names keys that are not identifiers in brackets", () => {
    const urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    expect(match({ [urn]: { department: "R&D" } }, { [urn]: { department: "Sales" } }, "body")).toEqual([
      { path: `body["${urn}"].department`, expected: '"R&D"', actual: '"Sales"' },
    ]);
  });
});

describe("placeholders", () => {
  it("substitutes fixed values, captures and per-run UUIDs, keeping a whole placeholder's type", () => {
    const vars = new Variables({ domain: "acme.test", run: "r1" });
    vars.set("user.alice.id", "u-1");
    vars.set("n", 5);
    const out = vars.substitute({ a: "alice.{{run}}@{{domain}}", id: "{{user.alice.id}}", n: "{{n}}", g: "{{uuid.x}}", h: "{{uuid.x}}" });
    expect(out).toMatchObject({ a: "alice.r1@acme.test", id: "u-1", n: 5 });
    expect(out.g).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.h).toBe(out.g);
  });

  it("reports every placeholder no step captured", () => {
    const vars = new Variables({});
    expect(() => vars.substitute({ a: "{{user.a.id}}", b: "/Users/{{user.b.id}}" })).toThrow(MissingValueError);
    try {
      vars.substitute({ a: "{{user.a.id}}", b: "/Users/{{user.b.id}}" });
    } catch (e) {
      expect((e as MissingValueError).names).toEqual(["user.a.id", "user.b.id"]);
    }
  });
});

describe("encodePath and readPath", () => {
  it("percent-encodes each path segment and query value once, as written by a person", () => {
    expect(encodePath('/Users?filter=userName eq "a+b@x.test"&startIndex=1')).toBe(
      "/Users?filter=userName%20eq%20%22a%2Bb%40x.test%22&startIndex=1",
    );
    expect(encodePath("/Groups/abc?excludedAttributes=members")).toBe("/Groups/abc?excludedAttributes=members");
    expect(encodePath("/Users?filter=userName%20eq%20%22x%22")).toBe("/Users?filter=userName%20eq%20%22x%22");
  });

  it("reads dotted, indexed and bracketed paths", () => {
    const doc = { Resources: [{ id: "a" }], "urn:x:User": { manager: { value: "m" } } };
    expect(readPath(doc, "Resources.0.id")).toBe("a");
    expect(readPath(doc, "Resources[0].id")).toBe("a");
    expect(readPath(doc, '["urn:x:User"].manager.value')).toBe("m");
    expect(readPath(doc, "missing.id")).toBeUndefined();
  });
});

describe("parseTranscript", () => {
  it("lists every problem of an invalid transcript at once", () => {
    const bad = { provider: "x", title: "", source: ["not a url"], steps: [{ name: "s", request: { method: "FETCH", path: "Users" }, expect: {} }] };
    expect(() => parseTranscript(bad, "bad.json")).toThrow(TranscriptError);
    try {
      parseTranscript(bad, "bad.json");
    } catch (e) {
      const message = (e as Error).message;
      for (const part of ["title", "source", "steps[0].request.method", "steps[0].request.path", "steps[0].expect.status"]) {
        expect(message).toContain(part);
      }
    }
  });
});
