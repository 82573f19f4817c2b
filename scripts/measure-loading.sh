#!/bin/sh
# Measures how fast `rmfg` reads large games (Docs/Performance.md, "Reading large game files"):
# a garnet written inline as JSON and the same garnet written with .npy arrays, each loaded by
# `rmfg check` (read, build the game, check every row at the initial mean field) ROUNDS times.
# The JSON reading cost is the difference of the two CPU times (the game is the same; the
# .npy form's reading is counted in its own line). CPU time (user + sys) is reported beside
# wall time because the machine is shared: on a loaded machine wall time measures the queue.
#
#   scripts/measure-loading.sh [STATES] [ROUNDS]     (defaults 100000 and 3; needs a release build)
set -eu
STATES=${1:-100000}
ROUNDS=${2:-3}
RMFG=${RMFG:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/rmfg}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
"$RMFG" generate garnet --states "$STATES" --actions 5 --branching 10 --tolerance 1e-8 --arrays inline --output "$DIR/g.json"
"$RMFG" generate garnet --states "$STATES" --actions 5 --branching 10 --tolerance 1e-8 --arrays npy --output "$DIR/n.json"
JSON_BYTES=$(wc -c < "$DIR/g.json")
NPY_BYTES=$(cat "$DIR"/n.*.npy | wc -c)
echo "states $STATES: JSON $JSON_BYTES bytes, .npy arrays $NPY_BYTES bytes"
for form in g.json n.json; do
    for round in $(seq "$ROUNDS"); do
        /usr/bin/time -f "$form round $round: %e s wall, %U s user, %S s sys, %M KB peak" "$RMFG" check "$DIR/$form" > /dev/null
    done
done
