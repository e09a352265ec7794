// The wasm-opt flags `npm run build` uses, read from Cargo.toml's
// [package.metadata.wasm-pack.profile.release] so that the size benches build as the package does.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export function wasmOptFlags(repoRoot) {
  const toml = readFileSync(join(repoRoot, "Cargo.toml"), "utf8");
  const m = toml.match(/\[package\.metadata\.wasm-pack\.profile\.release\][^[]*?wasm-opt\s*=\s*\[([^\]]*)\]/);
  if (!m) throw new Error("Cargo.toml: no wasm-opt flags under [package.metadata.wasm-pack.profile.release]");
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}
