#!/usr/bin/env bash
# Makes sure rsvg-convert (librsvg), which renders PNG and PDF figures
# (rmfg --figure-format png|pdf), is installed.
# Debian/Ubuntu: librsvg2-bin via apt-get (sudo when not root).
# macOS: librsvg via Homebrew. Otherwise: one line saying what to install.
set -euo pipefail

if command -v rsvg-convert >/dev/null 2>&1; then
    exit 0
fi

source "$(dirname "$0")/apt-sudo.sh"
install_missing rsvg-convert librsvg librsvg2-bin

if ! command -v rsvg-convert >/dev/null 2>&1; then
    echo "error: librsvg installation failed: rsvg-convert still not found" >&2
    exit 1
fi
