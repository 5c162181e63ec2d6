/** Who is making a change: recorded with every write (audit trail). */
export type Actor =
  | { kind: "operator" }
  | { kind: "scim-token"; orgId: string; tokenId: string }
  | { kind: "admin"; orgId: string; userId: string }
  | { kind: "system" };
