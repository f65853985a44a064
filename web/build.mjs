// Bundles src/main.js (and the CSS it imports) into app/static/dist/ with esbuild.
// Usage: node build.mjs [--watch] [--quiet]
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const options = {
  entryPoints: [path.join(here, "src/main.js")],
  outdir: path.join(here, "../app/static/dist"),
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "iife",
  target: ["es2020"],
  logLevel: process.argv.includes("--quiet") ? "warning" : "info",
};

if (process.argv.includes("--watch")) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
