import type { ConsoleBundle } from "./bundle.ts";

/**
 * The one HTML page of the console: no inline script or style (the CSP
 * forbids both), only the hashed bundle. The favicon is an empty data: URL so
 * browsers do not ask for /favicon.ico.
 */
export function indexHtml(bundle: ConsoleBundle, base: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>scim-gate admin</title>",
    '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="${base}/assets/${bundle.style.name}">`,
    `<script type="module" src="${base}/assets/${bundle.script.name}"></script>`,
    "</head>",
    "<body>",
    '<div id="app"><noscript>The admin console needs JavaScript.</noscript></div>',
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
