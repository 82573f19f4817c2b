"""The package returns exactly what `rmfg ... --format json` prints for the same input."""

from __future__ import annotations

import numpy as np
import pytest

import robustmfg
from conftest import ROOT, numbers, run_cli

SETS = ["none", "tv", "l1", "linf", "wasserstein", "kl", "chi2"]


@pytest.mark.parametrize("set_name", SETS)
def test_worst_case_matches_cli(rmfg, rng, set_name):
    for trial in range(3):
        n = int(rng.integers(2, 7))
        p = rng.dirichlet(np.ones(n))
        p[0] = 0.0 if trial == 1 else p[0]
        p = p / p.sum()
        v = rng.normal(size=n) * 10.0 ** rng.integers(-3, 4)
        radius = [0.0, 0.05, 0.3][trial]
        args = ["worst-case", "--set", set_name, "--radius", repr(radius), "--nominal", numbers(p),
                "--values", numbers(v), "--format", "json"]
        polyhedral = set_name in ("tv", "l1", "linf", "wasserstein")
        if polyhedral:
            args += ["--method", "both"]
        try:
            cli = run_cli(rmfg, args)
        except AssertionError:  # an input the CLI refuses: the package refuses it too
            with pytest.raises(robustmfg.InvalidInputError):
                robustmfg.worst_case(set_name, p, v, radius)
            continue
        py = robustmfg.worst_case(set_name, p, v, radius, method="both" if polyhedral else "closed-form")
        assert py.json == cli and py.passed
        assert py.value == cli["value"] and list(py.q) == cli["distribution"]


def test_worst_case_weights_and_cost_match_cli(rmfg):
    p, v = np.array([0.1, 0.2, 0.3, 0.4]), np.array([3.0, -1.0, 2.0, 0.5])
    cli = run_cli(rmfg, ["worst-case", "--set", "l1", "--radius", "0.2", "--nominal", numbers(p), "--values", numbers(v),
                         "--weights", "1,2,0.5,1", "--method", "both", "--format", "json"])
    assert robustmfg.worst_case("l1", p, v, 0.2, weights=[1, 2, 0.5, 1], method="both").json == cli
    cli = run_cli(rmfg, ["worst-case", "--set", "wasserstein", "--radius", "0.3", "--nominal", numbers(p), "--values",
                         numbers(v), "--cost", "(s - t)^2", "--format", "json"])
    assert robustmfg.worst_case("wasserstein", p, v, 0.3, cost="(s - t)^2").json == cli
    cost = np.abs(np.subtract.outer(np.arange(4), np.arange(4))) ** 2.0
    assert robustmfg.worst_case("wasserstein", p, v, 0.3, cost=cost).value == cli["value"]


def _strip_times(doc):
    doc = dict(doc)
    doc.pop("seconds", None)
    doc["trace"] = [{k: x for k, x in r.items() if k != "seconds"} for r in doc.get("trace", [])]
    return doc


@pytest.mark.parametrize("game", ["Examples/lasry-lions.yaml", "Examples/two-state.json", "Examples/beach-bar.yaml"])
def test_solve_matches_cli(rmfg, game):
    cli = run_cli(rmfg, ["solve", game, "--quiet", "--format", "json"])
    eq = robustmfg.Game.load(ROOT / game).solve()
    assert _strip_times(eq.json) == _strip_times(cli)
    assert list(eq.mean_field) == cli["meanField"] and eq.policy.tolist() == cli["policy"]
    assert eq.exploitability == cli["exploitability"] and eq.converged == cli["converged"]


def test_solve_overrides_match_cli(rmfg):
    cli = run_cli(rmfg, ["solve", str(ROOT / "Examples/two-state.json"), "--set", "linf", "--radius", "0.05",
                         "--temperature", "0.2", "--quiet", "--format", "json"])
    eq = robustmfg.Game.load(ROOT / "Examples/two-state.json").solve(set="linf", radius=0.05, temperature=0.2)
    assert _strip_times(eq.json) == _strip_times(cli)


def test_ties_override_matches_cli(rmfg):
    """`ties="split"` is `--ties split`: beach-bar's worst-case population, whose spots 0 and 20
    tie, keeps its mirror symmetry with split ties and loses it with the default index rule."""
    args = ["solve", str(ROOT / "Examples/beach-bar.yaml"), "--set", "tv", "--radius", "0.05",
            "--population", "worst-case", "--quiet", "--format", "json"]
    game = robustmfg.Game.load(ROOT / "Examples/beach-bar.yaml")
    split = game.solve(set="tv", radius=0.05, population="worst-case", ties="split")
    assert _strip_times(split.json) == _strip_times(run_cli(rmfg, args + ["--ties", "split"]))
    index = game.solve(set="tv", radius=0.05, population="worst-case", ties="index")
    assert _strip_times(index.json) == _strip_times(run_cli(rmfg, args))
    assert split.converged and index.converged
    assert np.max(np.abs(split.mean_field - split.mean_field[::-1])) < 1e-8
    assert np.max(np.abs(index.mean_field - index.mean_field[::-1])) > 1e-3
    with pytest.raises(robustmfg.InvalidInputError, match="^ties: 'even', expected one of: index, split$"):
        game.solve(ties="even")


def test_evaluate_matches_cli(rmfg, tmp_path):
    game = ROOT / "Examples/lasry-lions.yaml"
    eq = robustmfg.Game.load(game).solve()
    pi = np.full_like(eq.policy, 1.0 / eq.policy.shape[1])
    mu = np.full(eq.mean_field.shape, 1.0 / eq.mean_field.shape[0])
    np.save(tmp_path / "pi.npy", pi)
    np.save(tmp_path / "mu.npy", mu)
    cli = run_cli(rmfg, ["evaluate", str(game), "--policy", str(tmp_path / "pi.npy"), "--mean-field",
                         str(tmp_path / "mu.npy"), "--format", "json"])
    ev = robustmfg.Game.load(game).evaluate(pi, mu)
    assert ev.json == cli
    assert ev.best_response.tolist() == cli["bestResponse"]


def test_sweep_matches_cli(rmfg):
    game = ROOT / "Examples/two-state.json"
    cli = run_cli(rmfg, ["sweep", str(game), "--sets", "tv,linf", "--radii", "0,0.1", "--samples", "4", "--seed", "7",
                         "--quiet", "--format", "json"])
    sw = robustmfg.Game.load(game).sweep(["tv", "linf"], [0, 0.1], samples=4, seed=7)
    assert sw.json == cli
    assert sw.columns["price"].shape == (4,)


def test_game_errors_are_the_cli_lines(rmfg):
    bad = "Tests/GameFilesTests/Malformed/discount-one.yaml"
    line = run_cli(rmfg, ["solve", bad], expect=2).strip()
    import os
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with pytest.raises(robustmfg.InvalidInputError) as info:
            robustmfg.Game.load(bad)
    finally:
        os.chdir(cwd)
    assert line == "rmfg: error: " + info.value.message
    assert info.value.field == "discount"


def _strip_level_times(doc):
    doc = _strip_times(doc)
    if "coarseStart" in doc:
        doc["coarseStart"] = [{k: x for k, x in level.items() if k != "seconds"} for level in doc["coarseStart"]]
    return doc


def test_coarse_start_matches_cli(rmfg):
    """`coarse_start=True` is `--coarse-start`: the same levels and the same equilibrium, for a game
    loaded by path and for the same text parsed (whose levels are parsed from that text again)."""
    args = ["solve", str(ROOT / "Examples/crowd-grid.yaml"), "--param", "width=24", "--param", "height=16", "--set", "tv",
            "--radius", "0.05", "--coarse-start", "--coarsest-states", "100", "--quiet", "--format", "json"]
    cli = run_cli(rmfg, args)
    assert [level["grid"] for level in cli["coarseStart"]] == [[12, 8]]
    params = {"width": 24, "height": 16}
    by_path = robustmfg.Game.load(ROOT / "Examples/crowd-grid.yaml", params=params)
    eq = by_path.solve(coarse_start=True, coarsest_states=100, set="tv", radius=0.05)
    assert _strip_level_times(eq.json) == _strip_level_times(cli)
    assert list(eq.mean_field) == cli["meanField"] and eq.converged
    text = (ROOT / "Examples/crowd-grid.yaml").read_text()
    parsed = robustmfg.Game.from_text(text, name=str(ROOT / "Examples/crowd-grid.yaml"), params=params)
    again = parsed.solve(coarse_start=True, coarsest_states=100, set="tv", radius=0.05)
    assert list(again.mean_field) == cli["meanField"] and again.json["coarseStart"][0]["grid"] == [12, 8]
    # The start differs from the uniform one: without the flag the solve takes another path.
    plain = by_path.solve(set="tv", radius=0.05)
    assert "coarseStart" not in plain.json and plain.iterations != eq.iterations


def test_coarse_start_refusals_name_the_argument(rmfg):
    game = robustmfg.Game.load(ROOT / "Examples/crowd-grid.yaml")
    with pytest.raises(robustmfg.InvalidInputError, match="needs coarse_start") as info:
        game.solve(coarsest_states=100)
    assert info.value.field == "coarsest_states"
    for bad in (0, -3, 2.5, True):
        with pytest.raises(robustmfg.InvalidInputError) as info:
            game.solve(coarse_start=True, coarsest_states=bad)
        assert info.value.field == "coarsest_states"
    with pytest.raises(robustmfg.InvalidInputError, match="every side is a parameter") as info:
        robustmfg.Game.load(ROOT / "Examples/lasry-lions.yaml").solve(coarse_start=True)
    assert info.value.field == "coarse_start"
    started = robustmfg.Game.load(ROOT / "Examples/crowd-grid.yaml", initial=np.full(384, 1 / 384))
    with pytest.raises(robustmfg.InvalidInputError, match="initial") as info:
        started.solve(coarse_start=True, coarsest_states=100)
    assert info.value.field == "coarse_start"
    cli = run_cli(rmfg, ["solve", str(ROOT / "Examples/lasry-lions.yaml"), "--coarse-start"], expect=2)
    assert "every side is a parameter" in cli
