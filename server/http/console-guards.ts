import express, { type Request, type Response, Router } from "express";
import type { Kysely } from "kysely";
import { checkWrite, isSafeMethod, lifecycleChangeRefusal, roleChangeRefusal, targetOfPath, type WriteTarget } from "../domain/admin-access.ts";
import { NotFoundError } from "../domain/errors.ts";
import { getUser, groupsOfUsers } from "../domain/users.ts";
import { isUuid } from "../lib/ids.ts";
import type { Database } from "../storage/tables.ts";
import { type ConsoleCaller, consoleCallerOf } from "./console-auth.ts";
import { HttpError } from "./error-map.ts";

/**
 * What an authenticated caller may reach, enforced before any route runs
 * (rules in domain/admin-access.ts):
 * - an organization administrator reaches only its own organization: any other
 *   id answers 404, exactly like one that does not exist;
 * - creating organizations is the operator's;
 * - every change (any method but GET and HEAD) needs write access to its section,
 *   and a manager limited to groups may change only their members and the groups;
 * - role changes: nobody changes their own, only a super administrator touches
 *   super administrator (its roles, and suspending, restoring or deleting it).
 * Routes mounted after this cannot forget a check: a write route in a section
 * nobody mapped is refused to everyone but read-write administrators.
 */
export function consoleGuards({ db }: { db: Kysely<Database> }): Router {
  const r = Router();
  const checked = (res: Response) => ((res.locals as { writeChecked?: boolean }).writeChecked = true);

  r.post("/orgs", (_req, res, next) => {
    if (consoleCallerOf(res).access.kind !== "operator") {
      throw new HttpError(403, "forbidden", "Only the operator creates organizations");
    }
    checked(res);
    next();
  });

  r.use("/orgs/:org", async (req, res, next) => {
    const caller = consoleCallerOf(res);
    const orgId = String(req.params.org);
    if (caller.organization && orgId.toLowerCase() !== caller.organization.id) {
      throw new HttpError(404, "not_found", `Organization "${orgId}" not found`);
    }
    if (!isSafeMethod(req.method)) {
      await assertMayWrite(db, caller, caller.organization?.id ?? orgId, targetOfPath(req.path));
      checked(res);
    }
    next();
  });

  // The user a signed-in admin is about to change; undefined for the operator or
  // an unknown user (the route then answers 404 as usual).
  const targetUser = async (req: Request, res: Response) => {
    const caller = consoleCallerOf(res);
    if (caller.access.kind === "operator" || !caller.user) return undefined;
    try {
      return { caller: caller.user, target: await getUser(db, caller.organization!.id, String(req.params.id)) };
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };

  const guardLifecycle = async (req: Request, res: Response, next: express.NextFunction) => {
    const found = await targetUser(req, res);
    const refusal = found && lifecycleChangeRefusal({ kind: "admin", userId: found.caller.id, roles: found.caller.roles }, found.target);
    if (refusal) throw new HttpError(403, "forbidden", refusal);
    next();
  };
  r.post("/orgs/:org/users/:id/suspend", guardLifecycle);
  r.post("/orgs/:org/users/:id/restore", guardLifecycle);
  r.delete("/orgs/:org/users/:id", guardLifecycle);

  r.put("/orgs/:org/users/:id/roles", express.json({ limit: "16kb" }), async (req, res, next) => {
    const found = await targetUser(req, res);
    if (!found) return next();
    const { caller: user, target } = found;
    const body = req.body as { adminRole?: unknown } | undefined;
    const refusal = roleChangeRefusal(
      { kind: "admin", userId: user.id, roles: user.roles },
      target,
      typeof body === "object" && body !== null ? body.adminRole : undefined,
    );
    if (refusal) throw new HttpError(403, "forbidden", refusal);
    next();
  });

  // Changes anywhere else (a path outside /orgs/:org): only read-write administrators go on.
  r.use(async (req: Request, res, next) => {
    if (isSafeMethod(req.method) || (res.locals as { writeChecked?: boolean }).writeChecked) return next();
    const caller = consoleCallerOf(res);
    await assertMayWrite(db, caller, caller.organization?.id ?? "", { section: undefined });
    next();
  });
  return r;
}

async function assertMayWrite(db: Kysely<Database>, caller: ConsoleCaller, orgId: string, target: WriteTarget): Promise<void> {
  const refusal = checkWrite(caller.access, target);
  if (!refusal) return;
  if (refusal.reason === "read_only") throw new HttpError(403, "read_only", refusal.message);
  // A manager limited to groups: the user must be a direct member of one of them.
  const userId = target.user ?? "";
  if (isUuid(userId)) {
    const groups = (await groupsOfUsers(db, orgId, [userId.toLowerCase()])).get(userId.toLowerCase()) ?? [];
    if (groups.some((g) => refusal.groups.includes(g.id))) return;
  }
  throw new HttpError(403, "read_only", "You manage only the members of some groups, and this user is not one of them");
}
