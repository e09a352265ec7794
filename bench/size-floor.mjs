// The platform floor of the .wasm: bench/size_floor/ is one export that reads JSON, runs one
// policy rule and one reply reader of the wire contract, and writes JSON, built with the SDK's
// release settings, wasm-bindgen and wasm-opt flags. What it weighs is what any operation of the
// SDK is added to; set against issue 11's goal (scripts/size-budget.mjs), it says how much room
// the goal leaves for the SDK itself.
//
//   node bench/size-floor.mjs        # after `npm run build` (compares with pkg/'s .wasm)
//
// Prints a Markdown table.
import { copyFileSync, mkdirSync, readFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../js-tests/helpers/server.mjs";
import { GOAL, sizes } from "../scripts/size-budget.mjs";
import { toolEnv, wasmOptFlags } from "./wasm-build.mjs";

const crate = join(repoRoot, "bench", "size_floor");
const target = join(repoRoot, "target", "size-floor");
const out = join(target, "out");
mkdirSync(out, { recursive: true });
const env = toolEnv(repoRoot);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], env, ...opts });

// The SDK's own lock file, so that the floor is built from the same crate versions.
copyFileSync(join(repoRoot, "Cargo.lock"), join(crate, "Cargo.lock"));
run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", "--manifest-path", join(crate, "Cargo.toml")], {
  env: { ...env, CARGO_TARGET_DIR: target },
});
const built = join(target, "wasm32-unknown-unknown", "release", "agentbay_size_floor.wasm");
run("wasm-bindgen", ["--target", "bundler", "--out-dir", out, built]);
const floor = join(out, "floor.wasm");
run("wasm-opt", [...wasmOptFlags(repoRoot), join(out, "agentbay_size_floor_bg.wasm"), "-o", floor]);

const fmt = (n) => n.toLocaleString("en-US");
const pct = (a, b) => `${Math.round((100 * a) / b)} %`;
const f = sizes(readFileSync(floor));
console.log("| module | raw | gzip -9 | share of the goal, raw / gzip |");
console.log("|---|---:|---:|---|");
console.log(`| platform floor (bench/size_floor) | ${fmt(f.raw)} B | ${fmt(f.gzip)} B | ${pct(f.raw, GOAL.raw)} / ${pct(f.gzip, GOAL.gzip)} |`);
const sdkWasm = join(repoRoot, "pkg", "wasm", "agentbay_wasm_bg.wasm");
if (existsSync(sdkWasm)) {
  const s = sizes(readFileSync(sdkWasm));
  console.log(`| the SDK (pkg/) | ${fmt(s.raw)} B | ${fmt(s.gzip)} B | ${pct(s.raw, GOAL.raw)} / ${pct(s.gzip, GOAL.gzip)} |`);
  console.log(`| the SDK above the floor | ${fmt(s.raw - f.raw)} B | ${fmt(s.gzip - f.gzip)} B | |`);
}
console.log(`| goal (issue 11) | ${fmt(GOAL.raw)} B | ${fmt(GOAL.gzip)} B | |`);
console.log(`| room the goal leaves above the floor | ${fmt(GOAL.raw - f.raw)} B | ${fmt(GOAL.gzip - f.gzip)} B | |`);
