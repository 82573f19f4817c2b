#!/bin/bash
# The same sharded sweep with GNU parallel, on this machine or on several.
#
#   Examples/cluster/parallel.sh N OUT GAME [rmfg sweep flags...]
#
# Runs `rmfg sweep GAME --shard i/N --output OUT [flags]` for i = 0..N-1,
# as many at once as there are slots, then `rmfg merge OUT --output
# OUT/merged`. Exit status: that of the merge (0, 1 when some solve did not
# converge, 2 when a shard is missing: "shard i of N missing").
#
# Environment:
#   SSHLOGIN  GNU parallel's --sshlogin list, default ":" (this machine).
#             Several machines: "4/node1,4/node2,:" runs 4 shards at a time
#             on node1 and node2 (over ssh, password-less) and the default
#             number on this one. Every machine must see OUT and GAME under
#             the same absolute paths (a shared file system) and have rmfg
#             at $RMFG (or on its PATH).
#   JOBS      shards at a time per machine without a "k/" prefix (default:
#             its number of cores; one core per shard suits games below
#             2,000 state-action pairs, see sweep.sbatch for sizing).
#   RMFG      the rmfg binary (default: rmfg on the PATH).
#   RESUME    1: rerun only the shards that failed or never ran in the
#             previous call with the same N and OUT (GNU parallel's
#             --resume-failed on OUT/parallel.joblog).
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 N OUT GAME [rmfg sweep flags...]" >&2
    exit 2
fi
shards=$1 out=$2 game=$3
shift 3
case $shards in ''|*[!0-9]*|0) echo "N must be a positive integer, got '$shards'" >&2; exit 2 ;; esac
rmfg=${RMFG:-rmfg}
mkdir -p "$out"
# Absolute paths: remote machines start in their home folder.
out=$(cd "$out" && pwd)
case $game in /*) ;; *) game="$PWD/$game" ;; esac
case $rmfg in */*) rmfg=$(cd "$(dirname "$rmfg")" && pwd)/$(basename "$rmfg") ;; esac

resume=()
[ "${RESUME:-0}" = 1 ] && resume=(--resume-failed)
# Exit status 1 of a shard (a solve did not converge) still wrote its files;
# the merge reports it. Any other failure is counted by parallel and shows in
# the joblog; the merge below then names the missing shard.
failed=0
# -q: the command's words are passed as they are (paths with spaces work).
# The shards' tables go to OUT/parallel.out.
parallel --will-cite -q --sshlogin "${SSHLOGIN:-:}" ${JOBS:+--jobs "$JOBS"} \
    --joblog "$out/parallel.joblog" "${resume[@]}" --halt never \
    "$rmfg" sweep "$game" --shard "{}/$shards" --output "$out" --quiet "$@" \
    ::: $(seq 0 $((shards - 1))) > "$out/parallel.out" || failed=$?
[ "$failed" -eq 0 ] || echo "parallel: $failed shard run(s) exited non-zero (see $out/parallel.joblog)" >&2
exec "$rmfg" merge "$out" --output "$out/merged"
