#!/usr/bin/env bash
# npm run demo: (re)builds what is stale, then runs scripts/demo.mjs (starts agentbay-local with a
# fresh data dir, runs the seed flow, stops the server).
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
  echo "[demo] building the npm package (npm run build)"
  bash scripts/build.sh
fi
echo "[demo] building agentbay-local"
cargo build -q -p agentbay-local
node scripts/demo.mjs
