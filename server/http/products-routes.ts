import type { ProductJson } from "./admin-api-json.ts";
import express, { type Request, type Response, Router } from "express";
import type { Kysely } from "kysely";
import type { Actor } from "../domain/actor.ts";
import { getGroupProducts, listProducts, type ProductUsage, setGroupProducts, setProductSeats } from "../domain/seats.ts";
import { isUuid } from "../lib/ids.ts";
import type { Database } from "../storage/tables.ts";
import { actorOf } from "./actor.ts";
import { HttpError } from "./error-map.ts";

export interface ProductsRouterDeps {
  db: Kysely<Database>;
}

/**
 * Products, their seats, and the products assigned to groups, mounted at
 * /admin/v1/orgs/:org (mergeParams: `:org` comes from the mount path):
 *   GET /products, PUT /products/:key {"seats": n},
 *   GET /groups/:groupId/products, PUT /groups/:groupId/products {"products": [keys]}.
 */
export function productsRouter({ db }: ProductsRouterDeps): Router {
  const r = Router({ mergeParams: true });
  // Parses only its own routes' bodies: this router is mounted at /orgs/:org, ahead of others.
  const json = express.json({ limit: "64kb" });

  r.get("/products", async (req, res) => {
    const { orgId } = caller(req, res);
    res.json({ products: (await listProducts(db, orgId)).map(usageJson) });
  });
  r.put("/products/:key", json, async (req, res) => {
    const { orgId, actor } = caller(req, res);
    const seats = bodyOf(req).seats;
    if (typeof seats !== "number") throw invalid('"seats" must be a non-negative integer, e.g. {"seats": 25}');
    res.json(usageJson(await setProductSeats(db, orgId, String(req.params.key), seats, actor)));
  });
  r.get("/groups/:groupId/products", async (req, res) => {
    const { orgId } = caller(req, res);
    res.json({ products: await getGroupProducts(db, orgId, groupParam(req)) });
  });
  r.put("/groups/:groupId/products", json, async (req, res) => {
    const { orgId, actor } = caller(req, res);
    const products = bodyOf(req).products;
    if (!Array.isArray(products) || !products.every((p) => typeof p === "string")) {
      throw invalid('"products" must be an array of product keys, e.g. {"products": ["meeting"]}');
    }
    res.json({ products: await setGroupProducts(db, orgId, groupParam(req), products, actor) });
  });
  return r;
}

/** The organization of the URL and the caller; the domain answers 404 for an organization that does not exist. */
function caller(req: Request, res: Response): { orgId: string; actor: Actor } {
  const id = String((req.params as Record<string, string | undefined>).org);
  const actor = actorOf(res);
  // Defence in depth: a caller bound to one organization never reaches another's products.
  if (!isUuid(id) || ("orgId" in actor && actor.orgId !== id)) {
    throw new HttpError(404, "not_found", `Organization "${id}" not found`);
  }
  return { orgId: id, actor };
}

function groupParam(req: Request): string {
  const id = String(req.params.groupId);
  if (!isUuid(id)) throw new HttpError(404, "not_found", `Group "${id}" not found`);
  return id;
}

function bodyOf(req: Request): Record<string, unknown> {
  const body = req.body as unknown;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_body", "Send a JSON object with Content-Type: application/json");
  }
  return body as Record<string, unknown>;
}

const invalid = (message: string) => new HttpError(400, "invalid_value", message);

const usageJson = (u: ProductUsage): ProductJson => ({ key: u.key, seats: u.seats, assigned: u.assigned, pending: u.pending });
