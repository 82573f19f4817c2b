#!/usr/bin/env bash
# `make docs`: build the DocC documentation of each library module with
# swift-docc-plugin, and fail if DocC reports any warning.
#
# Modules without a product (Plots: the CLI's charts) have `package` access, no
# public API: their documentation is built at that level.
set -euo pipefail
package_only=" Plots "
status=0
for target in "$@"; do
    echo "== $target"
    log=$(mktemp)
    access=()
    if [[ $package_only == *" $target "* ]]; then access=(--symbol-graph-minimum-access-level package); fi
    if ! swift package --scratch-path .build-docs generate-documentation --target "$target" "${access[@]}" >"$log" 2>&1; then
        cat "$log"; status=1
    elif grep -q "warning:" "$log"; then
        grep "warning:" "$log"; status=1
    else
        grep "Generated documentation archive" -A1 "$log" | tail -1
    fi
    rm -f "$log"
done
exit $status
