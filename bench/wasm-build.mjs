// How the size benches (size-floor.mjs, size-breakdown.mjs) build a module as `npm run build`
// does: the same tools on PATH, and the same wasm-opt flags.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The environment `scripts/build.sh` gives its tools: npm's binaryen wasm-opt and cargo's bin first. */
export function toolEnv(repoRoot) {
  return { ...process.env, PATH: `${join(repoRoot, "node_modules", ".bin")}:${process.env.HOME}/.cargo/bin:${process.env.PATH}` };
}

/** The wasm-opt flags of Cargo.toml's [package.metadata.wasm-pack.profile.release]. */
export function wasmOptFlags(repoRoot) {
  const toml = readFileSync(join(repoRoot, "Cargo.toml"), "utf8");
  const m = toml.match(/\[package\.metadata\.wasm-pack\.profile\.release\][^[]*?wasm-opt\s*=\s*\[([^\]]*)\]/);
  if (!m) throw new Error("Cargo.toml: no wasm-opt flags under [package.metadata.wasm-pack.profile.release]");
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}
