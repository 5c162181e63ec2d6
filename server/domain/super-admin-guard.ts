import type { Transaction } from "kysely";
import type { Database } from "../storage/tables.ts";
import { lockActiveSuperAdmins } from "../storage/users-repo.ts";
import { ConflictError } from "./errors.ts";
import type { User } from "./users.ts";

/**
 * An organization that has a super administrator always keeps at least one
 * active one: the last cannot be suspended, deleted or demoted, whoever asks
 * (an identity provider included). Runs inside the write's transaction.
 */
export async function guardLastSuperAdmin(
  trx: Transaction<Database>,
  current: User,
  next: { active: boolean; adminRole: string } | "deleted",
): Promise<void> {
  if (current.roles.adminRole !== "super-administrator" || !current.active) return;
  const staysSuper = next !== "deleted" && next.active && next.adminRole === "super-administrator";
  if (staysSuper) return;
  const supers = await lockActiveSuperAdmins(trx, current.orgId);
  if (supers.some((id) => id !== current.id)) return;
  const what = next === "deleted" ? "deleted" : !next.active ? "suspended" : "demoted";
  throw new ConflictError(
    `${current.userName} is the organization's last super administrator and cannot be ${what}; ` +
      "make another user super administrator first (PUT /admin/v1/orgs/{org}/users/{id}/roles)",
  );
}
