#!/usr/bin/env bash
# Makes sure the tools of `make test-cluster` are installed: Slurm (slurmctld,
# slurmd, sbatch, squeue, sacct, scontrol), MUNGE (munged, munge) and GNU
# parallel. Debian/Ubuntu only (apt-get, sudo when not root); installs only
# what is missing, so a second run, or a machine that already has Slurm, does
# nothing. Installing the packages must not leave daemons running: on a
# machine without systemd, Debian's postinst scripts start nothing; with
# systemd, the services the packages enable are stopped again (the test runs
# its own daemons with its own configuration).
set -euo pipefail

missing=()
for tool in slurmctld slurmd sbatch squeue scontrol; do
    command -v "$tool" >/dev/null 2>&1 || { missing+=(slurm-wlm); break; }
done
command -v munged >/dev/null 2>&1 && command -v munge >/dev/null 2>&1 || missing+=(munge)
# GNU parallel, not moreutils' parallel (which has no --sshlogin).
if ! command -v parallel >/dev/null 2>&1 || ! parallel --version 2>/dev/null | grep -q "GNU parallel"; then
    missing+=(parallel)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${missing[*]}: install Slurm (slurmctld, slurmd), MUNGE and GNU parallel with your package manager" >&2
    exit 1
fi
source "$(dirname "$0")/apt-sudo.sh"
apt_sudo "missing ${missing[*]}; install as root: apt-get install ${missing[*]}"
echo "Installing ${missing[*]} with apt-get..." >&2
export DEBIAN_FRONTEND=noninteractive
# Keep package scripts from starting services (policy-rc.d exit 101 = "not
# allowed"), unless the machine already has its own policy.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
fi
status=0
{ $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null &&
    $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || status=$?
[ "$own_policy" -eq 1 ] && $SUDO rm -f "$policy"
if [ "$status" -ne 0 ]; then
    echo "error: apt-get install ${missing[*]} failed (status $status)" >&2
    exit 1
fi
for tool in slurmctld slurmd sbatch munged parallel; do
    command -v "$tool" >/dev/null 2>&1 || { echo "error: installation finished but '$tool' is still missing" >&2; exit 1; }
done
