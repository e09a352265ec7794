#!/usr/bin/env bash
# npm run test:stress: the long loops `npm test` runs sized down, at full size, against an
# optimised agentbay-local: 200 random-moment SIGKILLs, 20 waves of 50 sessions x 20 rounds with
# the server's memory after each wave, and 20,000 cases per parser property. Prints what it measured.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
export AGENTBAY_CRASH_TRIALS="${AGENTBAY_CRASH_TRIALS:-200}"
export AGENTBAY_LOAD_WAVES="${AGENTBAY_LOAD_WAVES:-20}"
export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
cargo test --release -p agentbay-local --test crash_random --test load --test fuzz -- --nocapture --test-threads=1 2>&1 \
  | grep -E '^(test |crash harness: [0-9]+ kills|wave |server RSS|test result)|panicked|FAILED'
