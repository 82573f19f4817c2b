#!/bin/sh
# Bench-MFG (bench-mfg-suite 0.1.3, PyPI) next to rmfg on the same environments.
# Creates Benchmarks/peers/.venv (git-ignored) on first use, builds rmfg in release mode,
# and prints the side-by-side table of Docs/Performance.md ("Peers"). Not part of `make test`.
# The comparison runs under `nice`: about 2 minutes of CPU per environment (mostly Bench-MFG's
# fictitious play), 10 for all five; far longer in wall time on a loaded machine.
# Usage: Benchmarks/peers/run.sh [--markdown]      (or: make peers)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import benchmfg" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "bench-mfg-suite==0.1.3"
fi
(cd "$root" && swift build -c release --product rmfg >/dev/null)
exec nice "$venv/bin/python" "$here/peers.py" --rmfg "$root/.build/release/rmfg" "$@"
