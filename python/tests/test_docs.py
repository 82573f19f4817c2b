"""Docs/Python.md's code blocks, run in order in one namespace (so the walkthrough stays true)."""

from __future__ import annotations

import os
import re

from conftest import ROOT


def test_walkthrough_runs(tmp_path, capsys):
    text = (ROOT / "Docs" / "Python.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 6
    os.symlink(ROOT / "Examples", tmp_path / "Examples")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        for block in blocks:
            exec(compile(block, "Docs/Python.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    assert (tmp_path / "beach-bar-radii.png").stat().st_size > 10_000
    out = capsys.readouterr().out
    # The outputs the page shows as comments.
    for block in blocks:
        for expected in re.findall(r"^# (.+)$", block, flags=re.M):
            assert expected in out, expected
