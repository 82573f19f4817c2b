#!/usr/bin/env bash
# End-to-end test of sharded sweeps under a real Slurm and under GNU parallel
# (`make test-cluster`; Docs/Experiments.md, "Running on a cluster").
#
#   scripts/test-cluster.sh [RMFG]        RMFG: default .build/release/rmfg
#
# Starts a single-node Slurm cluster on this machine (munged, slurmctld,
# slurmd), every daemon with its configuration, sockets, state and logs in a
# temporary folder, on free ports, node address 127.0.0.1, authenticated by a
# MUNGE key made for the test (readable by root only); nothing under /etc is
# read or written, so a system Slurm or MUNGE (installed or running) is left
# alone.
# Then, against an unsharded run of the same sweep:
#   1. Examples/cluster/submit.sh: a 4-task array and its afterok merge; the
#      merged sweep.csv and result.json are byte-identical to the unsharded ones.
#   2. A task killed while running: the merge stays pending
#      (DependencyNeverSatisfied), `rmfg merge` says "shard 2 of 4 missing"
#      (exit 2); resubmitting only that task and the merge completes it.
#   3. SIGKILL at random moments of a shard run never leaves a partial file:
#      the merge either succeeds identically or reports the shard missing.
#   4. Two instances of one shard writing into the same folder at once (also
#      as two concurrent Slurm jobs): a reader polling the shard's files never
#      sees a partial or corrupt one, and no temporary file is left behind.
#   5. Examples/cluster/parallel.sh (GNU parallel, through --sshlogin) gives
#      the same files, and RESUME=1 reruns only a deleted shard.
# With CLUSTER_SCALING=1 it then times a 64-cell sweep on 1, 2 and 4 array
# slots (each slot one shard), submission to merged result.
# Every daemon and every process it started (found by a tag in their
# environment) is stopped by process id at the end, also on failure or
# interrupt; every wait is bounded (CLUSTER_TIMEOUT seconds per job, default
# 300), so a hung scheduler fails the test with a message instead of hanging.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
rmfg=${1:-.build/release/rmfg}
case $rmfg in /*) ;; *) rmfg="$root/$rmfg" ;; esac
[ -x "$rmfg" ] || { echo "test-cluster: $rmfg not found; build it first (make build)" >&2; exit 2; }
timeout_s=${CLUSTER_TIMEOUT:-300}
start_time=$(date +%s)

say() { printf '[test-cluster %3ds] %s\n' $(($(date +%s) - start_time)) "$*"; }
fail() {
    echo "test-cluster: FAILED: $*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || { echo "test-cluster: needs root (slurmd starts jobs as their user)" >&2; exit 2; }
for tool in munged munge slurmctld slurmd sbatch squeue scontrol scancel parallel; do
    command -v "$tool" >/dev/null || fail "'$tool' is missing (run scripts/ensure-cluster-tools.sh)"
done

# Nothing from a surrounding Slurm job or a user's Slurm setup may reach the
# test cluster's commands (SLURM_CONF is set below, to the test's own file).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(SLURM_|SBATCH_|SALLOC_|SRUN_|SQUEUE_|SINFO_|SCANCEL_)' || true)

work=$(mktemp -d /tmp/rmfg-cluster.XXXXXX)
chmod 700 "$work"
# Every daemon, job and shard this test starts carries this tag in its
# environment: the cleanup finds leftovers by it and stops them by pid.
tag="RMFG_CLUSTER_TEST=$work"
tagged() { env "$tag" "$@"; }
mkdir -p "$work"/{munge,state,spool,log,run}
daemon_pids=()

tagged_pids() { # processes carrying the tag (this script itself never does)
    local p
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qxF "$tag" && echo "$p"
    done
    return 0
}

stop_pid() { # pid name: TERM, up to 10 s, then KILL
    local pid=$1 name=$2 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "test-cluster: $name ($pid) ignored SIGTERM for 10 s; SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$? pid left
    trap - EXIT INT TERM
    set +e
    if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ] && [ ${#daemon_pids[@]} -gt 0 ]; then
        timeout 10 scancel --quiet --user="$(id -un)" >/dev/null 2>&1
    fi
    # Daemons last to first (slurmd, slurmctld, munged), then anything else tagged
    # (job steps, batch scripts, shard runs).
    for ((i = ${#daemon_pids[@]} - 1; i >= 0; i--)); do
        stop_pid "${daemon_pids[i]%%:*}" "${daemon_pids[i]#*:}"
    done
    [ -n "${reader_pid:-}" ] && kill -KILL "$reader_pid" 2>/dev/null
    for pid in $(tagged_pids); do kill -KILL "$pid" 2>/dev/null; done
    sleep 0.5
    left=$(tagged_pids | tr '\n' ' ')
    if [ -n "$left" ]; then
        echo "test-cluster: processes still running after cleanup: $left" >&2
        ps -o pid,args -p "${left// /,}" >&2 2>/dev/null
        status=1
    fi
    if [ "$status" -ne 0 ]; then
        echo "test-cluster: logs kept in $work/log (slurmctld.log, slurmd.log, munged.log) and job logs under $work/runs" >&2
        for f in "$work"/log/slurmctld.log "$work"/log/slurmd.log; do
            [ -f "$f" ] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }
        done
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Bounded wait: wait_for SECONDS DESCRIPTION COMMAND...
wait_for() {
    local limit=$1 what=$2 deadline
    shift 2
    deadline=$(($(date +%s) + limit))
    until "$@"; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "timed out after ${limit} s waiting for $what"
        sleep 0.5
    done
}

free_port() { # a TCP port nobody listens on (and not in $taken)
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        case " ${taken:-} " in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            taken="${taken:-} $p"
            echo "$p"
            return
        fi
    done
    fail "no free TCP port found"
}

# --- the sweep under test and its unsharded reference ----------------------
game="$root/Examples/sis-epidemic.yaml"
flags=(--sets tv,l1,linf,kl --radii 0,0.05,0.1,0.2 --samples 8)
say "reference: unsharded rmfg sweep (16 cells)"
"$rmfg" sweep "$game" "${flags[@]}" --quiet --output "$work/ref" >/dev/null || fail "unsharded sweep failed"
"$rmfg" sweep "$game" "${flags[@]}" --quiet --shard 2/4 --output "$work/ref-shards" >/dev/null ||
    fail "reference shard 2/4 failed"

same_result() { # DIR: merged sweep.csv and result.json byte-identical to the reference
    cmp -s "$1/sweep.csv" "$work/ref/sweep.csv" || fail "$1/sweep.csv differs from the unsharded run"
    cmp -s "$1/result.json" "$work/ref/result.json" || fail "$1/result.json differs from the unsharded run"
}

# --- MUNGE ------------------------------------------------------------------
say "starting munged, slurmctld, slurmd (config in $work)"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
tagged munged --foreground --force --socket="$socket" --key-file="$work/munge/munge.key" \
    --pid-file="$work/run/munged.pid" --seed-file="$work/munge/munged.seed" \
    --log-file="$work/log/munged.log" >"$work/log/munged.out" 2>&1 &
daemon_pids+=("$!:munged")
wait_for 20 "munged to answer on $socket" sh -c "munge -n --socket='$socket' 2>/dev/null | unmunge --socket='$socket' >/dev/null 2>&1"

# --- Slurm --------------------------------------------------------------------
host=$(hostname -s)
cpus=4 # array slots; more than this machine's cores is allowed (config_overrides)
ctld_port=$(free_port)
slurmd_port=$(free_port)
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=rmfgtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=4096 State=UNKNOWN
PartitionName=rmfgtest Nodes=$host Default=YES MaxTime=60 State=UP
CONF
tagged slurmctld -D -i -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
daemon_pids+=("$!:slurmctld")
wait_for 30 "slurmctld to answer (scontrol ping)" sh -c 'timeout 5 scontrol ping 2>/dev/null | grep -q "is UP"'
tagged slurmd -D -f "$SLURM_CONF" -N "$host" >"$work/log/slurmd.out" 2>&1 &
daemon_pids+=("$!:slurmd")
wait_for 60 "node $host to become idle" sh -c "timeout 5 sinfo -h -n '$host' -o %T 2>/dev/null | grep -qx idle"
say "cluster up: node $host, $cpus CPUs, ports $ctld_port/$slurmd_port"

job_done() { ! timeout 5 squeue -h -j "$1" -o %i 2>/dev/null | grep -q . && timeout 5 scontrol show job "$1" >/dev/null 2>&1; }
job_states() { timeout 5 scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ' | tr '\n' ';'; }
wait_job() { # JOBID WHAT: bounded wait for the job (all array tasks) to leave the queue
    local deadline=$(($(date +%s) + timeout_s))
    until job_done "$1"; do
        [ "$(date +%s)" -lt "$deadline" ] ||
            fail "timed out after ${timeout_s} s waiting for $2 (job $1: $(job_states "$1" 2>/dev/null || echo "slurmctld does not answer"))"
        sleep 0.5
    done
}
submitted() { # ARRAY MERGE: both job ids read from submit.sh
    [ -n "$1" ] && [ -n "$2" ] || fail "Examples/cluster/submit.sh did not print two job ids"
}
all_completed() { # JOBID: every task of the job COMPLETED with exit code 0
    local states
    states=$(timeout 5 scontrol -o show job "$1")
    if echo "$states" | grep -v 'JobState=COMPLETED' | grep -q .; then
        fail "job $1 did not complete: $(job_states "$1")"
    fi
}
state_of() { timeout 5 scontrol -o show job "$1" | grep -o "$2=[^ ]*" | head -n 1 | cut -d= -f2; }

export RMFG="$rmfg"

# --- 1. array + afterok merge --------------------------------------------------
out="$work/runs/slurm"
mkdir -p "$out"
say "1. submit.sh: array of 4 shards, merge after ok"
read -r array merge < <(tagged bash Examples/cluster/submit.sh 4 "$out" "$game" "${flags[@]}") || true
submitted "${array:-}" "${merge:-}"
wait_job "$array" "the sweep array"
all_completed "$array"
wait_job "$merge" "the merge job"
all_completed "$merge"
same_result "$out/merged"
[ "$(wc -l <"$out/merged/timings.csv")" -eq 17 ] || fail "merged timings.csv should have 16 cells"
say "   array $array and merge $merge completed; merged sweep.csv and result.json identical"

# --- 2. a killed task, then rerun of only that task --------------------------
out="$work/runs/killed"
mkdir -p "$out"
say "2. kill array task 2 while it runs, then rerun only that task"
# Task 2 waits for a file before it starts computing, so that it is surely
# running when it is killed.
slow="$work/slow-rmfg"
cat >"$slow" <<SLOW
#!/bin/bash
case " \$* " in *" --shard 2/4 "*) touch "$out/.task2-started"; sleep 600 ;; esac
exec "$rmfg" "\$@"
SLOW
chmod +x "$slow"
array='' merge=''
read -r array merge < <(RMFG="$slow" tagged bash Examples/cluster/submit.sh 4 "$out" "$game" "${flags[@]}") || true
submitted "$array" "$merge"
wait_for "$timeout_s" "array task ${array}_2 to start" test -e "$out/.task2-started"
timeout 10 scancel --signal=KILL "${array}_2" || fail "scancel ${array}_2 failed"
wait_job "$array" "the array with the killed task"
[ "$(state_of "${array}_2" JobState)" != COMPLETED ] || fail "the killed task reports COMPLETED"
wait_for 60 "merge job $merge to be marked DependencyNeverSatisfied" \
    sh -c "timeout 5 scontrol -o show job $merge | grep -q 'Reason=DependencyNeverSatisfied'"
[ "$(state_of "$merge" JobState)" = PENDING ] || fail "merge job $merge ran although a task was killed"
set +e
message=$("$rmfg" merge "$out" --output "$out/merged" 2>&1 >/dev/null)
status=$?
set -e
[ "$status" -eq 2 ] || fail "rmfg merge with a killed shard: exit $status, expected 2 ($message)"
case $message in *"shard 2 of 4 missing"*) ;; *) fail "rmfg merge said '$message', expected 'shard 2 of 4 missing'" ;; esac
[ ! -e "$out/merged/sweep.csv" ] || fail "rmfg merge wrote sweep.csv although a shard is missing"
say "   rmfg merge: $message (exit 2)"
timeout 10 scancel "$merge"
rerun=$(tagged sbatch --parsable --array=2 --output="$out/logs/rerun-%A_%a.out" Examples/cluster/sweep.sbatch 4 "$out" "$game" "${flags[@]}")
rerun=${rerun%%;*}
merge=$(tagged sbatch --parsable --dependency="afterok:$rerun" --output="$out/logs/merge-%j.out" Examples/cluster/merge.sbatch "$out")
merge=${merge%%;*}
wait_job "$rerun" "the rerun of task 2"
all_completed "$rerun"
wait_job "$merge" "the merge after the rerun"
all_completed "$merge"
same_result "$out/merged"
say "   rerun $rerun + merge $merge: identical result"

# --- 3. SIGKILL at random moments of a shard run -------------------------------
say "3. SIGKILL a shard run at 12 random moments: never a partial file"
out="$work/runs/sigkill"
mkdir -p "$out"
for i in 0 1 3; do
    "$rmfg" sweep "$game" "${flags[@]}" --quiet --shard "$i/4" --output "$out" >/dev/null || fail "shard $i/4 failed"
done
# How long shard 2 takes, to spread the kills over its whole run.
t0=$(date +%s%N)
"$rmfg" sweep "$game" "${flags[@]}" --quiet --shard 2/4 --output "$work/runs/timing" >/dev/null
run_ms=$((($(date +%s%N) - t0) / 1000000 + 20))
whole=0 missing=0
for k in $(seq 1 12); do
    rm -f "$out"/shard-2-of-4*
    tagged "$rmfg" sweep "$game" "${flags[@]}" --quiet --shard 2/4 --output "$out" >/dev/null &
    pid=$!
    sleep "$(awk -v r=$RANDOM -v t="$run_ms" 'BEGIN { printf "%.3f", (r / 32767) * t / 1000 }')"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for f in "$out"/shard-2-of-4*; do
        [ -e "$f" ] || continue
        cmp -s "$f" "$work/ref-shards/$(basename "$f")" || case $f in *-timings.csv) ;; *) fail "SIGKILL left a partial $f" ;; esac
    done
    set +e
    message=$("$rmfg" merge "$out" --output "$out/merged-$k" 2>&1 >/dev/null)
    status=$?
    set -e
    if [ "$status" -eq 0 ]; then
        same_result "$out/merged-$k"
        whole=$((whole + 1))
    else
        missing=$((missing + 1))
        case "$status:$message" in 2:*"shard 2 of 4 missing"*) ;; *) fail "after SIGKILL, rmfg merge: exit $status: $message" ;; esac
    fi
done
say "   every kill left either the whole shard ($whole times) or a missing shard ($missing times)"

# --- 4. two instances of one shard at once --------------------------------------
say "4. two instances of shard 2/4 writing into one folder at once (20 rounds)"
out="$work/runs/concurrent"
mkdir -p "$out"
for i in 0 1 3; do cp "$work"/runs/sigkill/shard-$i-of-4.{csv,manifest} "$out/"; done
reader() { # polls the shard files until told to stop; prints any bad content
    while [ ! -e "$out/.stop" ]; do
        for f in shard-2-of-4.csv shard-2-of-4.manifest; do
            if [ -e "$out/$f" ] && ! cmp -s "$out/$f" "$work/ref-shards/$f" 2>/dev/null; then
                # The file may have been replaced between the test and cmp: recheck once.
                [ -e "$out/$f" ] && ! cmp -s "$out/$f" "$work/ref-shards/$f" 2>/dev/null && echo "corrupt $f"
            fi
        done
    done
}
rm -f "$out/.stop"
reader >"$work/reader.out" &
reader_pid=$!
for k in $(seq 1 20); do
    [ $((k % 2)) -eq 0 ] && rm -f "$out"/shard-2-of-4*
    tagged "$rmfg" sweep "$game" "${flags[@]}" --quiet --shard 2/4 --output "$out" >/dev/null &
    a=$!
    tagged "$rmfg" sweep "$game" "${flags[@]}" --quiet --shard 2/4 --output "$out" >/dev/null &
    b=$!
    wait "$a" || fail "concurrent instance A failed (round $k)"
    wait "$b" || fail "concurrent instance B failed (round $k)"
    for f in shard-2-of-4.csv shard-2-of-4.manifest; do
        cmp -s "$out/$f" "$work/ref-shards/$f" || fail "round $k: $f differs after two concurrent runs"
    done
done
touch "$out/.stop"
wait "$reader_pid"
[ ! -s "$work/reader.out" ] || fail "a reader saw a partial file: $(sort "$work/reader.out" | uniq -c | tr '\n' ' ')"
leftover=$(find "$out" -name '.*.tmp' | head -n 3)
[ -z "$leftover" ] || fail "temporary files left behind: $leftover"
"$rmfg" merge "$out" --output "$out/merged" >/dev/null || fail "merge after concurrent runs failed"
same_result "$out/merged"
# The same under Slurm: shard 2 submitted twice at once into a folder of finished shards.
rm -f "$out"/shard-2-of-4*
first=$(tagged sbatch --parsable --array=2 --output="$out/rerun-a-%A_%a.out" Examples/cluster/sweep.sbatch 4 "$out" "$game" "${flags[@]}")
second=$(tagged sbatch --parsable --array=2 --output="$out/rerun-b-%A_%a.out" Examples/cluster/sweep.sbatch 4 "$out" "$game" "${flags[@]}")
merge=$(tagged sbatch --parsable --dependency="afterok:${first%%;*}:${second%%;*}" --output="$out/merge-%j.out" \
    Examples/cluster/merge.sbatch "$out" "$out/merged-slurm")
wait_job "${merge%%;*}" "the merge after two concurrent Slurm reruns"
all_completed "${first%%;*}"
all_completed "${second%%;*}"
all_completed "${merge%%;*}"
same_result "$out/merged-slurm"
say "   no partial file seen, no temporary file left, merges identical (also via Slurm)"

# --- 5. GNU parallel ------------------------------------------------------------
say "5. parallel.sh: 4 shards, 2 slots through --sshlogin 2/:"
out="$work/runs/parallel"
SSHLOGIN="2/:" timeout "$timeout_s" env "$tag" bash Examples/cluster/parallel.sh 4 "$out" "$game" "${flags[@]}" >/dev/null ||
    fail "parallel.sh failed"
same_result "$out/merged"
rm -f "$out"/shard-1-of-4* "$out/merged/sweep.csv"
set +e
message=$(timeout "$timeout_s" "$rmfg" merge "$out" 2>&1 >/dev/null)
status=$?
set -e
case "$status:$message" in 2:*"shard 1 of 4 missing"*) ;; *) fail "merge without shard 1: exit $status: $message" ;; esac
# Mark shard 1 as failed in the joblog (column 7 = Exitval), then resume: only it reruns.
awk -F'\t' 'BEGIN { OFS = "\t" } NR > 1 && $NF ~ /--shard 1\/4 / { $7 = 1 } { print }' \
    "$out/parallel.joblog" >"$out/joblog.tmp" && mv "$out/joblog.tmp" "$out/parallel.joblog"
before=$(stat -c %Y "$out/shard-0-of-4.csv")
sleep 1
RESUME=1 SSHLOGIN="2/:" timeout "$timeout_s" env "$tag" bash Examples/cluster/parallel.sh 4 "$out" "$game" "${flags[@]}" >/dev/null ||
    fail "parallel.sh with RESUME=1 failed"
[ "$(stat -c %Y "$out/shard-0-of-4.csv")" = "$before" ] || fail "RESUME=1 reran shard 0, which had succeeded"
same_result "$out/merged"
say "   identical result; RESUME=1 reran only the failed shard"

say "all cluster tests passed"

# --- optional: scaling of a 64-cell sweep over 1, 2 and 4 array slots --------
# CLUSTER_SCALING=1: the numbers of Docs/Experiments.md, "Running on a cluster".
if [ "${CLUSTER_SCALING:-0}" = 1 ]; then
    sgame="$root/Examples/four-rooms.yaml"
    sflags=(--sets tv,l1,wasserstein,chi2 --test-radius 0.1
        --radii 0,0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1,0.11,0.12,0.13,0.14,0.15)
    now_ms() { echo $(($(date +%s%N) / 1000000)); }
    say "scaling: four-rooms, 4 sets x 16 radii = 64 cells; unsharded run first"
    t0=$(now_ms)
    "$rmfg" sweep "$sgame" "${sflags[@]}" --quiet --output "$work/scale-ref" >/dev/null || [ $? -eq 1 ] ||
        fail "the unsharded 64-cell sweep failed"
    serial_ms=$(($(now_ms) - t0))
    cells_s=$(awk -F, 'NR > 1 { s += $2 } END { printf "%.1f", s }' "$work/scale-ref/timings.csv")
    table="slots  wall (s)  speedup\n"
    for k in 1 2 4; do
        out="$work/runs/scale-$k"
        mkdir -p "$out"
        t0=$(now_ms)
        array='' merge=''
        read -r array merge < <(tagged bash Examples/cluster/submit.sh "$k" "$out" "$sgame" "${sflags[@]}") || true
        submitted "$array" "$merge"
        timeout_s=600 wait_job "$merge" "the $k-slot 64-cell sweep"
        ms=$(($(now_ms) - t0))
        cmp -s "$out/merged/sweep.csv" "$work/scale-ref/sweep.csv" || fail "$k slots: merged sweep.csv differs"
        [ "$k" -eq 1 ] && one_ms=$ms
        table+=$(awk -v k="$k" -v ms="$ms" -v one="$one_ms" 'BEGIN { printf "%5d  %8.1f  %7.2f", k, ms / 1000, one / ms }')"\n"
        say "   $k slot(s): $(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }') s from submission to merged result;" \
            "cell seconds per shard: $(awk -F, -v k="$k" 'NR > 1 { t[$1 % k] += $2 } END { for (i = 0; i < k; i++) printf "%.1f ", t[i] }' "$out/merged/timings.csv")"
    done
    say "scaling: unsharded run $(awk -v ms="$serial_ms" 'BEGIN { printf "%.1f", ms / 1000 }') s (sum of cell times ${cells_s} s), $(nproc) cores"
    printf "%b" "$table"
fi
