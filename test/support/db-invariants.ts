// Reads an organization's users back with SQL and checks the invariants no
// crash may break: every user complete (its email rows and its direct products
// agree with its stored resource, its creation audited), no membership pointing
// at nothing, no seat counted twice or held by someone who does not want it,
// no product over-assigned and no request left pending next to a free seat.
import type pg from "pg";
import type { UserState } from "./crash-workload.ts";

export interface StoredUser {
  id: string;
  state: UserState;
}

/** Every user of the organization by userName, in the shape of the workload's model. */
export async function readUsers(c: pg.Client, orgId: string): Promise<Map<string, StoredUser>> {
  const { rows } = await c.query(
    `select u.id, u.user_name, u.display_name, u.active,
       coalesce((select array_agg(e.value order by e.position) from user_emails e where e.org_id = u.org_id and e.user_id = u.id), '{}') as emails,
       coalesce((select array_agg(p.product_key order by p.product_key) from user_products p where p.org_id = u.org_id and p.user_id = u.id), '{}') as products,
       coalesce((select array_agg(g.display_name order by g.display_name) from group_members m
                   join groups g on g.org_id = m.org_id and g.id = m.group_id
                  where m.org_id = u.org_id and m.member_id = u.id and m.member_type = 'User'), '{}') as groups
     from users u where u.org_id = $1`,
    [orgId],
  );
  return new Map(
    rows.map((r) => [
      r.user_name as string,
      {
        id: r.id as string,
        state: { exists: true, displayName: r.display_name, emails: r.emails, products: r.products, groups: r.groups, active: r.active },
      },
    ]),
  );
}

export async function readGroupProducts(c: pg.Client, orgId: string, groupId: string): Promise<string[]> {
  const { rows } = await c.query(`select product_key from group_products where org_id = $1 and group_id = $2 order by product_key`, [orgId, groupId]);
  return rows.map((r) => r.product_key as string);
}

/** Every broken invariant, in words (empty when the data is whole). */
export async function invariantProblems(c: pg.Client, orgId: string): Promise<string[]> {
  const problems: string[] = [];
  const q = async (text: string) => (await c.query(text, [orgId])).rows;

  for (const r of await q(
    `select u.user_name,
       coalesce((select jsonb_agg(x.e->>'value' order by x.n) from jsonb_array_elements(u.resource->'emails') with ordinality as x(e, n)), '[]'::jsonb) as in_resource,
       coalesce((select jsonb_agg(e.value order by e.position) from user_emails e where e.org_id = u.org_id and e.user_id = u.id), '[]'::jsonb) as in_rows,
       coalesce((select jsonb_agg(distinct x.e->>'value') from jsonb_array_elements(u.resource->'entitlements') as x(e)), '[]'::jsonb) as asked,
       coalesce((select jsonb_agg(p.product_key order by p.product_key) from user_products p where p.org_id = u.org_id and p.user_id = u.id), '[]'::jsonb) as wants
     from users u where u.org_id = $1`,
  )) {
    if (r.in_rows.length === 0) problems.push(`user ${r.user_name} has no email rows`);
    if (JSON.stringify(r.in_rows) !== JSON.stringify(r.in_resource)) {
      problems.push(`user ${r.user_name}: email rows ${JSON.stringify(r.in_rows)} disagree with its resource ${JSON.stringify(r.in_resource)}`);
    }
    if (JSON.stringify([...r.asked].sort()) !== JSON.stringify(r.wants)) {
      problems.push(`user ${r.user_name}: user_products ${JSON.stringify(r.wants)} disagree with its entitlements ${JSON.stringify(r.asked)}`);
    }
  }

  for (const r of await q(
    `select m.group_id, m.member_id, m.member_type from group_members m
      where m.org_id = $1
        and not (m.member_type = 'User' and exists (select 1 from users u where u.org_id = m.org_id and u.id = m.member_id))
        and not (m.member_type = 'Group' and exists (select 1 from groups g where g.org_id = m.org_id and g.id = m.member_id))`,
  )) {
    problems.push(`group ${r.group_id} has a ${r.member_type} member ${r.member_id} that does not exist`);
  }

  for (const [table, column] of [["user_emails", "user_id"], ["user_products", "user_id"], ["seat_assignments", "user_id"]] as const) {
    const [r] = await q(
      `select count(*)::int as n from ${table} t where t.org_id = $1
        and not exists (select 1 from users u where u.org_id = t.org_id and u.id = t.${column})`,
    );
    if (r.n) problems.push(`${r.n} ${table} rows belong to no user`);
  }

  for (const r of await q(
    `select p.key, p.seats,
       count(s.user_id) filter (where s.status = 'granted')::int as granted,
       count(s.user_id) filter (where s.status = 'pending')::int as pending
     from products p left join seat_assignments s on s.org_id = p.org_id and s.product_key = p.key
     where p.org_id = $1 group by p.key, p.seats`,
  )) {
    if (r.granted > r.seats) problems.push(`product ${r.key}: ${r.granted} seats granted of ${r.seats}`);
    if (r.granted < r.seats && r.pending > 0) problems.push(`product ${r.key}: ${r.pending} pending while ${r.seats - r.granted} seats are free`);
  }

  // Seat rows are exactly the wanted set: active users' direct wants and their direct groups' products.
  for (const r of await q(
    `with wanted as (
       select u.id as user_id, p.product_key from users u
         join user_products p on p.org_id = u.org_id and p.user_id = u.id
        where u.org_id = $1 and u.active
       union
       select u.id, gp.product_key from users u
         join group_members m on m.org_id = u.org_id and m.member_id = u.id and m.member_type = 'User'
         join group_products gp on gp.org_id = m.org_id and gp.group_id = m.group_id
        where u.org_id = $1 and u.active
     ), held as (select user_id, product_key from seat_assignments where org_id = $1)
     select 'wants a seat row it lacks' as problem, a.* from (select * from wanted except select * from held) a
     union all
     select 'holds a seat row it does not want', b.* from (select * from held except select * from wanted) b`,
  )) {
    problems.push(`user ${r.user_id} ${r.problem} for ${r.product_key}`);
  }

  for (const r of await q(
    `select u.user_name from users u where u.org_id = $1 and not exists (
       select 1 from audit_events a where a.org_id = u.org_id and a.action = 'user.created' and a.target_id = u.id::text)`,
  )) {
    problems.push(`user ${r.user_name} exists without its user.created audit event`);
  }
  return problems;
}
