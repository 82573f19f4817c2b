#!/usr/bin/env bash
# Builds rmfg-fuzz with libFuzzer (+ AddressSanitizer) and fuzzes the game-file
# front end (Docs/Fuzzing.md). Used by `make fuzz`.
#
# usage: scripts/fuzz.sh [options] [-- extra libFuzzer flags]
#   -r, --runs N       executions (default 1000000; -1 = no limit, stop with --time)
#   -t, --time SECS    stop after SECS seconds (libFuzzer -max_total_time; default none)
#   -l, --max-len N    largest input in bytes (default 4096)
#   -T, --timeout SECS per-input timeout, a slower input is a hang (default 10)
#   -j, --jobs N       parallel fuzzing processes (default 1)
#       --no-asan      build without AddressSanitizer (faster, finds fewer bugs)
#       --build-only   build, do not fuzz
#       --replay       replay Fuzz/corpus and the fixed Fuzz/regressions with the fuzz build, exit
# Extra libFuzzer flags go after --, e.g. `-- -len_control=0 -seed=1`.
# Environment: SWIFT (default swift), FUZZ_SCRATCH (default .build-fuzz).
#
# Findings go to Fuzz/crashes/ (git-ignored): crash-*, timeout-*, oom-*, leak-*.
# The corpus libFuzzer grows is kept in .build-fuzz/corpus (not committed);
# Fuzz/corpus (seeds) and Fuzz/regressions (former crashes) are only read.
set -euo pipefail
shopt -s nullglob

cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
SCRATCH=${FUZZ_SCRATCH:-.build-fuzz}
RUNS=1000000
TIME=""
MAX_LEN=4096
TIMEOUT=10
JOBS=1
ASAN=1
BUILD_ONLY=0
REPLAY=0
EXTRA=()

while [ $# -gt 0 ]; do
    case "$1" in
        -r|--runs) RUNS=$2; shift 2 ;;
        -t|--time) TIME=$2; shift 2 ;;
        -l|--max-len) MAX_LEN=$2; shift 2 ;;
        -T|--timeout) TIMEOUT=$2; shift 2 ;;
        -j|--jobs) JOBS=$2; shift 2 ;;
        --no-asan) ASAN=0; shift ;;
        --build-only) BUILD_ONLY=1; shift ;;
        --replay) REPLAY=1; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; EXTRA=("$@"); break ;;
        *) echo "scripts/fuzz.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

SANITIZERS=fuzzer
CSANITIZERS=fuzzer-no-link
if [ "$ASAN" = 1 ]; then
    SANITIZERS=fuzzer,address
    CSANITIZERS=fuzzer-no-link,address
fi

# -DFUZZING switches Fuzz/GameFileFuzzer/main.swift from the corpus replayer to
# the libFuzzer entry point; -Xcc instruments the C code (libyaml inside Yams) too.
echo "fuzz: building rmfg-fuzz (-sanitize=$SANITIZERS) in $SCRATCH" >&2
"$SWIFT" build -c release --product rmfg-fuzz --scratch-path "$SCRATCH" \
    -Xswiftc "-sanitize=$SANITIZERS" -Xswiftc -DFUZZING \
    -Xcc "-fsanitize=$CSANITIZERS"
BIN="$("$SWIFT" build -c release --scratch-path "$SCRATCH" --show-bin-path)/rmfg-fuzz"
[ "$BUILD_ONLY" = 1 ] && { echo "fuzz: built $BIN" >&2; exit 0; }

mkdir -p Fuzz/crashes "$SCRATCH/corpus"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=0}

# Regressions named open-* reproduce bugs that are not fixed yet: they would stop
# libFuzzer while it loads its corpus, so only the fixed ones seed the run.
FIXED="$SCRATCH/regressions-fixed"
rm -rf "$FIXED"; mkdir -p "$FIXED"
for f in Fuzz/regressions/*; do
    [ -f "$f" ] || continue
    case "$(basename "$f")" in open-*) echo "fuzz: skipping open regression $f" >&2 ;; *) cp "$f" "$FIXED/" ;; esac
done

if [ "$REPLAY" = 1 ]; then
    inputs=(Fuzz/corpus/* "$FIXED"/*)
    exec "$BIN" -timeout="$TIMEOUT" -rss_limit_mb=4096 "${inputs[@]}"
fi

FLAGS=(-runs="$RUNS" -max_len="$MAX_LEN" -timeout="$TIMEOUT" -dict=Fuzz/game.dict
       -artifact_prefix=Fuzz/crashes/ -print_final_stats=1 -rss_limit_mb=4096)
[ -n "$TIME" ] && FLAGS+=(-max_total_time="$TIME")
if [ "$JOBS" -gt 1 ]; then FLAGS+=(-jobs="$JOBS" -workers="$JOBS"); fi
SEEDS=(Fuzz/corpus "$FIXED")

echo "fuzz: $BIN ${FLAGS[*]} ${EXTRA[*]:-} $SCRATCH/corpus ${SEEDS[*]}" >&2
# The first corpus directory receives new inputs; the seeds are read only.
exec "$BIN" "${FLAGS[@]}" "${EXTRA[@]}" "$SCRATCH/corpus" "${SEEDS[@]}"
