/**
 * The baseline: a minimal Express app running the same SQL as the SCIM server
 * through pg, with no SCIM processing (no schema coercion, no filter parsing,
 * no PATCH engine, no rendering beyond the row). What it does per request is the
 * floor of our stack (Express + pg + PostgreSQL); the server cannot beat it.
 *
 * POST /users and GET /users send, statement for statement, what the server
 * sends for POST /Users and a filtered GET /Users (read off PostgreSQL's
 * log_statement): the token lookup that also counts the rate limits, then the
 * domain check, user + emails, audit event in one transaction, or the page with
 * its relations. /bare/users does only the user insert or lookup: what the
 * figures were judged against before (kept for comparison; no target).
 * Started by bench/run.ts as a child process: DATABASE_URL, ORG_ID, DOMAIN, PORT.
 */
import express from "express";
import pg from "pg";
import { uuidv7 } from "../server/lib/ids.ts";
import { hashSecret } from "../server/lib/secrets.ts";

const databaseUrl = process.env.DATABASE_URL;
const orgId = process.env.ORG_ID;
const domain = process.env.DOMAIN;
if (!databaseUrl || !orgId || !domain) {
  console.error("baseline: DATABASE_URL, ORG_ID and DOMAIN are required");
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
app.post("/bare/users", async (req, res) => {
  const { userName, email } = req.body as { userName: string; email: string };
  const now = new Date();
  const id = uuidv7(now.getTime());
  const resource = { userName, name: { givenName: "Bench", familyName: "User" }, emails: [{ value: email, type: "work", primary: true }], active: true };
  await inTransaction(res, async (client) => {
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
    return rows[0];
  });
});

/** BEGIN, the statements, COMMIT; 201 with what `body` returns, or ROLLBACK and 500. */
async function inTransaction(res: express.Response, body: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const created = await body(client);
    await client.query("commit");
    res.status(201).json(created);
  } catch (e) {
    await client.query("rollback").catch(() => undefined);
    res.status(500).json({ error: String(e) });
  } finally {
    client.release();
  }
}

// Indexed lookup by lower(user_name) (users_user_name_uq).
app.get("/bare/users", async (req, res) => {
  const { rows } = await pool.query(`select * from users where org_id = $1 and lower(user_name) = lower($2)`, [orgId, String(req.query.userName)]);
  res.json({ totalResults: rows.length, Resources: rows });
});

// The server's token lookup with its rate-limit counting (server/storage/scim-token-auth-repo.ts),
// as the benchmark's server runs it (both limits on, 60-second windows).
const TOKEN_AND_LIMITS = `
  with t as (
    select org_id, id, label, token_hash, last_used_at from scim_tokens where token_hash = $1
  ), hit as (
    insert into rate_limit_counters as c (key, window_start, hits, expires_at)
    select k.key, date_bin(make_interval(secs => 60), now(), timestamptz 'epoch'), 1,
           date_bin(make_interval(secs => 60), now(), timestamptz 'epoch') + make_interval(secs => 60)
    from t cross join lateral (values (1, 'scim-token:' || t.id::text), (2, 'org:' || t.org_id::text)) as k(ord, key)
    where (k.ord = 1 and true) or (k.ord = 2 and true)
    order by k.ord
    on conflict (key, window_start) do update set hits = c.hits + excluded.hits
    returning c.key, c.hits, greatest(1, ceil(extract(epoch from c.expires_at - now())))::int as reset_in
  )
  select t.*, (select json_agg(json_build_object('key', key, 'hits', hits, 'reset_in', reset_in)) from hit) as hits from t`;

async function authenticate(req: express.Request, db: pg.Pool | pg.PoolClient = pool): Promise<{ id: string; label: string } | undefined> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "")?.[1];
  if (!token) return undefined;
  const { rows } = await db.query(TOKEN_AND_LIMITS, [hashSecret(token)]);
  return rows[0] as { id: string; label: string } | undefined;
}

// POST /Users's statements: token (+ limits), then in one transaction the verified-domain check,
// user and emails in one statement, the audit event.
app.post("/users", async (req, res) => {
  const { userName, email } = req.body as { userName: string; email: string };
  const token = await authenticate(req);
  if (!token) return void res.status(401).end();
  const now = new Date();
  const id = uuidv7(now.getTime());
  const resource = { userName, name: { givenName: "Bench", familyName: "User" }, emails: [{ value: email, type: "work", primary: true }], active: true };
  await inTransaction(res, async (client) => {
    await client.query(`select "name", "status" from "org_domains" where "org_id" = $1 and "name" in ($2) order by "name" for key share`, [orgId, domain]);
    const { rows } = await client.query(
      `with "new_user" as (insert into "users" ("org_id", "id", "user_name", "external_id", "display_name", "active", "resource", "org_role", "admin_role", "manager_scope", "password_hash", "created_at", "updated_at")
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning *),
       "new_emails" as (insert into "user_emails" ("org_id", "user_id", "position", "value", "type", "is_primary") values ($14, $15, $16, $17, $18, $19))
       select * from "new_user"`,
      [orgId, id, userName, null, null, true, JSON.stringify(resource), "user", "member", JSON.stringify({ groups: [], permissions: [] }), null, now, now, orgId, id, 0, email, "work", true],
    );
    await client.query(
      `insert into "audit_events" ("org_id", "id", "actor_kind", "actor_id", "actor_label", "action", "target_type", "target_id", "target_label", "details") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [orgId, uuidv7(), "scim-token", token.id, token.label, "user.created", "User", id, userName, JSON.stringify({ changes: { userName: { to: userName } } })],
    );
    return rows[0];
  });
});

// A filtered GET /Users's statements: token (+ limits), then the page with its groups and seats.
app.get("/users", async (req, res) => {
  if (!(await authenticate(req))) return void res.status(401).end();
  const { rows } = await pool.query(
    `select "x".*, (select json_agg(json_build_object('id', g.id, 'displayName', g.display_name) order by g.display_name, g.id)
        from group_members gm join groups g on g.org_id = gm.org_id and g.id = gm.group_id
        where gm.org_id = "x"."org_id" and gm.member_id = "x"."id") as "rel_groups",
      (select json_agg(json_build_array(sa.product_key, sa.status) order by sa.product_key)
        from seat_assignments sa where sa.org_id = "x"."org_id" and sa.user_id = "x"."id") as "rel_seats"
     from (select "u"."id" from "users" as "u" where "u"."org_id" = $1 and lower("u"."user_name") = lower(cast($2 as text)) order by "u"."id" limit $3 offset $4) as "p"
     inner join "users" as "x" on "x"."id" = "p"."id" where "x"."org_id" = $5 order by "x"."id"`,
    [orgId, String(req.query.userName), 100, 0, orgId],
  );
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
