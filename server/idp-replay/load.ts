/**
 * Finds and reads transcripts: a provider name (`okta`) means
 * idp-fixtures/<name>/transcript.json in this repository; anything with a "/"
 * or ending in .json is a file path.
 */
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseTranscript, type Transcript, TranscriptError } from "./transcript.ts";

export const FIXTURES_DIR = fileURLToPath(new URL("../../idp-fixtures/", import.meta.url));
export const TRANSCRIPT_FILE = "transcript.json";

/** Provider names that have a transcript, sorted. */
export async function listProviders(): Promise<string[]> {
  const entries = await readdir(FIXTURES_DIR, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

export async function loadTranscript(nameOrPath: string): Promise<Transcript> {
  const isPath = nameOrPath.includes("/") || nameOrPath.includes("\\") || nameOrPath.endsWith(".json");
  const file = isPath ? nameOrPath : `${FIXTURES_DIR}${nameOrPath}/${TRANSCRIPT_FILE}`;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    if (isPath) throw new TranscriptError(`no transcript file at ${file}`);
    const known = await listProviders();
    throw new TranscriptError(`no transcript for provider "${nameOrPath}" (known: ${known.join(", ")}); or give a path to a .json file`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new TranscriptError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseTranscript(doc, file);
}
