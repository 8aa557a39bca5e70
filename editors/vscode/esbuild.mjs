// Bundles the extension (src/extension.ts -> dist/extension.js, CommonJS for VS Code's Node
// host) and the graph preview's page script (media/preview.ts -> dist/preview.js, for the
// webview), and copies mermaid's browser bundle beside them so the preview needs no network.
import { build, context } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const watch = process.argv.includes("--watch");
const require = createRequire(import.meta.url);

mkdirSync("dist", { recursive: true });
copyFileSync(require.resolve("mermaid/dist/mermaid.min.js"), "dist/mermaid.min.js");

const common = { bundle: true, sourcemap: true, minify: !watch, logLevel: "info" };
const targets = [
  {
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    format: "cjs",
    target: "node18",
    external: ["vscode"],
  },
  {
    ...common,
    entryPoints: ["media/preview.ts"],
    outfile: "dist/preview.js",
    platform: "browser",
    format: "iife",
    target: "es2020",
  },
];

if (watch) {
  for (const t of targets) await (await context(t)).watch();
} else {
  await Promise.all(targets.map((t) => build(t)));
}
