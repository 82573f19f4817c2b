#!/bin/bash
# Submits a sharded sweep and its merge to Slurm in one go.
#
#   Examples/cluster/submit.sh N OUT GAME [rmfg sweep flags...]
#
# Submits sweep.sbatch as an array of N tasks (shards 0..N-1, writing to OUT)
# and merge.sbatch with --dependency=afterok on that array (writing
# OUT/merged), then prints the two job ids: "ARRAY_JOB_ID MERGE_JOB_ID".
# Extra sbatch options go in $RMFG_SBATCH_OPTIONS (for example
# "--partition=short --account=lab"), and apply to both jobs; the array's
# concurrency can be capped with $ARRAY_LIMIT (sbatch's --array=0-(N-1)%LIMIT).
# Slurm log files are written to OUT/logs.
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 N OUT GAME [rmfg sweep flags...]" >&2
    exit 2
fi
shards=$1 out=$2
shift 2
case $shards in ''|*[!0-9]*|0) echo "N must be a positive integer, got '$shards'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/logs"
# shellcheck disable=SC2086  # RMFG_SBATCH_OPTIONS is a list of options
array=$(sbatch --parsable ${RMFG_SBATCH_OPTIONS:-} --array="0-$((shards - 1))${ARRAY_LIMIT:+%$ARRAY_LIMIT}" \
    --output="$out/logs/sweep-%A_%a.out" "$here/sweep.sbatch" "$shards" "$out" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${RMFG_SBATCH_OPTIONS:-} --dependency="afterok:$array" \
    --output="$out/logs/merge-%j.out" "$here/merge.sbatch" "$out")
merge=${merge%%;*}
echo "$array $merge"
