import { type Kysely, sql } from "kysely";
import type { Database } from "./tables.ts";

export interface SeatTotals {
  orgId: string;
  productKey: string;
  granted: number;
  pending: number;
}

/**
 * Granted and pending seats of every product of every organization, in one
 * query for a /metrics scrape. Products with no seat rows are listed with
 * zeros, so a gauge drops to 0 when the last seat goes instead of vanishing.
 */
export async function seatTotalsOfAllOrgs(db: Kysely<Database>): Promise<SeatTotals[]> {
  const rows = await db
    .selectFrom("products as p")
    .leftJoin("seat_assignments as sa", (j) => j.onRef("sa.org_id", "=", "p.org_id").onRef("sa.product_key", "=", "p.key"))
    .select([
      "p.org_id as orgId",
      "p.key as productKey",
      sql<number>`count(*) filter (where sa.status = 'granted')::int`.as("granted"),
      sql<number>`count(*) filter (where sa.status = 'pending')::int`.as("pending"),
    ])
    .groupBy(["p.org_id", "p.key"])
    .orderBy("p.org_id")
    .orderBy("p.key")
    .execute();
  return rows.map((r) => ({ ...r, granted: Number(r.granted), pending: Number(r.pending) }));
}
