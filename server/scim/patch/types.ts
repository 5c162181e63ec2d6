import type SCIMMY from "scimmy";
import type { SchemaDefinition } from "../schemas.ts";

export type { SchemaDefinition };
export type Attribute = SCIMMY.Types.Attribute;

/** One PATCH operation after parsePatchRequest: op lower-cased, path trimmed (RFC 7644 §3.5.2). */
export interface PatchOperation {
  op: "add" | "replace" | "remove";
  path?: string;
  value?: unknown;
}

/** A membership change to run as SQL against group_members, in request order. */
export type MemberDelta =
  | { kind: "add"; members: MemberRef[] }
  | { kind: "remove"; ids: string[] }
  | { kind: "removeAll" }
  | { kind: "replace"; members: MemberRef[] };

export interface MemberRef {
  value: string;
  type?: "User" | "Group";
}
