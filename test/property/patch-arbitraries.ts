// Generators of SCIM PATCH bodies (RFC 7644 §3.5.2) for the property tests:
// - nearValidPatch: the PatchOp shape with every part sometimes wrong (op
//   names and case, paths with value filters, extension URNs, sub-attributes
//   of the wrong kind, read-only attributes, values of every JSON type);
// - validUserPatch: operations any existing user accepts (200).
import fc from "fast-check";
import { ENTERPRISE } from "./filter-arbitraries.ts";

export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

const opName = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("add", "replace", "remove", "Add", "Replace", "REMOVE") },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom("delete", "move", "", "copy"), fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)) },
);

const USER_PATHS = [
  "displayName", "title", "nickName", "userType", "active", "userName", "externalId", "preferredLanguage", "locale", "timezone",
  "name", "name.givenName", "name.familyName", "name.nope", "emails", "emails.value", "emails.type", "phoneNumbers", "addresses",
  "addresses.locality", "entitlements", "roles", "groups", "id", "meta", "meta.created", "schemas", "password", "x509Certificates",
  'emails[type eq "work"]', 'emails[type eq "work"].value', 'emails[type eq "home"].primary', "emails[primary eq true].value",
  'emails[value co "@"]', 'phoneNumbers[type eq "work"].value', 'addresses[type eq "work"].locality', 'roles[value eq "admin"]',
  'emails[type eq "work"', 'emails[type eq "work"]x', "emails[]", 'emails[type eq "work"].value.extra', 'name[givenName eq "x"]',
  'emails[type eq "work" and value ew "example.com"].display', 'emails[not (type eq "work")]', 'emails[type eq work]',
  ENTERPRISE, `${ENTERPRISE}:department`, `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:nope`, `${ENTERPRISE}:`, `${USER}:displayName`, `${USER}:name.givenName`, USER, "urn:unknown:ext:attr",
  "urn:ietf:params:scim:schemas:extension:scimgate:2.0:User", "urn:ietf:params:scim:schemas:extension:scimgate:2.0:User:orgRole",
];
const GROUP_PATHS = [
  "members", 'members[value eq "00000000-0000-7000-8000-000000000000"]', 'members[value eq "not-a-uuid"]', "members.value",
  'members[type eq "User"]', 'members[value eq "x"].display', "displayName", "externalId", `${GROUP}:members`, `${GROUP}:displayName`,
  "members[", 'members[value eq "x"] and', "id", "meta.version",
];

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom("x@example.com", "x@elsewhere.test", "False", "True", "", " ", "a".repeat(600), "\u0000", "\ud800") },
);
const uuidish = fc.oneof(fc.uuid(), fc.constantFrom("00000000-0000-0000-0000-000000000000", "not-a-uuid", ""));
const multiValue = fc.array(
  fc.record(
    { value: fc.oneof(text, uuidish, fc.integer(), fc.boolean()), type: fc.constantFrom("work", "home", "other", 5), primary: fc.oneof(fc.boolean(), fc.constant("true")), display: text, $ref: text },
    { requiredKeys: [] },
  ),
  { maxLength: 3 },
);
const objectValue = fc.dictionary(
  fc.constantFrom("displayName", "title", "active", "name", "emails", "members", "userName", "id", "meta", "schemas", ENTERPRISE, `${ENTERPRISE}:department`, "DisplayName", "nope", "groups"),
  fc.oneof(text, fc.boolean(), multiValue, fc.record({ givenName: text, familyName: text, department: text }, { requiredKeys: [] }), fc.constant(null)),
  { maxKeys: 3 },
);
const anyValue = fc.oneof(text, fc.boolean(), fc.integer(), fc.double(), fc.constant(null), multiValue, objectValue, fc.jsonValue({ maxDepth: 3 }));

function operation(paths: string[]) {
  const path = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...paths) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null)) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: opName, path, value: anyValue }) },
    // No path: the value is an object of attributes (RFC 7644 §3.5.2.1).
    { weight: 2, arbitrary: fc.record({ op: opName, value: objectValue }) },
    { weight: 1, arbitrary: fc.record({ op: opName, path, value: anyValue }, { requiredKeys: ["op"] }) },
  );
}

function body(paths: string[]) {
  const operations = fc.oneof({ weight: 30, arbitrary: fc.array(operation(paths), { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.oneof(fc.constant([]), fc.jsonValue({ maxDepth: 2 })) });
  return fc.oneof(
    { weight: 30, arbitrary: fc.record({ schemas: fc.constant([PATCH_OP]), Operations: operations }) },
    { weight: 1, arbitrary: fc.record({ schemas: fc.constant([PATCH_OP.toUpperCase()]), operations }) },
    { weight: 1, arbitrary: fc.record({ schemas: fc.oneof(fc.constant([USER]), fc.jsonValue({ maxDepth: 1 })), Operations: operations }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

export const nearValidUserPatch = body(USER_PATHS);
export const nearValidGroupPatch = body(GROUP_PATHS);

// --- Operations every existing user accepts.

const word = fc.stringMatching(/^[A-Za-z0-9À-ž][A-Za-z0-9À-ž .'-]{0,24}$/);
const settable = ["displayName", "title", "nickName", "userType", "name.givenName", "name.familyName", `${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`];
const validOperation = fc.oneof(
  fc.tuple(fc.constantFrom("add", "replace", "Replace"), fc.constantFrom(...settable), word).map(([op, path, value]) => [{ op, path, value }]),
  fc.boolean().map((value) => [{ op: "replace", path: "active", value }]),
  fc.tuple(word, word).map(([displayName, title]) => [{ op: "replace", value: { displayName, title } }]),
  word.map((department) => [{ op: "add", path: ENTERPRISE, value: { department } }]),
  word.map((locality) => [{ op: "add", path: "addresses", value: [{ locality, type: "work" }] }]),
  fc.constantFrom("+1 555 0100", "+44 20 7946 0000").map((value) => [{ op: "add", path: "phoneNumbers", value: [{ value, type: "work" }] }]),
  word.map((title) => [
    { op: "add", path: "title", value: title },
    { op: "remove", path: "title" },
  ]),
);
export const validUserPatch = fc
  .array(validOperation, { minLength: 1, maxLength: 3 })
  .map((groups) => ({ schemas: [PATCH_OP], Operations: groups.flat() }));
