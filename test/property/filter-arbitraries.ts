// Generators of SCIM filters (RFC 7644 §3.4.2.2) for the property tests:
// - filterAst / printFilter: syntactically valid trees and their text, for the
//   parse(print(tree)) round trip;
// - typedUserFilter: filters over real User attributes with values of the right
//   type, which a server must answer with 200;
// - nearValidFilter: the grammar with every part sometimes wrong (unknown or
//   misspelt attributes, wrong operators, unquoted or mistyped values, broken
//   escapes, unbalanced brackets, deep nesting), which must be 200 or a clean 400.
import fc from "fast-check";
import type { FilterNode, Literal } from "../../server/scim/filter/index.ts";

const KEYWORDS = new Set(["and", "or", "not", "pr", "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "true", "false", "null"]);
const COMPARE_OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const;
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/).filter((n) => !KEYWORDS.has(n.toLowerCase()));
const attrPath = fc.oneof(
  name,
  fc.tuple(name, name).map(([a, b]) => `${a}.${b}`),
  fc.tuple(fc.constantFrom(ENTERPRISE, "urn:ietf:params:scim:schemas:core:2.0:User"), name).map(([u, a]) => `${u}:${a}`),
);
/** Strings PostgreSQL can hold (no U+0000), any other code unit included. */
const text = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !s.includes("\u0000"));
const literal: fc.Arbitrary<Literal> = fc.oneof(
  text,
  fc.integer({ min: -1e9, max: 1e9 }).filter((n) => !Object.is(n, -0)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.constantFrom(true, false, null),
);

/** Syntactically valid filter trees. */
export const filterAst: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode; inner: FilterNode; leaf: FilterNode }>((tie) => ({
  leaf: fc.oneof(
    fc.record({ op: fc.constantFrom(...COMPARE_OPS), attrPath, compValue: literal }) as fc.Arbitrary<FilterNode>,
    fc.record({ op: fc.constant("pr" as const), attrPath }),
  ),
  // Inside [...]: sub-attribute names only, no nested value path.
  inner: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(
      fc.record({ op: fc.constantFrom(...COMPARE_OPS), attrPath: name, compValue: literal }) as fc.Arbitrary<FilterNode>,
      fc.record({ op: fc.constant("pr" as const), attrPath: name }),
    ),
    fc.record({ op: fc.constantFrom("and" as const, "or" as const), filters: fc.array(tie("inner"), { minLength: 2, maxLength: 3 }) }),
    fc.record({ op: fc.constant("not" as const), filter: tie("inner") }),
  ),
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("leaf"),
    fc.record({ op: fc.constantFrom("and" as const, "or" as const), filters: fc.array(tie("node"), { minLength: 2, maxLength: 3 }) }),
    fc.record({ op: fc.constant("not" as const), filter: tie("node") }),
    fc.record({ op: fc.constant("[]" as const), attrPath: name, valFilter: tie("inner") }),
  ),
})).node;

/** The filter text of a tree: groups in parentheses so the tree read back is the same tree. */
export function printFilter(node: FilterNode): string {
  switch (node.op) {
    case "and":
    case "or":
      return node.filters.map((f) => (f.op === "and" || f.op === "or" ? `(${printFilter(f)})` : printFilter(f))).join(` ${node.op} `);
    case "not":
      return `not (${printFilter(node.filter)})`;
    case "[]":
      return `${node.attrPath}[${printFilter(node.valFilter)}]`;
    case "pr":
      return `${node.attrPath} pr`;
    default:
      return `${node.attrPath} ${node.op} ${JSON.stringify(node.compValue)}`;
  }
}

// --- Type-correct filters over real User attributes: the server must answer 200.

const STRING_ATTRS = [
  "userName",
  "displayName",
  "externalId",
  "nickName",
  "title",
  "name.givenName",
  "name.familyName",
  "emails.value",
  "emails.type",
  "phoneNumbers.value",
  "addresses.locality",
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:employeeNumber`,
];
const BOOLEAN_ATTRS = ["active", "emails.primary"];
const DATE_ATTRS = ["meta.created", "meta.lastModified"];
const validText = fc.string({ unit: "grapheme", maxLength: 10 }).filter((s) => !s.includes("\u0000"));
const isoDate = fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString());
const randomCase = (s: string) => fc.constantFrom(s, s.toLowerCase(), s.toUpperCase());

const typedLeaf = fc.oneof(
  fc.tuple(fc.constantFrom(...STRING_ATTRS), fc.constantFrom(...COMPARE_OPS), validText).map(([a, op, v]) => `${a} ${op} ${JSON.stringify(v)}`),
  fc.tuple(fc.constantFrom(...BOOLEAN_ATTRS), fc.constantFrom("eq", "ne"), fc.boolean()).map(([a, op, v]) => `${a} ${op} ${v}`),
  fc.tuple(fc.constantFrom(...DATE_ATTRS), fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le"), isoDate).map(([a, op, v]) => `${a} ${op} "${v}"`),
  fc.constantFrom(...STRING_ATTRS, ...BOOLEAN_ATTRS, ...DATE_ATTRS).map((a) => `${a} pr`),
  fc.tuple(fc.constantFrom("emails", "phoneNumbers"), fc.constantFrom("type", "value"), validText).map(([a, s, v]) => `${a}[${s} eq ${JSON.stringify(v)}]`),
);
export const typedUserFilter: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    typedLeaf,
    fc.tuple(tie("f"), fc.constantFrom("and", "or"), tie("f")).chain(([a, op, b]) => randomCase(op).map((o) => `(${a}) ${o} (${b})`)),
    tie("f").map((a) => `not (${a})`),
  ),
})).f;

// --- Near-valid filters: each part sometimes wrong.

const anyAttr = fc.oneof(
  fc.constantFrom(...STRING_ATTRS, ...BOOLEAN_ATTRS, ...DATE_ATTRS, "id", "meta.version", "meta.resourceType", "groups.value", "groups", "members", "members.value", "emails", "name", "password", "schemas", "meta", "x509Certificates.value", `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:manager`, `${ENTERPRISE}:`, "urn:unknown:schema:attr", "emails.value.extra", "emails..value", ".value", "userName.", "a:b:c"),
  attrPath,
  fc.string({ maxLength: 6 }),
);
const anyOp = fc.oneof(fc.constantFrom(...COMPARE_OPS, "EQ", "Co", "pr", "in", "==", "like", "", "and"), fc.string({ maxLength: 3 }));
const anyValue = fc.oneof(
  literal.map((v) => JSON.stringify(v)),
  isoDate.map((d) => `"${d}"`),
  fc.constantFrom('"2024-02-30T00:00:00Z"', '"0000-01-01"', '"2024-01-01T24:00:00Z"', '"\\u0000"', '"\\ud800"', '"\\x"', '"unterminated', "'single'", "unquoted", "-", "1.", ".5", "1e", "--1", "True", "NULL", '""', '"\\"', '"a\\\\"', "[]", "{}", "00000000-0000-0000-0000-000000000000", '"00000000-0000-0000-0000-000000000000"', '"not-a-uuid"', "99999999999999999999999", "1e400", "-1e400"),
  fc.string({ unit: "binary", maxLength: 8 }),
);
export const nearValidFilter: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(anyAttr, anyOp, anyValue).map(([a, op, v]) => `${a} ${op} ${v}`),
    anyAttr.map((a) => `${a} pr`),
    typedLeaf,
    fc.tuple(tie("f"), fc.constantFrom("and", "or", "AND", "and not", "", "or or"), tie("f")).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(fc.constantFrom("(", "not (", "not", "((", ""), tie("f"), fc.constantFrom(")", "", "))", ")]")).map(([o, a, c]) => `${o}${a}${c}`),
    fc.tuple(anyAttr, tie("f"), fc.constantFrom("]", "", "].value", "]]")).map(([a, inner, c]) => `${a}[${inner}${c}`),
    fc.integer({ min: 1, max: 80 }).map((n) => `${"(".repeat(n)}userName pr${")".repeat(n)}`),
    fc.integer({ min: 1, max: 600 }).map((n) => `${"not ".repeat(n)}userName pr`),
    fc.integer({ min: 1, max: 500 }).map((n) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(" or ")),
  ),
})).f;
