// The size of what a user downloads and loads: the .wasm alone, and the whole runtime of each
// entry (the .wasm plus every JS file the entry imports, each compressed on its own and summed),
// raw, gzip -9 and brotli -11, next to the budget CI enforces and the goal (both in
// scripts/size-budget.mjs).
//
//   node bench/size.mjs                         # the package in pkg/ (npm run build)
//   BENCH_PKG=/tmp/old-pkg node bench/size.mjs  # another build of the package
//
// Prints a Markdown table; exits 1 when the .wasm is over its budget (as the build does).
import { readFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { repoRoot } from "../js-tests/helpers/server.mjs";
import { BUDGET, GOAL, budget, overBudget, sizes } from "../scripts/size-budget.mjs";

const pkgDir = resolve(process.env.BENCH_PKG ?? join(repoRoot, "pkg"));
const wasm = join(pkgDir, "wasm", "agentbay_wasm_bg.wasm");

/** `entry` and the package files it imports (relative specifiers, followed transitively). */
function closure(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s*["'](\.[^"']+)["']|require\(\s*["'](\.[^"']+)["']\s*\)/g)) {
      visit(resolve(dirname(file), m[1] ?? m[2]));
    }
  };
  visit(entry);
  return [...seen];
}

const rows = [];
// Each file is compressed on its own, as a server or CDN sends it; a runtime is their sum.
const row = (what, files) => {
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) {
    const s = sizes(readFileSync(f));
    for (const k of Object.keys(total)) total[k] += s[k];
  }
  rows.push({ what, files: files.length, ...total });
};
row(".wasm", [wasm]);
for (const entry of ["node.mjs", "node.cjs", "index.mjs"]) {
  const js = closure(join(pkgDir, entry));
  row(`${entry} runtime: .wasm + ${js.length} JS files`, [wasm, ...js]);
  row(`${entry} JS only`, js);
}

const kb = (n) => `${n.toLocaleString("en-US")} B`;
console.log(`\n## Size (${pkgDir})\n`);
console.log("| what | raw | gzip -9 | brotli -11 |");
console.log("|---|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.what} | ${kb(r.raw)} | ${kb(r.gzip)} | ${kb(r.brotli)} |`);
const limit = budget();
console.log(`| budget of the .wasm (CI) | ${kb(limit.raw)} | ${kb(limit.gzip)} | |`);
console.log(`| goal of the .wasm (issue 11) | ${kb(GOAL.raw)} | ${kb(GOAL.gzip)} | |`);
const w = rows[0];
console.log(
  `\n.wasm: ${((w.raw / GOAL.raw) * 100).toFixed(0)} % of the goal raw, ${((w.gzip / GOAL.gzip) * 100).toFixed(0)} % gzip` +
    (limit.raw !== BUDGET.raw || limit.gzip !== BUDGET.gzip ? " (budget overridden by the environment)" : ""),
);
const problems = overBudget(w, limit);
if (problems.length) {
  console.error(`[size] ERROR: the .wasm is over its budget: ${problems.join("; ")}`);
  process.exit(1);
}
