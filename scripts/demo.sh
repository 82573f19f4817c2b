#!/usr/bin/env bash
# `make demo`: run the release build of rmfg on bundled examples.
set -euo pipefail
RMFG="${1:-.build/release/rmfg}"
echo "== rmfg solve Examples/beach-bar.yaml --compare-nominal"
echo "   (a robust mean-field equilibrium: 21 spots on a ring, a bar at spot 10,"
echo "    nature perturbs every transition row within a total-variation ball of radius 0.05)"
echo
"$RMFG" solve Examples/beach-bar.yaml --compare-nominal --quiet
echo
echo "== rmfg worst-case --set wasserstein --radius 0.3 --nominal 0.2,0.3,0.5 --values 1,2,4 --method both"
echo "   (one inner problem, solved by the exact dual and by GLPK, with its certificate)"
echo
"$RMFG" worst-case --set wasserstein --radius 0.3 --nominal 0.2,0.3,0.5 --values 1,2,4 --method both
