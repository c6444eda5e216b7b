// Bundles web/editor.js and its npm dependencies into static/vendor/editor.js, and collects
// the licences of everything bundled into static/vendor/LICENSES.txt. Run after changing the
// editor or its dependencies:  npm ci && npm run build:editor  (then commit static/vendor/).

import { build } from "esbuild";
import { readFileSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static/vendor");

const result = await build({
  entryPoints: [join(root, "web/editor.js")],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "VargEditor",
  target: ["es2020"],
  outfile: join(out, "editor.js"),
  metafile: true,
  legalComments: "none",
  banner: { js: "/* varg-render editor bundle: CodeMirror 6 and its parts, MIT; see LICENSES.txt */" },
});

// Every package that contributed code to the bundle, with its licence text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.set(match[1], join(root, "node_modules", match[1]));
}
const sections = [...packages.entries()].sort().map(([name, dir]) => {
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  const text = file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8").trim() : `License: ${meta.license}`;
  return `${name} ${meta.version} (${meta.license})\n${"-".repeat(60)}\n${text}\n`;
});
writeFileSync(
  join(out, "LICENSES.txt"),
  `Third-party code in static/vendor/editor.js, bundled by web/build.mjs.\n\n${sections.join("\n\n")}`,
);
console.log(`static/vendor/editor.js: ${packages.size} packages bundled`);
