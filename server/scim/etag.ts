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
 * The versions an If-Match header accepts, for the domain to check inside its
 * transaction: the write goes ahead if the current version is any of them
 * (RFC 7232 §3.1 allows a list). `*` means "any current version". Tags we could
 * never have issued cannot match; if no tag is left, it fails with 412 at once.
 */
export function expectedVersions(req: Request): number[] | undefined {
  return expectedVersionsOf(req.get("if-match"));
}

/** The same, from the header's value (a bulk operation's `version` reads exactly like If-Match). */
export function expectedVersionsOf(header: string | undefined): number[] | undefined {
  if (!header) return undefined;
  const tags = parseTags(header);
  if (tags.includes("*")) return undefined;
  const versions = tags.map(versionOfTag).filter((v): v is number => v !== undefined);
  if (versions.length === 0) {
    throw new ScimError(412, undefined, `If-Match ${header} does not match the current version of the resource`);
  }
  return versions;
}

/** True when If-None-Match names the current version (a GET may then answer 304). */
export function notModified(req: Request, version: number): boolean {
  const header = req.get("if-none-match");
  if (!header) return false;
  const tags = parseTags(header);
  return tags.includes("*") || tags.some((t) => versionOfTag(t) === version);
}
