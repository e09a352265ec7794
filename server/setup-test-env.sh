#!/bin/sh
# Installs what `cargo test -p agentbay-local` needs on a fresh Debian/Ubuntu machine.
# The tests never skip: without a working bubblewrap, Server::start fails with a clear message.
set -eu
if ! command -v bwrap >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update
    $SUDO apt-get install -y bubblewrap
fi
bwrap --version
