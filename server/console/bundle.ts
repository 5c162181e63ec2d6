import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** One built file of the console, served under a content-hashed name. */
export interface ConsoleAsset {
  name: string;
  contentType: string;
  body: Buffer;
}

export interface ConsoleBundle {
  script: ConsoleAsset;
  style: ConsoleAsset;
}

const ENTRY = fileURLToPath(new URL("../../console/main.ts", import.meta.url));

/**
 * Bundles the browser code of the admin console (console/, TypeScript) in
 * memory with esbuild: nothing is written to disk and nothing has to be built
 * by hand, so `npm start` is all it takes. The file names carry a hash of
 * their content, so browsers may cache them for good and a new release is
 * picked up at once (index.html itself is never cached).
 */
export async function buildConsoleBundle(): Promise<ConsoleBundle> {
  const result = await build({
    entryPoints: { app: ENTRY },
    bundle: true,
    format: "esm",
    minify: true,
    write: false,
    // Virtual: with write:false it only names the outputs (app.js, app.css).
    outdir: "/scim-gate-console",
    target: ["es2022", "chrome109", "firefox115", "safari16"],
    legalComments: "none",
    logLevel: "silent",
  });
  const out = (ext: string, contentType: string): ConsoleAsset => {
    const file = result.outputFiles.find((f) => f.path.endsWith(ext));
    if (!file) throw new Error(`the console bundle has no ${ext} output`);
    const body = Buffer.from(file.contents);
    const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
    return { name: `app-${hash}${ext}`, contentType, body };
  };
  return { script: out(".js", "text/javascript; charset=utf-8"), style: out(".css", "text/css; charset=utf-8") };
}

let built: Promise<ConsoleBundle> | undefined;

/** The bundle of this process, built once (several apps in one process, as in tests, share it). */
export function consoleBundle(): Promise<ConsoleBundle> {
  built ??= buildConsoleBundle();
  return built;
}
