// Bundles src/main.js (and the CSS it imports) into app/static/dist/ with esbuild:
// minified ES modules split into chunks, with content-hashed names (cached for a year by browsers), a gzip copy of
// each beside it (served to browsers that accept gzip), and manifest.json mapping
// "main.js"/"main.css" to the current hashed names for the server's index page.
// Usage: node build.mjs [--watch] [--quiet]
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.join(here, "../app/static/dist");
const entryPoint = path.join(here, "src/main.js");
const COMPRESSIBLE = /\.(js|css|map)$/;

/** Writes the manifest and the .gz copies after every build, and drops the previous build's files. */
const finishBuild = {
  name: "manifest-and-gzip",
  setup(build) {
    build.onEnd((result) => {
      if (result.errors.length) return;
      const outputs = Object.keys(result.metafile.outputs).map((file) => path.resolve(file));
      const [file, meta] = Object.entries(result.metafile.outputs)
        .find(([, output]) => output.entryPoint && path.resolve(output.entryPoint) === entryPoint);
      const manifest = { "main.js": path.basename(file), "main.css": meta.cssBundle && path.basename(meta.cssBundle) };
      const keep = new Set(["manifest.json", ...outputs.flatMap((file) => [path.basename(file), `${path.basename(file)}.gz`])]);
      for (const name of fs.readdirSync(outdir)) if (!keep.has(name)) fs.rmSync(path.join(outdir, name));
      for (const file of outputs.filter((f) => COMPRESSIBLE.test(f))) {
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(fs.readFileSync(file), { level: 9 }));
      }
      // Written last: the server (and the browser tests' staleness check) read it as "the build is complete".
      fs.writeFileSync(path.join(outdir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    });
  },
};

const options = {
  entryPoints: [entryPoint],
  outdir,
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  splitting: true, // the editor (CodeMirror) is its own chunk, loaded by the pages that need it
  bundle: true,
  minify: true,
  sourcemap: true,
  legalComments: "none",
  metafile: true,
  format: "esm",
  target: ["es2020"],
  plugins: [finishBuild],
  logLevel: process.argv.includes("--quiet") ? "warning" : "info",
};

fs.mkdirSync(outdir, { recursive: true });
if (process.argv.includes("--watch")) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
