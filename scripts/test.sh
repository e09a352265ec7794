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

step "npm run build"
bash scripts/build.sh

step "cargo build -p agentbay-local (the server the JS suites start)"
cargo build -p agentbay-local

step "node --test js-tests/"
node --test js-tests/
