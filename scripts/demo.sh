#!/usr/bin/env bash
# `make demo`: run the release build of rmfg on bundled examples.
set -euo pipefail
RMFG="${1:-.build/release/rmfg}"
echo "== rmfg lp Examples/wyndor.lp  (a bundled LP, solved by GLPK with its certificate)"
"$RMFG" lp Examples/wyndor.lp
