#!/usr/bin/env python3
"""Re-runs every `$ rmfg ...` console block of Docs/Guide.md and README.md with the
debug build and writes the actual output back (the check is GuideTests).

Use after a change that moves printed digits (for example a different summation
order in a solver); review the diff with `git diff Docs/Guide.md README.md` before
committing.

Usage (from the repository root, after `swift build`):  python3 scripts/update-guide.py
"""
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = [os.path.join(ROOT, "Docs", "Guide.md"), os.path.join(ROOT, "README.md")]
RMFG = os.path.join(ROOT, ".build", "debug", "rmfg")


def run(command):
    args = shlex.split(command)
    assert args[:2] == ["$", "rmfg"], command
    r = subprocess.run([RMFG] + args[2:], cwd=ROOT, capture_output=True, text=True)
    return (r.stderr if r.returncode == 2 else r.stdout).rstrip("\n")


def masked(text):
    """Wall-clock times such as "(anderson, 0.004 s)" masked, as GuideTests does."""
    return re.sub(r"\d+\.\d+ s\)", "<time> s)", text).strip()


def main():
    if not os.access(RMFG, os.X_OK):
        sys.exit(f"missing {RMFG}: run `swift build` first")
    changed = 0

    def replace(match):
        nonlocal changed
        command = match.group(1)
        output = run(command)
        if masked(output) == masked(match.group(2)):
            return match.group(0)  # only the times differ: keep the text as it is
        changed += 1
        print(f"updated: {command}")
        return f"```console\n{command}\n{output}\n```"

    for path in FILES:
        text = open(path, encoding="utf-8").read()
        text = re.sub(r"```console\n(\$ rmfg[^\n]*)\n(.*?)\n?```", replace, text, flags=re.S)
        open(path, "w", encoding="utf-8").write(text)
    print(f"{changed} block(s) changed")


if __name__ == "__main__":
    main()
