#!/usr/bin/env bash
# npm test: the Rust tests (SDK core + agentbay-local), then the npm package build, then the
# node:test suites in js-tests/ against a real agentbay-local and the built package.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n==== %s\n' "$*"; }

step "cargo fmt --check (rustfmt.toml)"
if cargo fmt --version >/dev/null 2>&1; then
  cargo fmt --all -- --check
else
  echo "rustfmt not installed (no rustup): formatting not checked"
fi

step "cargo test --workspace"
cargo test --workspace

# Its own step so that only the SDK gets the feature (a workspace build would unify it into
# agentbay-local's agentbay-wire): src/js/generated.d.ts must be what the Rust types produce.
step "cargo test -p agentbay-wasm --features ts --test typescript (generated TypeScript is current)"
cargo test -p agentbay-wasm --features ts --test typescript

# The SDK core's and the wire contract's unit tests (both are in the .wasm), plus the host
# bindings' own (src/js/tests.rs: Date.now/setTimeout, fetch, authorize, polling on the real
# clock), compiled to wasm32 and run by wasm-bindgen-test-runner (.cargo/config.toml): first in
# Node, then in headless Chromium through chromedriver (Debian's chromium-driver, installed by
# .ci/run and scripts/ensure-toolchain.sh as root).
step "cargo test --target wasm32-unknown-unknown -p agentbay-wasm -p agentbay-wire --lib (wasm-bindgen-test in Node)"
cargo test --target wasm32-unknown-unknown -p agentbay-wasm -p agentbay-wire --lib

step "cargo test --target wasm32-unknown-unknown -p agentbay-wasm -p agentbay-wire --lib (wasm-bindgen-test in headless Chromium)"
if [ "${AGENTBAY_SKIP_BROWSER:-}" = 1 ]; then
  echo "AGENTBAY_SKIP_BROWSER=1: the wasm tests were not run in Chromium"
elif ! command -v "${CHROMEDRIVER:-chromedriver}" >/dev/null; then
  echo "chromedriver not found: the wasm tests run in Chromium through it. Install it with" \
    "'sudo apt-get install chromium-driver' (Debian/Ubuntu; 'npm test' run as root installs it itself)," \
    "point CHROMEDRIVER at one matching your Chromium, or set AGENTBAY_SKIP_BROWSER=1 to skip browser tests." >&2
  exit 1
else
  WASM_BINDGEN_USE_BROWSER=1 cargo test --target wasm32-unknown-unknown -p agentbay-wasm -p agentbay-wire --lib
fi

step "npm run build"
bash scripts/build.sh

step "cargo build -p agentbay-local (the server the JS suites start)"
cargo build -p agentbay-local

step "node --test js-tests/"
node --test js-tests/
