// The products routes of the operator API over HTTP, on a real database:
// seats per product, products per group, validation and error shapes.
import { randomUUID } from "node:crypto";
import express, { type Express } from "express";
import { pino } from "pino";
import supertest from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../server/domain/actor.ts";
import { SeatLimitError } from "../../server/domain/errors.ts";
import { createOrg } from "../../server/domain/orgs.ts";
import { syncUserSeats } from "../../server/domain/seats.ts";
import { httpErrorHandler, toHttpError } from "../../server/http/error-map.ts";
import { productsRouter } from "../../server/http/products-routes.ts";
import { uuidv7 } from "../../server/lib/ids.ts";
import { toScimError } from "../../server/scim/error-map.ts";
import type { DatabaseHandle } from "../../server/storage/database.ts";
import { ENGINES, openTestDatabase } from "../support/engines.ts";

describe.each(ENGINES)("products API on %s", (engine) => {
  let database: DatabaseHandle;
  let app: Express;
  let actor: Actor = { kind: "operator" };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    app = express();
    app.use(express.json());
    app.use((_req, res, next) => {
      res.locals.actor = actor;
      next();
    });
    app.use("/admin/v1/orgs/:org", productsRouter({ db: database.db }));
    app.use(httpErrorHandler(pino({ level: "silent" })));
  });
  afterAll(async () => {
    await database.close();
  });

  let org: string;
  const base = () => `/admin/v1/orgs/${org}`;
  const put = (path: string, body: unknown) => supertest(app).put(`${base()}${path}`).send(body as object);
  const get = (path: string) => supertest(app).get(`${base()}${path}`);

  const newOrg = async () => {
    org = (await createOrg(database.db, "Acme")).id;
  };
  async function insertGroup(): Promise<string> {
    const id = uuidv7();
    const now = new Date();
    await database.db.insertInto("groups").values({ org_id: org, id, display_name: "Sales", external_id: null, resource: "{}", created_at: now, updated_at: now }).execute();
    return id;
  }
  async function insertUserWith(direct: string[]): Promise<void> {
    await database.db.transaction().execute(async (trx) => {
      const id = uuidv7();
      const now = new Date();
      await trx.insertInto("users").values({ org_id: org, id, user_name: id, external_id: null, display_name: null, resource: "{}", password_hash: null, created_at: now, updated_at: now }).execute();
      await syncUserSeats(trx, org, id, { active: true, directProducts: direct });
    });
  }

  describe("products", () => {
    it("creates a product with PUT and lists it with its usage", async () => {
      await newOrg();
      await get("/products").expect(200, { products: [] });
      const res = await put("/products/meeting", { seats: 25 }).expect(200);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.body).toEqual({ key: "meeting", seats: 25, assigned: 0, pending: 0 });
      await put("/products/webinar", { seats: 0 }).expect(200);
      await insertUserWith(["meeting"]);
      await get("/products").expect(200, {
        products: [
          { key: "meeting", seats: 25, assigned: 1, pending: 0 },
          { key: "webinar", seats: 0, assigned: 0, pending: 0 },
        ],
      });
    });

    it("changes the seats of an existing product", async () => {
      await newOrg();
      await put("/products/meeting", { seats: 2 }).expect(200);
      await put("/products/meeting", { seats: 1_000_000 }).expect(200, { key: "meeting", seats: 1_000_000, assigned: 0, pending: 0 });
    });

    it("answers 409 naming the count when seats would go below the number assigned", async () => {
      await newOrg();
      await put("/products/meeting", { seats: 3 }).expect(200);
      await insertUserWith(["meeting"]);
      await insertUserWith(["meeting"]);
      const res = await put("/products/meeting", { seats: 1 }).expect(409);
      expect(res.body).toEqual({ error: "conflict", message: expect.stringContaining('product "meeting" has 2 seats assigned') });
      await get("/products").expect(200, { products: [{ key: "meeting", seats: 3, assigned: 2, pending: 0 }] });
    });

    it.each([
      ["an upper-case key", "Meeting", { seats: 1 }],
      ["a key starting with a dash", "-meeting", { seats: 1 }],
      ["a key longer than 64 characters", "m".repeat(65), { seats: 1 }],
      ["negative seats", "meeting", { seats: -1 }],
      ["fractional seats", "meeting", { seats: 2.5 }],
      ["seats above 1,000,000", "meeting", { seats: 1_000_001 }],
      ["seats as a string", "meeting", { seats: "25" }],
      ["no seats", "meeting", {}],
      ["a body that is not an object", "meeting", [1]],
    ])("answers 400 for %s", async (_what, key, body) => {
      await newOrg();
      const res = await put(`/products/${encodeURIComponent(key)}`, body).expect(400);
      expect(res.body).toEqual({ error: expect.stringMatching(/^invalid_/), message: expect.any(String) });
      await get("/products").expect(200, { products: [] });
    });

    it("answers 404 for an organization that does not exist or is not a UUID", async () => {
      org = randomUUID();
      await get("/products").expect(404);
      await put("/products/meeting", { seats: 1 }).expect(404);
      org = "not-a-uuid";
      await get("/products").expect(404);
    });

    it("answers 404 to a caller bound to another organization", async () => {
      await newOrg();
      actor = { kind: "admin", orgId: randomUUID(), userId: randomUUID() };
      try {
        await get("/products").expect(404);
      } finally {
        actor = { kind: "operator" };
      }
    });
  });

  describe("group products", () => {
    it("replaces and reads the products of a group", async () => {
      await newOrg();
      await put("/products/meeting", { seats: 5 }).expect(200);
      await put("/products/webinar", { seats: 5 }).expect(200);
      const g = await insertGroup();
      await get(`/groups/${g}/products`).expect(200, { products: [] });
      await put(`/groups/${g}/products`, { products: ["webinar", "meeting", "webinar"] }).expect(200, { products: ["meeting", "webinar"] });
      await get(`/groups/${g}/products`).expect(200, { products: ["meeting", "webinar"] });
      await put(`/groups/${g}/products`, { products: [] }).expect(200, { products: [] });
    });

    it("answers 400 naming an unknown product key, and changes nothing", async () => {
      await newOrg();
      await put("/products/meeting", { seats: 5 }).expect(200);
      const g = await insertGroup();
      const res = await put(`/groups/${g}/products`, { products: ["meeting", "nope"] }).expect(400);
      expect(res.body).toEqual({ error: "invalid_value", message: expect.stringContaining('"nope"') });
      await get(`/groups/${g}/products`).expect(200, { products: [] });
    });

    it("answers 400 when products is not an array of strings", async () => {
      await newOrg();
      const g = await insertGroup();
      await put(`/groups/${g}/products`, { products: "meeting" }).expect(400);
      await put(`/groups/${g}/products`, { products: [1] }).expect(400);
      await put(`/groups/${g}/products`, {}).expect(400);
    });

    it("answers 404 for a group that does not exist, is not a UUID, or belongs to another organization", async () => {
      await newOrg();
      const g = await insertGroup();
      await get(`/groups/${randomUUID()}/products`).expect(404);
      await put(`/groups/${randomUUID()}/products`, { products: [] }).expect(404);
      await get("/groups/not-a-uuid/products").expect(404);
      await newOrg();
      await get(`/groups/${g}/products`).expect(404);
      await put(`/groups/${g}/products`, { products: [] }).expect(404);
    });
  });
});

describe("seat errors in both protocols", () => {
  it("maps SeatLimitError to 409 with its message, for the admin API and for SCIM", () => {
    const err = new SeatLimitError("meeting", 25, 25);
    expect(err.message).toBe('product "meeting" has no free seat (25 of 25 assigned); free a seat or buy more');
    expect(toHttpError(err)).toMatchObject({ status: 409, code: "seat_limit", message: err.message });
    expect(toScimError(err)?.toJSON()).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "409",
      detail: err.message,
    });
  });
});
