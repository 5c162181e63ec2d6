import type { Request } from "express";
import { ScimError } from "./scim-error.ts";

/** Weak ETag from the row version (RFC 7644 §3.14): meta.version and the ETag header carry the same value. */
export const etagOf = (version: number): string => `W/"${version}"`;

function parseTags(header: string): string[] {
  return header.split(",").map((t) => t.trim()).filter(Boolean);
}

function versionOfTag(tag: string): number | undefined {
  const m = /^(?:W\/)?"(\d+)"$/.exec(tag);
  return m ? Number(m[1]) : undefined;
}

/**
 * The version an If-Match header demands, for the domain to check inside its
 * transaction. `*` means "any current version". A tag we could never have
 * issued cannot match, so it fails with 412 at once.
 */
export function expectedVersion(req: Request): number | undefined {
  const header = req.get("if-match");
  if (!header) return undefined;
  const tags = parseTags(header);
  if (tags.includes("*")) return undefined;
  const versions = tags.map(versionOfTag).filter((v): v is number => v !== undefined);
  if (versions.length !== 1) {
    throw new ScimError(412, undefined, `If-Match ${header} does not match the current version of the resource`);
  }
  return versions[0];
}

/** True when If-None-Match names the current version (a GET may then answer 304). */
export function notModified(req: Request, version: number): boolean {
  const header = req.get("if-none-match");
  if (!header) return false;
  const tags = parseTags(header);
  return tags.includes("*") || tags.some((t) => versionOfTag(t) === version);
}
