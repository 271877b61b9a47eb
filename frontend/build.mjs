// Build the tool pages' front end into the page template's static folder.
//   node build.mjs          (make does this; needs `npm ci` first)
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "dist");

fs.rmSync(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: { page: path.join(here, "src", "page.js") },
  absWorkingDir: here, // names in the metafile are relative to this folder
  bundle: true,
  splitting: true, // anywidget becomes a chunk of its own, asked for only when used
  format: "esm",
  minify: true,
  target: ["es2020"],
  outdir: out,
  entryNames: "[name]-[hash]", // every name carries its content's hash: cached for a year
  chunkNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file", ".png": "file" },
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "linked",
  logLevel: "warning",
  metafile: true,
}).then((result) => {
  // The server reads which files a page asks for from here.
  const entry = {};
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    if (info.entryPoint === "src/page.js") {
      entry.script = path.basename(file);
      if (info.cssBundle) entry.stylesheet = path.basename(info.cssBundle);
    }
  }
  fs.writeFileSync(path.join(out, "page.json"), JSON.stringify(entry, null, 1) + "\n");
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    console.log(`${path.relative(here, file)}: ${(info.bytes / 1000).toFixed(0)} kB`);
  }
});
