/** Who is making a change: recorded with every write (audit trail). */
export type Actor =
  | { kind: "operator" }
  | { kind: "scim-token"; orgId: string; tokenId: string; /** The token's label, kept in the audit trail. */ label?: string }
  | { kind: "admin"; orgId: string; userId: string; /** The admin's userName, kept in the audit trail. */ userName?: string }
  | { kind: "system" };
