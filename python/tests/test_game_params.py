"""Game.load / from_dict / from_text with ``params`` and ``initial``: the results of
``rmfg solve GAME --param NAME=VALUE --initial FILE``, and the CLI's error lines."""

from __future__ import annotations

import json

import numpy as np
import pytest

import robustmfg
from conftest import ROOT, run_cli

LASRY = str(ROOT / "Examples/lasry-lions.yaml")
CONGESTION = str(ROOT / "Examples/congestion.yaml")


def strip_times(doc):
    doc = dict(doc)
    doc.pop("seconds", None)
    doc["trace"] = [{k: x for k, x in r.items() if k != "seconds"} for r in doc.get("trace", [])]
    return doc


def solve_cli(rmfg, game, *flags):
    return strip_times(run_cli(rmfg, ["solve", game, *flags, "--quiet", "--format", "json"]))


def test_numeric_parameter_matches_cli(rmfg):
    cli = solve_cli(rmfg, LASRY, "--param", "crowd=20", "--param", "noise=0.05")
    eq = robustmfg.Game.load(LASRY, params={"crowd": 20, "noise": 0.05}).solve()
    assert strip_times(eq.json) == cli
    assert cli != solve_cli(rmfg, LASRY)  # the parameters change the equilibrium


def test_array_parameter_matches_cli(rmfg):
    jam = np.array([0.0, 1.0, 0.75, 0.0])
    cli = solve_cli(rmfg, CONGESTION, "--param", "jam=[0, 1, 0.75, 0]", "--param", "toll=0.3")
    assert strip_times(robustmfg.Game.load(CONGESTION, params={"jam": jam, "toll": 0.3}).solve().json) == cli
    assert strip_times(robustmfg.Game.load(CONGESTION, params={"jam": jam.tolist(), "toll": "0.3"}).solve().json) == cli


def test_initial_matches_cli(rmfg, tmp_path):
    mu = np.array([0.4, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05])
    np.save(tmp_path / "mu.npy", mu)
    cli = solve_cli(rmfg, LASRY, "--initial", str(tmp_path / "mu.npy"), "--max-iterations", "3")
    assert strip_times(robustmfg.Game.load(LASRY, initial=mu).solve(max_iterations=3).json) == cli
    assert strip_times(robustmfg.Game.load(LASRY, initial=tmp_path / "mu.npy").solve(max_iterations=3).json) == cli
    assert strip_times(robustmfg.Game.load(LASRY, initial=str(tmp_path / "mu.npy")).solve(max_iterations=3).json) == cli
    # the initial mean field is where the solver starts: a different one gives another trace
    assert cli != solve_cli(rmfg, LASRY, "--max-iterations", "3")


def test_overrides_keep_parameters_and_initial(rmfg, tmp_path):
    mu = np.full(7, 1 / 7)
    mu[0], mu[1] = mu[0] + 0.1, mu[1] - 0.1
    np.save(tmp_path / "mu.npy", mu)
    cli = solve_cli(rmfg, LASRY, "--param", "crowd=10", "--initial", str(tmp_path / "mu.npy"), "--set", "linf",
                    "--radius", "0.05", "--temperature", "0.2")
    game = robustmfg.Game.load(LASRY, params={"crowd": 10}, initial=mu)
    assert strip_times(game.solve(set="linf", radius=0.05, temperature=0.2).json) == cli
    assert strip_times(game.solve().json) == solve_cli(rmfg, LASRY, "--param", "crowd=10", "--initial",
                                                       str(tmp_path / "mu.npy"))


def test_from_dict_and_text_with_params(rmfg, tmp_path):
    doc = json.loads((ROOT / "Examples/two-state.json").read_text())
    np.save(tmp_path / "mu.npy", np.array([0.3, 0.7]))
    cli = solve_cli(rmfg, str(ROOT / "Examples/two-state.json"), "--param", "kappa=1.5", "--param", "u=[1.5, 0.5]",
                    "--initial", str(tmp_path / "mu.npy"))
    game = robustmfg.Game.from_dict(doc, params={"kappa": 1.5, "u": np.array([1.5, 0.5])}, initial=[0.3, 0.7])
    text_game = robustmfg.Game.from_text(json.dumps(doc), json=True, params={"kappa": 1.5, "u": [1.5, 0.5]},
                                         initial=tmp_path / "mu.npy")
    assert strip_times(game.solve().json) == cli == strip_times(text_game.solve().json)
    assert cli["meanField"] != strip_times(robustmfg.Game.from_dict(doc).solve().json)["meanField"]


def cli_error(rmfg, *args):
    line = run_cli(rmfg, list(args), expect=2).strip()
    assert line.startswith("rmfg: error: ")
    return line[len("rmfg: error: "):]


@pytest.mark.parametrize("flag,value,params,initial,field", [
    ("--param", "width=30", {"width": 30}, None, "params"),
    ("--param", "crowd=abc", {"crowd": "abc"}, None, "params"),
    ("--param", "crowd=[1, nan]", {"crowd": "[1, nan]"}, None, "params"),
    ("--param", "crowd=", {"crowd": ""}, None, "params"),
    ("--param", "crowd=[1, 2]", {"crowd": [1, 2]}, None, None),  # named by the file's field that uses it
    ("--initial", [0.5, 0.5], None, [0.5, 0.5], "initial"),
    ("--initial", [0.5, 0.6, -0.1, 0, 0, 0, 0], None, [0.5, 0.6, -0.1, 0, 0, 0, 0], "initial"),
    ("--initial", [0.5, 0.4, 0, 0, 0, 0, 0], None, [0.5, 0.4, 0, 0, 0, 0, 0], "initial"),
    ("--initial", [0.5, np.nan, 0.5, 0, 0, 0, 0], None, [0.5, np.nan, 0.5, 0, 0, 0, 0], "initial"),
])
def test_errors_are_the_cli_lines(rmfg, tmp_path, flag, value, params, initial, field):
    if flag == "--initial":
        np.save(tmp_path / "mu.npy", np.array(value, dtype=float))
        value = str(tmp_path / "mu.npy")
    expected = cli_error(rmfg, "solve", LASRY, flag, value)
    with pytest.raises(robustmfg.InvalidInputError) as info:
        robustmfg.Game.load(LASRY, params=params, initial=initial)
    assert info.value.message == expected
    assert field is None or info.value.field.split("[")[0] == field  # initial[1]: the entry
    if flag == "--initial":  # the same file given by its path
        with pytest.raises(robustmfg.InvalidInputError) as info:
            robustmfg.Game.load(LASRY, initial=value)
        assert info.value.message == expected and info.value.field.split("[")[0] == field


def test_python_side_errors():
    cases = [
        (dict(params=[("crowd", 1)]), "params", "params: list, expected a dict"),
        (dict(params={"crowd": True}), "params", "params: crowd: True, expected a number"),
        (dict(params={"crowd": None}), "params", "params: crowd: None"),
        (dict(params={"a=b": 1}), "params", "params: name 'a=b'"),
        (dict(params={"crowd": {"x": 1}}), "params", "params: crowd:"),
        (dict(initial=[[0.5, 0.5]]), "initial", "initial: shape 1 x 2, expected a vector"),
        (dict(initial=[]), "initial", "initial: empty"),
        (dict(initial=np.ones(7) / 7, params={"crowd": 1}), None, None),
    ]
    for kwargs, field, text in cases:
        if field is None:
            robustmfg.Game.load(LASRY, **kwargs).close()
            continue
        with pytest.raises(robustmfg.InvalidInputError) as info:
            robustmfg.Game.load(LASRY, **kwargs)
        assert info.value.field == field and text in info.value.message, info.value.message
    with pytest.raises(robustmfg.InvalidInputError, match="missing.npy"):
        robustmfg.Game.load(LASRY, initial="missing.npy")
