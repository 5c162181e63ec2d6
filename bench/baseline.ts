/**
 * The baseline: a minimal Express app running the same SQL as the SCIM server
 * through pg, with no SCIM processing (no schema coercion, no filter parsing,
 * no audit, no seats, no rendering beyond the row). What it does per request is
 * the floor of our stack (Express + pg + PostgreSQL); the server cannot beat it.
 * Started by bench/run.ts as a child process: DATABASE_URL, ORG_ID, PORT.
 */
import express from "express";
import pg from "pg";
import { uuidv7 } from "../server/lib/ids.ts";

const databaseUrl = process.env.DATABASE_URL;
const orgId = process.env.ORG_ID;
if (!databaseUrl || !orgId) {
  console.error("baseline: DATABASE_URL and ORG_ID are required");
  process.exit(2);
}
// Same pool size as the server's default (server/storage/database.ts).
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
pool.on("error", () => undefined);

const app = express();
app.use(express.json({ type: ["application/json", "application/scim+json"] }));
app.get("/healthz", (_req, res) => {
  res.json({ status: "ok" });
});

// Insert a user and its email in one transaction (what POST /Users writes at least).
app.post("/users", async (req, res) => {
  const { userName, email } = req.body as { userName: string; email: string };
  const now = new Date();
  const id = uuidv7(now.getTime());
  const resource = { userName, name: { givenName: "Bench", familyName: "User" }, emails: [{ value: email, type: "work", primary: true }], active: true };
  const client = await pool.connect();
  try {
    await client.query("begin");
    const { rows } = await client.query(
      `insert into users (org_id, id, user_name, display_name, resource, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $6) returning *`,
      [orgId, id, userName, null, JSON.stringify(resource), now],
    );
    await client.query(`insert into user_emails (org_id, user_id, position, value, type, is_primary) values ($1, $2, 0, $3, 'work', true)`, [
      orgId,
      id,
      email,
    ]);
    await client.query("commit");
    res.status(201).json(rows[0]);
  } catch (e) {
    await client.query("rollback").catch(() => undefined);
    res.status(500).json({ error: String(e) });
  } finally {
    client.release();
  }
});

// Indexed lookup by lower(user_name) (users_user_name_uq).
app.get("/users", async (req, res) => {
  const { rows } = await pool.query(`select * from users where org_id = $1 and lower(user_name) = lower($2)`, [orgId, String(req.query.userName)]);
  res.json({ totalResults: rows.length, Resources: rows });
});

// A page by keyset on the primary key: the best any pagination can do.
app.get("/users/page", async (req, res) => {
  const after = typeof req.query.after === "string" && req.query.after ? req.query.after : "00000000-0000-0000-0000-000000000000";
  const count = Math.min(1000, Number(req.query.count ?? 100));
  const { rows } = await pool.query(`select * from users where org_id = $1 and id > $2 order by id limit $3`, [orgId, after, count]);
  res.json({ Resources: rows, next: rows.at(-1)?.id ?? null });
});

// Member insert and delete, both POSTs with a JSON body (what a SCIM PATCH carries too).
app.post("/groups/:id/members/add", async (req, res) => {
  const { memberId } = req.body as { memberId: string };
  await pool.query(
    `insert into group_members (org_id, group_id, member_id, member_type) values ($1, $2, $3, 'User') on conflict do nothing`,
    [orgId, req.params.id, memberId],
  );
  res.status(204).end();
});

app.post("/groups/:id/members/remove", async (req, res) => {
  const { memberId } = req.body as { memberId: string };
  await pool.query(`delete from group_members where org_id = $1 and group_id = $2 and member_id = $3`, [orgId, req.params.id, memberId]);
  res.status(204).end();
});

const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => void pool.end().then(() => process.exit(0))));
