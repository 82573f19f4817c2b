#!/usr/bin/env bash
# Makes sure GLPK (the C library and its header) and glpsol are installed.
# Debian/Ubuntu: libglpk-dev + glpk-utils via apt-get (sudo when not root).
# macOS: glpk via Homebrew. Otherwise: one line saying what to install.
set -euo pipefail

have_header() {
    for dir in /usr/include /usr/local/include /opt/homebrew/include; do
        [ -f "$dir/glpk.h" ] && return 0
    done
    return 1
}

if have_header && command -v glpsol >/dev/null 2>&1; then
    exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
    source "$(dirname "$0")/apt-sudo.sh"
    apt_sudo "GLPK is missing; install it as root: apt-get install libglpk-dev glpk-utils"
    echo "Installing GLPK (libglpk-dev, glpk-utils) with apt-get..." >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq libglpk-dev glpk-utils >/dev/null
elif command -v brew >/dev/null 2>&1; then
    echo "Installing GLPK with Homebrew..." >&2
    brew install glpk
else
    echo "error: GLPK is missing; install libglpk-dev and glpk-utils (Debian/Ubuntu) or glpk (Homebrew)" >&2
    exit 1
fi

if ! have_header; then
    echo "error: GLPK installation failed: glpk.h still not found" >&2
    exit 1
fi
