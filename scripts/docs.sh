#!/usr/bin/env bash
# `make docs`: build the DocC documentation of each library module with
# swift-docc-plugin, and fail if DocC reports any warning.
set -euo pipefail
status=0
for target in "$@"; do
    echo "== $target"
    log=$(mktemp)
    if ! swift package --scratch-path .build-docs generate-documentation --target "$target" >"$log" 2>&1; then
        cat "$log"; status=1
    elif grep -q "warning:" "$log"; then
        grep "warning:" "$log"; status=1
    else
        grep "Generated documentation archive" -A1 "$log" | tail -1
    fi
    rm -f "$log"
done
exit $status
