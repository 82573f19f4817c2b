#!/usr/bin/env python3
"""Re-runs every `$ rmfg ...` console block of Docs/Guide.md with the debug build
and writes the actual output back into the guide (the check is GuideTests).

Use after a change that moves printed digits (for example a different summation
order in a solver); review the diff with `git diff Docs/Guide.md` before committing.

Usage (from the repository root, after `swift build`):  python3 scripts/update-guide.py
"""
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUIDE = os.path.join(ROOT, "Docs", "Guide.md")
RMFG = os.path.join(ROOT, ".build", "debug", "rmfg")


def run(command):
    args = shlex.split(command)
    assert args[:2] == ["$", "rmfg"], command
    r = subprocess.run([RMFG] + args[2:], cwd=ROOT, capture_output=True, text=True)
    return (r.stderr if r.returncode == 2 else r.stdout).rstrip("\n")


def main():
    if not os.access(RMFG, os.X_OK):
        sys.exit(f"missing {RMFG}: run `swift build` first")
    text = open(GUIDE, encoding="utf-8").read()
    changed = 0

    def replace(match):
        nonlocal changed
        command = match.group(1)
        output = run(command)
        if output != match.group(2).rstrip("\n"):
            changed += 1
            print(f"updated: {command}")
        return f"```console\n{command}\n{output}\n```"

    text = re.sub(r"```console\n(\$ rmfg[^\n]*)\n(.*?)\n?```", replace, text, flags=re.S)
    open(GUIDE, "w", encoding="utf-8").write(text)
    print(f"{changed} block(s) changed")


if __name__ == "__main__":
    main()
