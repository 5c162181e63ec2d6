import type { Kysely } from "kysely";
import { uuidv7 } from "../lib/ids.ts";
import type { Database, OrgRow } from "../storage/tables.ts";
import { InvalidValueError, NotFoundError } from "./errors.ts";

export interface Org {
  id: string;
  name: string;
  createdAt: Date;
}

const toOrg = (r: OrgRow): Org => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at) });

export async function createOrg(db: Kysely<Database>, name: unknown): Promise<Org> {
  if (typeof name !== "string" || !name.trim()) throw new InvalidValueError('"name" must be a non-empty string');
  if (name.length > 200) throw new InvalidValueError('"name" must be at most 200 characters');
  const row = await db
    .insertInto("orgs")
    .values({ id: uuidv7(), name: name.trim() })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOrg(row);
}

export async function getOrg(db: Kysely<Database>, id: string): Promise<Org> {
  const row = await db.selectFrom("orgs").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("Organization", id);
  return toOrg(row);
}

export async function listOrgs(db: Kysely<Database>): Promise<Org[]> {
  const rows = await db.selectFrom("orgs").selectAll().orderBy("id").execute();
  return rows.map(toOrg);
}
