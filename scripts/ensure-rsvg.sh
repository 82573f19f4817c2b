#!/usr/bin/env bash
# Makes sure rsvg-convert (librsvg), which renders PNG and PDF figures
# (rmfg --figure-format png|pdf), is installed.
# Debian/Ubuntu: librsvg2-bin via apt-get (sudo when not root).
# macOS: librsvg via Homebrew. Otherwise: one line saying what to install.
set -euo pipefail

if command -v rsvg-convert >/dev/null 2>&1; then
    exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
    source "$(dirname "$0")/apt-sudo.sh"
    apt_sudo "rsvg-convert is missing; install it as root: apt-get install librsvg2-bin"
    echo "Installing rsvg-convert (librsvg2-bin) with apt-get..." >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq librsvg2-bin >/dev/null
elif command -v brew >/dev/null 2>&1; then
    echo "Installing librsvg with Homebrew..." >&2
    brew install librsvg
else
    echo "error: rsvg-convert is missing; install librsvg2-bin (Debian/Ubuntu) or librsvg (Homebrew)" >&2
    exit 1
fi

if ! command -v rsvg-convert >/dev/null 2>&1; then
    echo "error: librsvg installation failed: rsvg-convert still not found" >&2
    exit 1
fi
