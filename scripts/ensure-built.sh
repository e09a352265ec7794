#!/usr/bin/env bash
# Used by npm run demo / npm run web: (re)builds the npm package in pkg/ when its sources are newer,
# and agentbay-local (cargo decides what is stale).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"

stale=0
if [ ! -f pkg/package.json ]; then
  stale=1
elif [ -n "$(find src pkg-template scripts/build.sh scripts/assemble-pkg.mjs Cargo.toml Cargo.lock -newer pkg/package.json -print -quit)" ]; then
  stale=1
fi
if [ "$stale" = 1 ]; then
  echo "[build] building the npm package (npm run build)"
  bash scripts/build.sh
fi
echo "[build] building agentbay-local"
cargo build -q -p agentbay-local
