#!/usr/bin/env bash
# npm run demo: (re)builds what is stale, then runs scripts/demo.mjs (starts agentbay-local with a
# fresh data dir, runs the seed flow, stops the server).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-built.sh
node scripts/demo.mjs
