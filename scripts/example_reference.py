#!/usr/bin/env python3
"""Independent numpy references for the second-edition examples (Examples/bench-mfg/*.yaml
and Examples/crowd-grid.yaml): the kernel P[s, a, t] and the reward r[s, a] at a given mean field.

Written from the model definitions, not from the YAML files: the five Bench-MFG models follow
the environment classes and configuration files of the PyPI package bench-mfg-suite 0.1.3
(benchmfg/envs/*/*.py and benchmfg/config/environment/*.yaml, gamma 0.9), the way Bench-MFG
itself turns them into kernels: a next-state map T[s, a, e] for every noise value e, with the
noise probabilities, added up where next states coincide (MFGStationary.mean_field_by_transition_kernel).
The crowd grid follows the header of Examples/crowd-grid.yaml. Only numpy is needed; the
MF-Garnet arrays are read from Examples/bench-mfg/mf-garnet/ (written by scripts/bench-mfg-garnet.py
with Bench-MFG's own sampler).

Reads a JSON list of requests on standard input and prints a JSON list of answers, one per request:

  request  {"model": NAME, "params": {...} (optional overrides, crowd-grid only), "mu": [n numbers]}
  answer   {"states": n, "actions": m,
            "kernel": [[s, a, t, p], ...] (the non-zero entries, by s, a, t),
            "reward": [[r(s, 0), ..., r(s, m-1)], ...]}

NAME is one of lasry-lions, sis-epidemic, kinetic-congestion, four-rooms, mf-garnet, crowd-grid.
Used by Tests/GameFilesTests/SecondEditionExamplesTests.swift.

  python3 scripts/example_reference.py --check-bench-mfg

compares every Bench-MFG reference with the installed benchmfg package itself (its transition and
reward methods; MF-Garnet against MFGarnet._transition_distribution, rebuilt with the same seed),
at uniform, random and point-mass mean fields.
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GARNET_DIR = os.path.join(ROOT, "Examples", "bench-mfg", "mf-garnet")


def kernel_from_noise(next_state, noise_prob, n):
    """P[s, a, t] = sum_e noise_prob[s, a, e] * [next_state[s, a, e] == t] (coinciding next states add up)."""
    S, A, E = next_state.shape
    probs = np.broadcast_to(noise_prob, (S, A, E))
    P = np.zeros((S, A, n))
    ss, aa, _ = np.meshgrid(np.arange(S), np.arange(A), np.arange(E), indexing="ij")
    np.add.at(P, (ss, aa, next_state), probs)
    return P


# --- Lasry-Lions chain (lasry_lions_chain.py, lasry_lions_chain.yaml) -------------------------------
def lasry_lions(mu, params):
    n = 7
    noise_prob = np.array([0.025, 0.95, 0.025])   # P(eps = -1), P(eps = 0), P(eps = +1)
    crowd, movement, center_attraction = 40.0, 2.0, 3.0
    direction = np.array([-1, 0, 1])               # actions left, stay, right
    eps = np.array([-1, 0, 1])
    x = np.arange(n)
    nxt = np.clip(x[:, None, None] + direction[None, :, None] + eps[None, None, :], 0, n - 1)
    P = kernel_from_noise(nxt, noise_prob, n)
    center = (n - 1) / 2.0
    r = (-movement * np.abs(direction)[None, :]
         - center_attraction * (np.abs(x - center) ** 2)[:, None]
         - crowd * mu[:, None])
    return P, r


# --- SIS epidemic (sis_epidemic.py, sis_epidemic.yaml) ----------------------------------------------
def sis_epidemic(mu, params):
    beta, nu, cost = 0.8, 0.1, 10.0
    m, N = 5, 100
    levels = np.linspace(0, 1, m)
    roll = (np.arange(N) + 0.5) / N                # the 100 noise points, each with probability 1/100
    nxt = np.zeros((2, m, N), dtype=int)
    for a in range(m):
        p_inf = min(max(beta * levels[a] * mu[1], 0), 1)
        nxt[0, a] = np.where(roll < p_inf, 1, 0)   # susceptible: infected when the roll is below p
        nxt[1, a] = np.where(roll < nu, 0, 1)      # infected: recovers when the roll is below nu
    P = kernel_from_noise(nxt, np.full(N, 1.0 / N), 2)
    r = levels[None, :] - cost * (np.arange(2) == 1)[:, None]
    return P, r


# --- Kinetic congestion (kinetic_congestion.py, kinetic_congestion.yaml) -----------------------------
def kinetic_congestion(mu, params):
    height, width, target, move_cost, capacity, N = 5, 5, 24, 0.1, 0.18, 100
    n, m = height * width, 5
    roll = (np.arange(N) + 0.5) / N
    nxt = np.zeros((n, m, N), dtype=int)
    for s in range(n):
        row, col = divmod(s, width)
        for a in range(m):
            r2, c2 = row, col
            if a == 0:
                r2 = min(height - 1, row + 1)      # up: row + 1 (row 0 at the bottom)
            elif a == 1:
                c2 = min(width - 1, col + 1)
            elif a == 2:
                r2 = max(0, row - 1)
            elif a == 3:
                c2 = max(0, col - 1)
            y = r2 * width + c2
            if y == s:
                nxt[s, a] = s
                continue
            reject = 1.0 if mu[y] >= capacity else min(1.0, mu[y] / capacity)
            nxt[s, a] = np.where(roll < 1.0 - reject, y, s)
    P = kernel_from_noise(nxt, np.full(N, 1.0 / N), n)
    at_target = (np.arange(n) == target).astype(float)
    r = -(1.0 - at_target)[:, None] - np.where(np.arange(m) == 4, 0.0, move_cost)[None, :]
    return P, r


# --- Four rooms with crowd aversion (four_rooms_obstacles.py, four_rooms_obstacles.yaml) --------------
def four_rooms(mu, params):
    rows = cols = 11
    alpha, epsilon = 1.0, 1e-12
    moves = np.array([(1, 0), (0, 1), (-1, 0), (0, -1), (0, 0)])   # (d row, d col): up right down left stay
    doors = {(2, 5), (8, 5), (5, 8), (5, 2)}
    wall = np.zeros((rows, cols), dtype=bool)
    wall[:, 5] = True
    wall[5, :] = True
    for (dr, dc) in doors:
        wall[dr, dc] = False
    n = rows * cols
    nxt = np.zeros((n, 5, 5), dtype=int)
    for s in range(n):
        row, col = divmod(s, cols)
        for a in range(5):
            for e in range(5):
                r2, c2 = row + moves[a][0] + moves[e][0], col + moves[a][1] + moves[e][1]
                ok = 0 <= r2 < rows and 0 <= c2 < cols and not wall[r2, c2]
                nxt[s, a, e] = r2 * cols + c2 if ok else s
    P = kernel_from_noise(nxt, np.full(5, 0.2), n)
    r = np.repeat((-alpha * np.log(np.maximum(mu, epsilon)))[:, None], 5, axis=1)
    return P, r


# --- MF-Garnet (mf_garnet.py, mf_garnet.yaml; arrays from Bench-MFG's sampler) -----------------------
def garnet_arrays():
    support = np.load(os.path.join(GARNET_DIR, "support.npy"))
    prob = np.load(os.path.join(GARNET_DIR, "prob.npy"))
    C = np.load(os.path.join(GARNET_DIR, "C.npy"))
    R0 = np.load(os.path.join(GARNET_DIR, "R0.npy"))
    M = np.load(os.path.join(GARNET_DIR, "M.npy"))
    coef = np.loadtxt(os.path.join(GARNET_DIR, "coefficients.csv"), delimiter=",", comments="#")
    return support, prob, C, R0, M, coef


def mf_garnet(mu, params):
    support, prob, C, R0, M, (cp, rho_p, cr, rho_r) = garnet_arrays()
    n, m, k = support.shape
    eps = 1e-12
    mu = np.asarray(mu, dtype=float) / float(np.sum(mu))
    P = np.zeros((n, m, n))
    for s in range(n):
        for a in range(m):
            base = np.zeros(n)
            for j in range(k):                      # base[support] += prob: a repeated successor keeps the
                base[support[s, a, j]] = prob[s, a, j]   # last weight written (numpy's buffered fancy indexing)
            g = C[s, a].astype(float) @ mu
            intensity = np.maximum(0.0, cp * base + rho_p * g)
            p = intensity / (float(intensity.sum()) + eps)
            P[s, a] = p / max(float(p.sum()), eps)
    r = cr * R0 + rho_r * (M @ mu)[:, None]
    return P, r


# --- Crowd grid (the header of Examples/crowd-grid.yaml) ---------------------------------------------
CROWD_DEFAULTS = {"width": 24, "height": 16, "slip": 0.1, "congestion": 0.5, "crowd": 0.01,
                  "distanceCost": 0.1, "moveCost": 0.05}


def crowd_grid(mu, params):
    q = dict(CROWD_DEFAULTS, **(params or {}))
    W, H = int(q["width"]), int(q["height"])
    n, m = W * H, 5
    moves = [(0, -1), (0, 1), (-1, 0), (1, 0), (0, 0)]    # up down left right stay; y counts rows downwards
    P = np.zeros((n, m, n))
    r = np.zeros((n, m))
    for s in range(n):
        x, y = s % W, s // W
        dist = min(x + y, (W - 1 - x) + (H - 1 - y))   # to the nearer exit: (0, 0) or (W-1, H-1)
        for a, (dx, dy) in enumerate(moves):
            x2, y2 = x + dx, y + dy
            target = x2 + W * y2 if (0 <= x2 < W and 0 <= y2 < H) else s
            go = (1 - q["slip"]) * np.exp(-q["congestion"] * n * mu[target])
            P[s, a, target] += go
            P[s, a, s] += 1 - go
            r[s, a] = -q["distanceCost"] * dist - q["moveCost"] * (a != 4) - q["crowd"] * n * mu[s]
    return P, r


MODELS = {"lasry-lions": lasry_lions, "sis-epidemic": sis_epidemic, "kinetic-congestion": kinetic_congestion,
          "four-rooms": four_rooms, "mf-garnet": mf_garnet, "crowd-grid": crowd_grid}


def answer(request):
    mu = np.asarray(request["mu"], dtype=float)
    P, r = MODELS[request["model"]](mu, request.get("params"))
    n, m, _ = P.shape
    nz = np.argwhere(P != 0)
    kernel = [[int(s), int(a), int(t), float(P[s, a, t])] for s, a, t in nz]
    return {"states": n, "actions": m, "kernel": kernel, "reward": r.tolist()}


def check_bench_mfg():
    """Compares the references with the installed benchmfg package (not needed by the tests)."""
    from benchmfg.envs import FourRoomsAversion2D, KineticCongestion, LasryLionsChain, SISEpidemic
    from benchmfg.envs.mf_garnet.mf_garnet import MFGarnet, MFGarnetSampling

    def from_env(env, mu):
        S, A, N = env.N_states, env.N_actions, env.N_noises
        T = np.array([[[env.transition(mean_field=mu, state=s, action=a, noise=e) for e in range(N)]
                       for a in range(A)] for s in range(S)])
        P = kernel_from_noise(T, env.noise_prob, S)
        R = np.array([[env.reward(mean_field=mu, state=s, action=a) for a in range(A)] for s in range(S)])
        return P, R

    rng = np.random.default_rng(7)
    worst = 0.0
    envs = {
        "lasry-lions": lambda mu: LasryLionsChain(7, 3, 3, 100, mu, np.array([0.025, 0.95, 0.025]),
                                                  crowd_penalty_coefficient=40, movement_penalty=2,
                                                  center_attraction=3, gamma=0.9),
        "sis-epidemic": lambda mu: SISEpidemic(5, 100, mu, beta=0.8, nu=0.1, cost_infection=10.0, gamma=0.9),
        "kinetic-congestion": lambda mu: KineticCongestion(5, 5, 100, mu, target_state=24, movement_cost=0.1,
                                                           capacity_threshold=0.18, gamma=0.9),
        "four-rooms": lambda mu: FourRoomsAversion2D(100, mu, noise_prob=np.full(5, 0.2), gamma=0.9,
                                                     alpha=1.0, epsilon=1e-12),
    }
    sizes = {"lasry-lions": 7, "sis-epidemic": 2, "kinetic-congestion": 25, "four-rooms": 121}
    for name, make in envs.items():
        n = sizes[name]
        for mu in mean_fields(n, rng):
            P0, R0 = from_env(make(mu), mu)
            P1, R1 = MODELS[name](mu, None)
            d = max(np.max(np.abs(P0 - P1)), np.max(np.abs(R0 - R1)))
            worst = max(worst, d)
            print(f"{name}: max difference {d:.3g}")
    support, prob, C, R0a, M, coef = garnet_arrays()
    n, m, _ = support.shape
    g = MFGarnet(n, m, 64, 100, np.full(n, 1.0 / n), gamma=0.9,
                 sampling=MFGarnetSampling(seed=0, branching_factor=support.shape[2]))
    same = (np.array_equal(g.P0_support, support) and np.array_equal(g.P0_prob, prob) and np.array_equal(g.C, C)
            and np.array_equal(g.R0, R0a) and np.array_equal(g.M, M)
            and np.array_equal(np.load(os.path.join(GARNET_DIR, "P0.npy")), g.P0_dense))
    print(f"mf-garnet: arrays equal to Bench-MFG's sampler (seed 0): {same}")
    for mu in mean_fields(n, rng):
        P1, R1 = mf_garnet(mu, None)
        P0 = np.array([[g._transition_distribution(mu, s, a) for a in range(m)] for s in range(n)])
        Rb = np.array([[g.reward(mean_field=mu, state=s, action=a) for a in range(m)] for s in range(n)])
        d = max(np.max(np.abs(P0 - P1)), np.max(np.abs(Rb - R1)))
        worst = max(worst, d)
        print(f"mf-garnet: max difference {d:.3g}")
    return worst <= 1e-15 and same


def mean_fields(n, rng):
    point = np.zeros(n)
    point[n - 1] = 1.0
    return [np.full(n, 1.0 / n), rng.dirichlet(np.ones(n)), rng.dirichlet(np.full(n, 0.2)), point]


def main():
    if sys.argv[1:] == ["--check-bench-mfg"]:
        sys.exit(0 if check_bench_mfg() else 1)
    requests = json.load(sys.stdin)
    json.dump([answer(q) for q in requests], sys.stdout)


if __name__ == "__main__":
    main()
