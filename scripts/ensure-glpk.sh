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

source "$(dirname "$0")/apt-sudo.sh"
install_missing GLPK glpk libglpk-dev glpk-utils

if ! have_header; then
    echo "error: GLPK installation failed: glpk.h still not found" >&2
    exit 1
fi
