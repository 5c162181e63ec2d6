/**
 * Dotted paths into a JSON document, for captures and diff reports:
 * `id`, `Resources.0.id`, `Resources[0].id`, and keys holding dots or colons in
 * brackets: `["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].department`.
 */
export function readPath(doc: unknown, path: string): unknown {
  let current = doc;
  for (const key of splitPath(path)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function splitPath(path: string): string[] {
  const keys: string[] = [];
  const re = /\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[(\d+)\]|([^.[\]]+)/g;
  for (const m of path.matchAll(re)) keys.push(m[1] ?? m[2] ?? m[3]!);
  return keys;
}

/** How a path is shown in a diff: `emails[0].value`, `["urn:…:User"].department`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}
