// What takes the space in the .wasm, by kind of code: a build of the package's module whose
// function names are kept (wasm-bindgen --keep-debug, wasm-opt -g with the package's flags), read
// with twiggy (`cargo install twiggy`), each function put in one bucket by its symbol name.
//
//   npm run build && node bench/size-breakdown.mjs
//
// Sizes are of the named build, whose functions wasm-opt cannot always merge or rename as it does
// for the shipped module, so the total runs a little above pkg/'s .wasm (names excluded).
import { mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../js-tests/helpers/server.mjs";
import { toolEnv, wasmOptFlags } from "./wasm-build.mjs";

const dir = join(repoRoot, "target", "size-breakdown");
mkdirSync(dir, { recursive: true });
const env = toolEnv(repoRoot);
const run = (cmd, args) => execFileSync(cmd, args, { env, maxBuffer: 1 << 28, encoding: "utf8" });
try {
  run("twiggy", ["--version"]);
} catch {
  console.error("twiggy is missing: cargo install twiggy");
  process.exit(1);
}
const built = join(repoRoot, "target", "wasm32-unknown-unknown", "release", "agentbay_wasm.wasm");
run("wasm-bindgen", ["--target", "bundler", "--keep-debug", "--out-dir", dir, built]);
const named = join(dir, "named.wasm");
const flags = wasmOptFlags(repoRoot).filter((f) => !f.startsWith("--strip"));
run("wasm-opt", ["-g", ...flags, join(dir, "agentbay_wasm_bg.wasm"), "-o", named]);

// The first rule that matches a symbol names its bucket.
const buckets = [
  ["data segments (messages, field names, tables)", (n) => n.startsWith("data segment")],
  ["drop glue of futures", (n) => n.includes("drop_in_place") && n.includes("{{closure}}")],
  ["SDK async bodies (each operation's future, its logic inlined)", (n) => /agentbay_wasm::(core|js)::.*\{\{closure\}\}/.test(n)],
  ["wasm-bindgen export shims (each JS method's Rust side)", (n) => n.endsWith(" shim") || / shim /.test(n)],
  ["results to JS (serde Serialize + to_js)", (n) => /serializ|Serialize|to_js/.test(n)],
  ["SDK sync code (core, js)", (n) => n.includes("agentbay_wasm::")],
  ["wire contract (agentbay-wire: requests, readers, policies)", (n) => n.includes("agentbay_wire")],
  ["reply readers called through fn pointers (from_json)", (n) => n.includes("FnOnce::call_once") || n.includes("GenericShunt")],
  ["serde_json", (n) => n.includes("serde_json")],
  ["core::fmt and panics", (n) => /fmt|panic|Display|Debug/.test(n)],
  ["std, core, alloc, collections", (n) => /^"?<?(&mut |&)?(core|alloc|std|hashbrown|indexmap)/.test(n)],
  ["wasm-bindgen, js-sys, web-sys, futures", (n) => /wasm_bindgen|js_sys|web_sys|externref/.test(n)],
  ["unnamed functions (wasm-bindgen's generated adapters)", (n) => n.startsWith("code[")],
  ["other", () => true],
];
const csv = run("twiggy", ["top", "-n", "1000000", "--format", "csv", named]);
const totals = new Map(buckets.map(([name]) => [name, 0]));
let all = 0;
const others = [];
for (const line of csv.split("\n").slice(1)) {
  // Name,ShallowSize,ShallowSizePercent,…: names may hold commas, so read the size from the right.
  const cells = line.split(",");
  if (cells.length < 5) continue;
  const size = Number(cells[cells.length - 4]);
  let name = cells.slice(0, cells.length - 4).join(",");
  if (name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).replaceAll('""', '"');
  if (name.includes('names" subsection') || !Number.isFinite(size)) continue;
  all += size;
  const [bucket] = buckets.find(([, test]) => test(name));
  totals.set(bucket, totals.get(bucket) + size);
  if (bucket === "other") others.push([size, name]);
}
const fmt = (n) => n.toLocaleString("en-US");
console.log("| bucket | bytes | share |");
console.log("|---|---:|---:|");
for (const [name, size] of [...totals].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${name} | ${fmt(size)} | ${((100 * size) / all).toFixed(1)} % |`);
}
console.log(`| **named build, without its names** | **${fmt(all)}** | |`);
if (process.env.BENCH_VERBOSE) {
  for (const [size, name] of others.sort((a, b) => b[0] - a[0]).slice(0, 40)) console.log(size, name);
}
