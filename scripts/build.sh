#!/usr/bin/env bash
# npm run build: compiles the SDK to wasm (release profile, wasm-opt from npm binaryen) and assembles
# the installable npm package `agentbay-wasm` in pkg/ (see scripts/assemble-pkg.mjs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# node_modules/.bin first: wasm-pack finds binaryen's wasm-opt there (it cannot download its own).
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
command -v wasm-opt >/dev/null || { echo "wasm-opt missing: run 'npm ci' (binaryen devDependency)" >&2; exit 1; }

rm -rf pkg
# --mode no-install: use the wasm-bindgen CLI that scripts/ensure-toolchain.sh pinned to Cargo.lock.
# The release profile unwinds for agentbay-local's sake; the .wasm aborts (see Cargo.toml).
CARGO_PROFILE_RELEASE_PANIC=abort wasm-pack build . --release --target bundler --weak-refs --mode no-install \
  --out-dir pkg/wasm --out-name agentbay_wasm --no-pack
node scripts/assemble-pkg.mjs
