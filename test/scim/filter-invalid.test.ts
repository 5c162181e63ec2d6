// Every malformed or unsupported filter is a 400 invalidFilter (RFC 7644
// §3.4.2.2, §3.12) whose detail names what to fix, raised while translating,
// before any SQL runs.
import { describe, expect, it } from "vitest";
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, filterToSql } from "../../server/scim/filter/index.ts";
import { ScimError } from "../../server/scim/scim-error.ts";

function errorOf(filter: string, kind: "User" | "Group" = "User"): ScimError {
  try {
    filterToSql(filter, { kind, alias: "u" });
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error(`accepted: ${filter}`);
}

const nest = (n: number, inner: string) => "(".repeat(n) + inner + ")".repeat(n);

const INVALID: Array<[string, RegExp]> = [
  ["", /empty/],
  ["   ", /empty/],
  ['userName eq "a" and', /ends too early/],
  ['userName eq "a" or', /ends too early/],
  ["and", /"and" is not followed/],
  ['userName eq "a" and or userName eq "b"', /"or" is not followed/],
  ["not", /ends too early/],
  ['foo eq "x"', /unknown attribute "foo"/],
  ['name.nope eq "x"', /unknown sub-attribute "nope" of "name"/],
  ['a.b.c eq "x"', /"a\.b\.c" is not an attribute path/],
  ['urn:example:unknown:userName eq "x"', /unknown schema "urn:example:unknown"/],
  ['members.value eq "x"', /unknown attribute "members\.value" for User/],
  ['userName xx "a"', /unknown operator "xx" after attribute "userName"/],
  ["userName", /must be followed by an operator/],
  ['userName eq "abc', /unterminated string starting at position 13/],
  ["userName eq bjensen", /"bjensen" is not a value/],
  ["userName eq", /ends too early/],
  ['(userName eq "a"', /'\(' is never closed/],
  ['emails[type eq "work"', /'\[' is never closed/],
  ['userName eq "a")', /unexpected \) after a complete expression/],
  ['userName eq "a" title eq "b"', /unexpected title after a complete expression/],
  ['"x" eq "y"', /expected an attribute name but found "x"/],
  ['userName eq "a" ~', /cannot read the filter from "~"/],
  ["emails[type eq 'work']", /strings must be in double quotes/],
  ["active gt true", /"gt" cannot be used with boolean attribute "active"/],
  ["active le false", /"le" cannot be used with boolean/],
  ['active eq "yes"', /"active" is boolean: compare it with true or false/],
  ["active co true", /"co" only applies to string attributes/],
  ["userName eq 5", /"userName" is string: compare it with a quoted string/],
  ["userName eq true", /quoted string/],
  ['meta.lastModified gt "yesterday"', /xsd:dateTime.*"yesterday"/],
  ['meta.lastModified gt "2011-02-30T00:00:00Z"', /xsd:dateTime/],
  ['meta.lastModified gt "2011-05-13T25:00:00Z"', /xsd:dateTime/],
  ['meta.lastModified gt "0000-01-01T00:00:00Z"', /xsd:dateTime/],
  ["meta.lastModified gt 1305261754", /xsd:dateTime/],
  ['meta.created co "2011"', /"co" only applies to string attributes; "meta.created" is dateTime/],
  ['name eq "x"', /"name" is complex/],
  ['addresses co "x"', /"addresses" is complex/],
  ['x509Certificates.value gt "x"', /"gt" cannot be used with binary/],
  ['emails[value[type eq "x"]]', /cannot be nested/],
  ['userName[value eq "x"]', /needs a complex attribute/],
  ['emails.value[type eq "x"]', /needs a complex attribute/],
  ['password eq "secret"', /"password" is write-only/],
  ["password pr", /write-only/],
  ['emails.display eq "x"', /"emails\.display" is not stored in a searchable form/],
  ['meta.location eq "x"', /"meta\.location" is not stored/],
  ["userName gt null", /"gt" cannot compare "userName" with null/],
  ['schemas gt "x"', /"gt" cannot be used with "schemas"/],
  ["schemas eq 1", /quoted string/],
  ['groups.$ref eq "x"', /cannot read the filter/],
  [`userName eq "${"a".repeat(MAX_FILTER_LENGTH)}"`, new RegExp(`the limit is ${MAX_FILTER_LENGTH}`)],
  [nest(MAX_FILTER_DEPTH + 1, 'userName eq "a"'), new RegExp(`nested deeper than ${MAX_FILTER_DEPTH} levels`)],
  ["not (".repeat(MAX_FILTER_DEPTH + 1) + "title pr" + ")".repeat(MAX_FILTER_DEPTH + 1), /nested deeper/],
  ["not ".repeat(MAX_FILTER_DEPTH + 1) + "title pr", /nested deeper/],
  ['emails['.repeat(2) + 'value eq "x"' + "]".repeat(2), /cannot be nested/],
];

describe("filterToSql refuses bad filters with invalidFilter", () => {
  it.each(INVALID)("%s", (filter, detail) => {
    const e = errorOf(filter);
    expect([e.status, e.scimType]).toEqual([400, "invalidFilter"]);
    expect(e.detail).toMatch(detail);
  });

  it("names Group-specific mistakes too", () => {
    expect(errorOf('userName eq "x"', "Group").detail).toMatch(/unknown attribute "userName" for Group/);
    expect(errorOf('members.display eq "x"', "Group").detail).toMatch(/"members\.display" is not stored/);
    expect(errorOf('members[type eq "User" and display co "x"]', "Group").detail).toMatch(/"members\.display" is not stored/);
    expect(errorOf("members.type gt 5", "Group").detail).toMatch(/quoted string/);
  });

  it("accepts filters exactly at the limits", () => {
    const atLength = `userName eq "${"a".repeat(MAX_FILTER_LENGTH - 14)}"`;
    expect(atLength.length).toBe(MAX_FILTER_LENGTH);
    expect(() => filterToSql(atLength, { kind: "User", alias: "u" })).not.toThrow();
    const atDepth = nest(MAX_FILTER_DEPTH, 'userName eq "a"');
    expect(() => filterToSql(atDepth, { kind: "User", alias: "u" })).not.toThrow();
  });

  it("shows the client's own literal, not an internal placeholder, in messages", () => {
    expect(errorOf('userName eq "bob" title eq "x"').detail).not.toMatch(/"\d+"/);
    expect(errorOf('"bob" eq "x"').detail).toContain('"bob"');
  });

  it("handles negative numbers the parser alone could not tokenize", () => {
    // A number against a string attribute is a type error, proving the literal was read.
    expect(errorOf("userName eq -5 and title pr").detail).toMatch(/-5/);
    expect(errorOf("(userName eq -5)").detail).toMatch(/quoted string/);
  });
});
