// parseFilter: the tree handed to the SQL translator, including the literal
// handling we add on top of scim2-parse-filter (JSON string escapes, negative
// numbers) and the precedence the RFC 7644 §3.4.2.2 grammar implies.
import { describe, expect, it } from "vitest";
import { parseFilter } from "../../server/scim/filter/index.ts";

describe("parseFilter", () => {
  it("decodes JSON escapes in strings (RFC 7644 §3.4.2.2 compValue is a JSON string)", () => {
    expect(parseFilter('a eq "say \\"hi\\" \\\\ \\/ \\n \\u00e9"')).toEqual({ op: "eq", attrPath: "a", compValue: 'say "hi" \\ / \n é' });
    expect(parseFilter('a eq "ends with backslash\\\\"')).toEqual({ op: "eq", attrPath: "a", compValue: "ends with backslash\\" });
    // Not a JSON escape: the backslash is kept (e.g. DOMAIN\user sent unescaped).
    expect(parseFilter('a eq "DOMAIN\\user"')).toEqual({ op: "eq", attrPath: "a", compValue: "DOMAIN\\user" });
  });

  it("keeps numbers, booleans and null typed, including negative numbers before ) or a space", () => {
    expect(parseFilter("(a gt -5) and b eq -1.5e2 and c eq true and d eq null and e eq 7")).toEqual({
      op: "and",
      filters: [
        { op: "gt", attrPath: "a", compValue: -5 },
        { op: "eq", attrPath: "b", compValue: -150 },
        { op: "eq", attrPath: "c", compValue: true },
        { op: "eq", attrPath: "d", compValue: null },
        { op: "eq", attrPath: "e", compValue: 7 },
      ],
    });
  });

  it("treats strings that look like numbers or keywords as strings", () => {
    expect(parseFilter('a eq "5" or b eq "true" or c eq "and"')).toEqual({
      op: "or",
      filters: [
        { op: "eq", attrPath: "a", compValue: "5" },
        { op: "eq", attrPath: "b", compValue: "true" },
        { op: "eq", attrPath: "c", compValue: "and" },
      ],
    });
  });

  it("binds and tighter than or, and not to the group it precedes", () => {
    expect(parseFilter('a pr or b pr and not (c pr) or d eq "x"')).toEqual({
      op: "or",
      filters: [
        { op: "pr", attrPath: "a" },
        { op: "and", filters: [{ op: "pr", attrPath: "b" }, { op: "not", filter: { op: "pr", attrPath: "c" } }] },
        { op: "eq", attrPath: "d", compValue: "x" },
      ],
    });
  });

  it("parses value paths with their inner filter", () => {
    expect(parseFilter('emails[type eq "work" and value co "@x"]')).toEqual({
      op: "[]",
      attrPath: "emails",
      valFilter: {
        op: "and",
        filters: [
          { op: "eq", attrPath: "type", compValue: "work" },
          { op: "co", attrPath: "value", compValue: "@x" },
        ],
      },
    });
  });

  it("does not mistake digits inside attribute names or URNs for numbers", () => {
    expect(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:x509Certificates pr')).toEqual({
      op: "pr",
      attrPath: "urn:ietf:params:scim:schemas:core:2.0:User:x509Certificates",
    });
  });
});
