/**
 * Group membership PATCH as SQL deltas. Members are rows in group_members and
 * a group may have 100,000 of them, so membership operations are never applied
 * to a loaded member list: each becomes an add / remove / removeAll / replace
 * that the storage layer runs as one statement.
 */
import { parse, type Filter } from "scim2-parse-filter";
import { invalidFilter, invalidPath, invalidValue } from "../scim-error.ts";
import { groupSchemaDefinition } from "../schemas.ts";
import { normaliseOpName, type OpName } from "./dialects.ts";
import { isPlainObject, type Json } from "./object-utils.ts";
import { inOperation } from "./op-context.ts";
import { splitValuePath } from "./path.ts";
import type { MemberDelta, MemberRef, PatchOperation } from "./types.ts";
import { conformValue } from "./values.ts";

const GROUP_URN_PREFIX = `${groupSchemaDefinition().id.toLowerCase()}:`;
const bareName = (name: string) =>
  name.toLowerCase().startsWith(GROUP_URN_PREFIX) ? name.slice(GROUP_URN_PREFIX.length) : name;
const isMembersKey = (key: string) => bareName(key).toLowerCase() === "members";

export function splitMemberOps(ops: PatchOperation[]): { memberDeltas: MemberDelta[]; otherOps: PatchOperation[] } {
  const memberDeltas: MemberDelta[] = [];
  const otherOps: PatchOperation[] = [];
  ops.forEach((op, i) =>
    inOperation(i, () => {
      const name = normaliseOpName(op.op);
      // Anything that is not a well-formed membership op is left for applyPatch to judge.
      if (!name) return otherOps.push(op);
      if (op.path === undefined) {
        const key = isPlainObject(op.value) && name !== "remove" ? Object.keys(op.value).find(isMembersKey) : undefined;
        if (key === undefined) return otherOps.push(op);
        const { [key]: members, ...rest } = op.value as Json;
        pushDelta(memberDeltas, toDelta(name, members, key));
        if (Object.keys(rest).length > 0) otherOps.push({ ...op, value: rest });
        return;
      }
      const { prefix, filter, sub } = splitValuePath(op.path);
      const bare = bareName(prefix).toLowerCase();
      if (bare !== "members" && !bare.startsWith("members.")) return otherOps.push(op);
      if (bare !== "members" || sub !== undefined) {
        throw invalidPath(
          `Path "${op.path}": members are changed whole ("members", "members[value eq \\"<id>\\"]"); their sub-attributes are immutable`,
        );
      }
      if (filter === undefined) return pushDelta(memberDeltas, toDelta(name, op.value, op.path));
      if (name !== "remove") {
        throw invalidFilter(`Path "${op.path}": a members filter is supported only with remove; add or replace with path "members"`);
      }
      memberDeltas.push({ kind: "remove", ids: filterIds(filter, op.path) });
    }),
  );
  return { memberDeltas, otherOps };
}

function pushDelta(deltas: MemberDelta[], delta: MemberDelta | undefined): void {
  if (delta) deltas.push(delta);
}

function toDelta(op: OpName, value: unknown, display: string): MemberDelta | undefined {
  if (op === "remove") {
    // RFC 7644 §3.5.2.2: remove "members" with no value removes them all; Entra ID's
    // {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes those listed.
    if (value === undefined || value === null) return { kind: "removeAll" };
    const ids = toMembers(value, display).map((m) => m.value);
    return ids.length > 0 ? { kind: "remove", ids } : undefined;
  }
  const members = value === null ? [] : toMembers(value, display);
  if (op === "replace") return members.length === 0 ? { kind: "removeAll" } : { kind: "replace", members };
  return members.length > 0 ? { kind: "add", members } : undefined;
}

const TYPES: Record<string, MemberRef["type"]> = { user: "User", group: "Group" };

function toMembers(value: unknown, display: string): MemberRef[] {
  const attr = groupSchemaDefinition().attribute("members");
  // Same dialect handling as every other attribute: single object or bare id string accepted.
  const list = conformValue(attr, value, display, "whole") as Json[];
  const byId = new Map<string, MemberRef>();
  for (const m of list) {
    if (typeof m.value !== "string" || m.value.trim() === "") {
      throw invalidValue(`Path "${display}": each member needs a string "value" holding the member's id`);
    }
    const type = m.type === undefined ? undefined : TYPES[String(m.type).toLowerCase()];
    if (m.type !== undefined && !type) {
      throw invalidValue(`Path "${display}": member type ${JSON.stringify(m.type)} is not "User" or "Group"`);
    }
    byId.set(m.value, { value: m.value, ...(type ? { type } : {}) });
  }
  return [...byId.values()];
}

/** Only `value eq "<id>"` terms joined by `or`: anything else would need the member list in memory. */
function filterIds(text: string, display: string): string[] {
  let ast: Filter;
  try {
    ast = parse(text);
  } catch (e) {
    throw invalidFilter(`Path "${display}": filter "${text}" is malformed (${(e as Error).message})`);
  }
  const ids: string[] = [];
  const collect = (f: Filter): void => {
    if (f.op === "or") return f.filters.forEach(collect);
    if (f.op === "eq" && f.attrPath.toLowerCase() === "value" && typeof f.compValue === "string") {
      ids.push(f.compValue);
      return;
    }
    throw invalidFilter(
      `Path "${display}": members filters support only value eq "<id>" terms joined by or (membership is changed without loading the member list)`,
    );
  };
  collect(ast);
  return [...new Set(ids)];
}
