#!/usr/bin/env bash
# npm run web: (re)builds what is stale, then runs scripts/web.mjs (agentbay-local and the example
# app's Vite dev server together; Ctrl-C stops both).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/ensure-built.sh
exec node scripts/web.mjs "$@"
