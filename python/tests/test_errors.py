"""Error paths: bad shapes, NaN, wrong types. Each raises an exception with the message
naming the field; the interpreter survives (the last test runs them in a subprocess)."""

from __future__ import annotations

import gc
import math
import subprocess
import sys

import numpy as np
import pytest

import robustmfg
from conftest import ROOT

P, V = [0.2, 0.3, 0.5], [1.0, 2.0, 3.0]

CASES = [
    (lambda: robustmfg.worst_case("tv", [0.2, 0.8], V, 0.1), "values", "values: has 3 entries, expected 2"),
    (lambda: robustmfg.worst_case("tv", [[0.2, 0.8]], [1, 2], 0.1), "nominal", "nominal: shape 1 x 2, expected a vector"),
    (lambda: robustmfg.worst_case("tv", [math.nan, 0.5, 0.5], V, 0.1), "nominal", "nominal: entry 0 is nan"),
    (lambda: robustmfg.worst_case("tv", P, [1, math.inf, 2], 0.1), "values", "values: entry 1 is inf"),
    (lambda: robustmfg.worst_case("tv", P, V, math.nan), "radius", "radius: is nan"),
    (lambda: robustmfg.worst_case("tv", P, V, -1), "radius", "radius: is -1.0"),
    (lambda: robustmfg.worst_case("tv", P, V, "0.1"), "radius", "radius: '0.1', expected a number"),
    (lambda: robustmfg.worst_case("tv", ["a", "b", "c"], V, 0.1), "nominal", "nominal: could not convert"),
    (lambda: robustmfg.worst_case("tv", [], [], 0.1), "nominal", "nominal: empty"),
    (lambda: robustmfg.worst_case("tv", [0.5, 0.6, 0.1], V, 0.1), "nominal", "nominal: entries sum to"),
    (lambda: robustmfg.worst_case("tvx", P, V, 0.1), "set", "set: 'tvx', expected one of"),
    (lambda: robustmfg.worst_case(3, P, V, 0.1), "set", "set: 3, expected a string"),
    (lambda: robustmfg.worst_case("kl", P, V, 0.1, method="lp"), "method", "method: set 'kl' is not polyhedral"),
    (lambda: robustmfg.worst_case("tv", P, V, 0.1, exact=True), "exact", "exact: applies to the LP"),
    (lambda: robustmfg.worst_case("l1", P, V, 0.1, weights=[1, 0, 1]), "weights", "weights: entry 1 is 0.0"),
    (lambda: robustmfg.worst_case("l1", P, V, 0.1, weights=[1, 1]), "weights", "weights: has 2 entries, expected 3"),
    (lambda: robustmfg.worst_case("tv", P, V, 0.1, weights=[1, 1, 1]), "weights", "weights: only for set l1"),
    (lambda: robustmfg.worst_case("wasserstein", P, V, 0.1, cost=np.ones((2, 2))), "cost", "cost: shape 2 x 2, expected 3 x 3"),
    (lambda: robustmfg.worst_case("wasserstein", P, V, 0.1, cost="s +"), "cost", "cost: "),
    (lambda: robustmfg.worst_case("wasserstein", P, V, 0.1, cost=np.ones((3, 3))), "cost", "cost: "),
    (lambda: robustmfg.worst_case_batch("tv", [P, P], [V], 0.1), "values", "values: shape 1 x 3, expected 2 x 3"),
    (lambda: robustmfg.worst_case_batch("tv", [P, P], [V, V], [0.1, 0.2, 0.3]), "radius", "radius: shape 3"),
    (lambda: robustmfg.worst_case_batch("tv", [P, [0.5, 0.5, math.nan]], [V, V], 0.1), "nominal",
     "row 1: nominal: entry 2 is nan"),
    (lambda: robustmfg.worst_case_batch("tv", [P, P], [V, V], 0.1, threads=-1), "threads", "threads: -1"),
    (lambda: robustmfg.Game.load("/nonexistent/game.yaml"), "", "/nonexistent/game.yaml"),
    (lambda: robustmfg.Game.from_dict({"name": "x"}), "states", "<dict>: states"),
    (lambda: robustmfg.Game.from_dict([1, 2]), "game", "game: list, expected a dict"),
    (lambda: robustmfg.Game.from_dict({"name": "x", "discount": math.nan}), "game", "game: nan is not a finite number"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/two-state.json").solve(temperature="hot"), "temperature",
     "temperature: 'hot', expected a finite number"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/two-state.json").solve(colour=1), "colour", "colour: unknown override"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/two-state.json").solve(radius=-1), "ambiguity.radius", "ambiguity.radius"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/two-state.json").evaluate([[1, 0]], [0.5, 0.5]), "policy",
     "policy: shape 1 x 2, expected 2 x 2"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/two-state.json").evaluate([[1, 0], [0, 1]], [0.5, 0.6]), "meanField",
     "meanField: entries sum to"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/two-state.json").evaluate([[1, math.nan], [0, 1]], [0.5, 0.5]),
     "policy", "policy: entry (0, 1) is nan"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/two-state.json").sweep("tv,bogus", [0.1]), "sets", "sets: 'bogus'"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/two-state.json").sweep("tv", [0.1], samples=0), "samples", "samples"),
    (lambda: robustmfg.Game.load(ROOT / "Examples/moment-crowd.yaml").sweep("tv", [0.1]), "ambiguity.set", "cannot be swept"),
]


@pytest.mark.parametrize("index", range(len(CASES)))
def test_error_names_the_field(index):
    call, field, text = CASES[index]
    with pytest.raises(robustmfg.RobustMFGError) as info:
        call()
    assert info.value.field == field, info.value.message
    assert text in info.value.message and str(info.value) == info.value.message
    assert "\n" not in info.value.message


def test_invalid_input_is_a_value_error():
    with pytest.raises(ValueError):
        robustmfg.worst_case("tv", P, V, -1)


def test_closed_game_is_an_error():
    game = robustmfg.Game.load(ROOT / "Examples/two-state.json")
    game.close()
    game.close()
    with pytest.raises(robustmfg.InvalidInputError, match="game: closed"):
        game.solve()


def test_no_handle_leaks():
    lib = robustmfg.library()
    gc.collect()  # games of earlier tests, freed by their finalizers
    before = lib.rmfg_live_handles()
    for call, _, _ in CASES[:10]:
        with pytest.raises(robustmfg.RobustMFGError):
            call()
    robustmfg.worst_case("tv", P, V, 0.1, method="both")
    with robustmfg.Game.load(ROOT / "Examples/two-state.json") as game:
        game.solve()
    assert lib.rmfg_live_handles() == before


def test_interpreter_survives_every_error():
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "import test_errors as t, robustmfg\n"
        "for c, _, _ in t.CASES:\n"
        "    try: c()\n"
        "    except robustmfg.RobustMFGError: pass\n"
        "print('alive')\n" % str(ROOT / "python" / "tests"))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT / "python" / "tests",
                          timeout=600)
    assert proc.returncode == 0 and proc.stdout.strip() == "alive", proc.stderr
