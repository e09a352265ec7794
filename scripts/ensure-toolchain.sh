#!/usr/bin/env bash
# Installs what `npm test` / `npm run demo` need, and only what is missing, so a fresh
# clone on a fresh machine works and a warm machine pays well under a second.
#   - rustup target wasm32-unknown-unknown
#   - wasm-bindgen-cli at exactly the version Cargo.lock pins (the CLI and the crate must match);
#     its wasm-bindgen-test-runner runs the wasm tests (scripts/test.sh)
#   - wasm-pack
#   - bubblewrap (agentbay-local's sandboxes) and slirp4netns (its outbound network mode), via
#     apt-get when we are root
#   - chromium (the browser suites in js-tests/; not for `npm run demo`, which sets
#     AGENTBAY_SKIP_BROWSER=1) and chromium-driver (the wasm-bindgen tests in Chromium), via
#     apt-get when we are root; otherwise those tests say how to install them (or
#     AGENTBAY_SKIP_BROWSER=1 skips them)
#   - node_modules (npm ci), refreshed only when package-lock.json changed
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '[toolchain] %s\n' "$*"; }
die() { printf '[toolchain] ERROR: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs) first"
command -v node >/dev/null || die "node not found: install Node.js >= 18 first"
command -v npm >/dev/null || die "npm not found: install Node.js >= 18 (with npm) first"

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 18 ] || die "Node.js >= 18 is required (found $(node --version))"

# --- wasm32 target -------------------------------------------------------------------------
if command -v rustup >/dev/null; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding rustup target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  # npm test checks formatting; a minimal rustup profile lacks rustfmt.
  if ! cargo fmt --version >/dev/null 2>&1; then
    say "adding rustup component rustfmt"
    rustup component add rustfmt
  fi
else
  # Without rustup we cannot add targets; say so instead of failing later inside wasm-pack.
  rustc --print target-list >/dev/null 2>&1 || true
  say "rustup not found; assuming the wasm32-unknown-unknown std is installed"
fi

# --- wasm-bindgen-cli, exactly the Cargo.lock version --------------------------------------
# The version is read from the lock file so bumping the crate can never leave a mismatched CLI.
wb_version="$(awk '
  $0 == "[[package]]" { name = ""; next }
  /^name = / { gsub(/"/, "", $3); name = $3; next }
  /^version = / && name == "wasm-bindgen" { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock)"
[ -n "$wb_version" ] || die "could not read the wasm-bindgen version from Cargo.lock"

have_wb=""
if command -v wasm-bindgen >/dev/null; then
  have_wb="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
fi
# The test runner ships in the same crate; an install that has one but not the other is redone.
have_runner=""
if command -v wasm-bindgen-test-runner >/dev/null; then
  have_runner="$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')"
fi
if [ "$have_wb" != "$wb_version" ] || [ "$have_runner" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version (found: ${have_wb:-none})"
  # `--locked` pins wasm-bindgen-cli's own lock file, which at 0.2.130 names a webpki-roots
  # version the registry no longer resolves; fall back to a fresh resolution in that case.
  if ! cargo install wasm-bindgen-cli --version "$wb_version" --locked --force; then
    say "locked install failed; retrying without --locked"
    cargo install wasm-bindgen-cli --version "$wb_version" --force
  fi
fi

# --- wasm-pack -----------------------------------------------------------------------------
if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack"
  cargo install wasm-pack --locked
fi

# --- bubblewrap ------------------------------------------------------------------------------
if ! command -v bwrap >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing bubblewrap (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap
  else
    die "bubblewrap (bwrap) is missing: agentbay-local runs every session in a bubblewrap sandbox.
Install it as root, e.g. 'sudo apt-get install bubblewrap' (Debian/Ubuntu) or 'sudo dnf install bubblewrap'."
  fi
fi

# --- slirp4netns -------------------------------------------------------------------------
# Only `--session-network slirp4netns` needs it (and the test that proves that mode).
if ! command -v slirp4netns >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing slirp4netns (apt-get) for agentbay-local's outbound network mode"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slirp4netns
  else
    say "slirp4netns not found: agentbay-local --session-network slirp4netns will refuse to start ('sudo apt-get install slirp4netns')"
  fi
fi

# --- chromium --------------------------------------------------------------------------------
# Only root installs it here; for anyone else the browser test itself fails with the install
# command (a missing browser must not silently shrink what `npm test` proves).
if [ ! -x "${AGENTBAY_CHROMIUM:-/usr/bin/chromium}" ] && [ "${AGENTBAY_SKIP_BROWSER:-}" != 1 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing chromium (apt-get) for the browser test"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    say "chromium not found: js-tests/browser.test.mjs will fail until it is installed ('sudo apt-get install chromium') or AGENTBAY_SKIP_BROWSER=1 is set"
  fi
fi
# chromedriver: wasm-bindgen-test-runner drives Chromium through it. Debian's chromium-driver is
# built from the same source as chromium, so apt keeps the two versions equal.
if ! command -v "${CHROMEDRIVER:-chromedriver}" >/dev/null && [ "${AGENTBAY_SKIP_BROWSER:-}" != 1 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing chromium-driver (apt-get) for the wasm tests in Chromium"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-driver
  else
    say "chromedriver not found: the wasm tests in Chromium (scripts/test.sh) will fail until it is installed ('sudo apt-get install chromium-driver') or AGENTBAY_SKIP_BROWSER=1 is set"
  fi
fi

# --- node modules ----------------------------------------------------------------------------
# npm ci wipes node_modules, so only run it when the lock file is newer than the last install.
stamp="node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/tsc ] \
  || [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/vite/package.json ] \
  || [ ! -f node_modules/webpack-cli/package.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi
