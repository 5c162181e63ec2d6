// Shared by the filter-*.test.ts files: a migrated database (PGlite always,
// PostgreSQL 15 too when TEST_DATABASE_URL is set) seeded with users and groups
// chosen to separate the semantics the filter translator must get right.
import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { Database } from "../../server/storage/tables.ts";

export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export { ENGINES, type Engine } from "../support/engines.ts";
import { type Engine, openTestDatabase } from "../support/engines.ts";

export interface TestDb {
  db: Kysely<Database>;
  close(): Promise<void>;
}

export async function openTestDb(engine: Engine): Promise<TestDb> {
  const handle = await openTestDatabase(engine);
  return { db: handle.db, close: () => handle.close() };
}

interface SeedUser {
  userName: string;
  externalId?: string;
  displayName?: string;
  active?: boolean;
  resource?: Record<string, unknown>;
  emails?: Array<{ value: string; type?: string; primary?: boolean }>;
  updated?: string;
  created?: string;
  /** The admin_role column; roles are rendered (and filtered) from the role columns. */
  adminRole?: "administrator";
}

// Fixed ids so expectations can name them; MGR is JSmith, bjensen's manager.
export const IDS = {
  bjensen: "0b1a3d50-0000-4000-8000-000000000001",
  JSmith: "0b1a3d50-0000-4000-8000-000000000002",
  "jane.doe": "0b1a3d50-0000-4000-8000-000000000003",
  omalley: "0b1a3d50-0000-4000-8000-000000000004",
  "100%_sure": "0b1a3d50-0000-4000-8000-000000000005",
  "100x-sure": "0b1a3d50-0000-4000-8000-000000000006",
  mixed: "0b1a3d50-0000-4000-8000-000000000007",
  nobody: "0b1a3d50-0000-4000-8000-000000000008",
  "zoë": "0b1a3d50-0000-4000-8000-000000000009",
} as const;
export type UserKey = keyof typeof IDS;
export const ALL_USERS = Object.keys(IDS) as UserKey[];

const USERS: Record<UserKey, SeedUser> = {
  bjensen: {
    userName: "bjensen",
    externalId: "bj-1",
    displayName: "Babs Jensen",
    created: "2010-01-23T04:56:22Z",
    updated: "2011-05-13T04:42:34Z",
    emails: [
      { value: "bjensen@example.com", type: "work", primary: true },
      { value: "babs@jensen.org", type: "home" },
    ],
    resource: {
      name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara" },
      title: "Tour Guide",
      userType: "Employee",
      ims: [{ value: "bjensen@foo.com", type: "xmpp" }],
      phoneNumbers: [{ value: "555-555-8377", type: "work" }],
      [ENTERPRISE]: {
        employeeNumber: "701984",
        department: "Tour Operations",
        manager: { value: "0b1a3d50-0000-4000-8000-000000000002", displayName: "John Smith" },
      },
    },
  },
  JSmith: {
    userName: "JSmith",
    displayName: "John Smith",
    created: "2009-03-01T00:00:00Z",
    updated: "2012-01-01T00:00:00Z",
    emails: [{ value: "JSmith@Example.COM", type: "work", primary: true }],
    resource: {
      name: { familyName: "Smith", givenName: "John" },
      title: "Manager",
      userType: "Employee",
      [ENTERPRISE]: { employeeNumber: "42", department: "Tour Operations" },
    },
  },
  "jane.doe": {
    userName: "jane.doe",
    displayName: "Jane Doe",
    active: false,
    created: "2011-02-01T00:00:00Z",
    updated: "2011-05-13T04:42:33Z",
    emails: [{ value: "jane@example.org", type: "work" }],
    resource: { name: { familyName: "Doe" }, userType: "Intern" },
  },
  omalley: {
    userName: "omalley",
    updated: "2011-05-13T04:42:35Z",
    emails: [
      { value: "pat@example.org", type: "home" },
      { value: "pat@omalley.ie", type: "work", primary: true },
    ],
    resource: {
      name: { familyName: "O'Malley", givenName: "Pat" },
      title: "",
      userType: "Contractor",
      ims: [{ value: "pat@foo.com", type: "aim" }],
      [ENTERPRISE]: {},
    },
  },
  "100%_sure": {
    userName: "100%_sure",
    externalId: "EXT-100",
    displayName: 'He said "hi"',
    // phoneNumbers is not an array here on purpose: it must read as empty, not fail.
    resource: { title: "back\\slash", userType: "Employee", phoneNumbers: "oops", [ENTERPRISE]: { department: "R&D_%" } },
  },
  "100x-sure": { userName: "100x-sure", displayName: "Percent Less" },
  mixed: {
    userName: "mixed",
    externalId: "Ext-Mixed",
    emails: [
      { value: "mixed@other.com", type: "work" },
      { value: "mixed@example.com", type: "home" },
    ],
    adminRole: "administrator",
    // As the identity provider sent it: sub-attributes are kept, the value is the column's.
    resource: { title: "Engineer", userType: "Employee", roles: [{ value: "admin:administrator", primary: true }] },
  },
  nobody: { userName: "nobody" },
  "zoë": { userName: "zoë", displayName: "Zoë" },
};

export const GROUP_IDS = {
  Admins: "9a000000-0000-4000-8000-000000000001",
  "Tour Guides": "9a000000-0000-4000-8000-000000000002",
  Empty: "9a000000-0000-4000-8000-000000000003",
  "100% Club_": "9a000000-0000-4000-8000-000000000004",
} as const;
export type GroupKey = keyof typeof GROUP_IDS;
export const ALL_GROUPS = Object.keys(GROUP_IDS) as GroupKey[];

const MEMBERS: Array<[GroupKey, string, "User" | "Group"]> = [
  ["Admins", IDS.bjensen, "User"],
  ["Admins", IDS.JSmith, "User"],
  ["Tour Guides", IDS.bjensen, "User"],
  ["Tour Guides", GROUP_IDS.Admins, "Group"],
  ["100% Club_", IDS["jane.doe"], "User"],
];

/** Seeds one organization (and a decoy org with a look-alike user); returns the org id. */
export async function seed(db: Kysely<Database>): Promise<string> {
  const org = randomUUID();
  const decoy = randomUUID();
  await db.insertInto("orgs").values([{ id: org, name: "Acme" }, { id: decoy, name: "Decoy" }]).execute();
  for (const key of ALL_USERS) {
    const u = USERS[key];
    await db
      .insertInto("users")
      .values({
        org_id: org,
        id: IDS[key],
        user_name: u.userName,
        external_id: u.externalId ?? null,
        display_name: u.displayName ?? null,
        active: u.active ?? true,
        resource: JSON.stringify(u.resource ?? {}),
        ...(u.adminRole ? { admin_role: u.adminRole } : {}),
        created_at: u.created ?? "2010-06-01T00:00:00Z",
        updated_at: u.updated ?? "2010-06-01T00:00:00Z",
      })
      .execute();
    const emails = (u.emails ?? []).map((e, position) => ({
      org_id: org,
      user_id: IDS[key],
      position,
      value: e.value,
      type: e.type ?? null,
      is_primary: e.primary ?? false,
    }));
    if (emails.length > 0) await db.insertInto("user_emails").values(emails).execute();
  }
  await db
    .insertInto("users")
    .values({ org_id: decoy, id: randomUUID(), user_name: "bjensen", resource: "{}", created_at: new Date(), updated_at: new Date() })
    .execute();
  for (const [name, id] of Object.entries(GROUP_IDS)) {
    const ext = name === "Admins" ? "grp-admins" : null;
    await db
      .insertInto("groups")
      .values({ org_id: org, id, display_name: name, external_id: ext, resource: "{}", created_at: "2010-01-01T00:00:00Z", updated_at: "2010-01-01T00:00:00Z" })
      .execute();
  }
  for (const [group, member, type] of MEMBERS) {
    await db.insertInto("group_members").values({ org_id: org, group_id: GROUP_IDS[group], member_id: member, member_type: type }).execute();
  }
  await sql`analyze`.execute(db);
  return org;
}
