"""Outer methods for the crowd grid's population fixed point, a numpy prototype (issue 16).

The model of Examples/crowd-grid.yaml (tv 0.05 with support nominal, worst-case population,
tau 0.2, discount 0.9), written from its header like scripts/example_reference.py, solved by
Anderson (memory 30, no safeguards) on one of two maps of the mean field mu, with the pair
(BR_tau(mu), mu) evaluated by value iteration to 1e-10:

  lazy     mu L^k, L = (I + P)/2, P the chain of the pair at mu (what rmfg iterates today);
  frozen   the frozen-policy crowd steps: nu <- nu L(nu) for `inner` steps, the policy and
           nature's worst case against V^pi frozen, the kernel re-evaluated at nu every
           `every` steps (Docs/Solvers.md, "Population steps").

Prints (outer iterations or None, last one-step residual, kernel re-evaluations, seconds):

  python3 Benchmarks/crowd_outer.py 50 50 lazy k=50
  python3 Benchmarks/crowd_outer.py 50 50 frozen inner=500 every=10

Results: Docs/Performance.md, section 8, "Fourth round".
"""
import sys, time
import numpy as np

GAMMA, TAU, RHO = 0.9, 0.2, 0.05
SLIP, CONG, CROWD, DCOST, MCOST = 0.1, 0.5, 0.01, 0.1, 0.05


class Grid:
    def __init__(self, W, H):
        self.W, self.H = W, H
        n = W * H
        self.n = n
        s = np.arange(n)
        x, y = s % W, s // W
        dx = np.array([0, 0, -1, 1, 0]); dy = np.array([-1, 1, 0, 0, 0])
        nx, ny = x[:, None] + dx[None], y[:, None] + dy[None]
        inside = (nx >= 0) & (nx < W) & (ny >= 0) & (ny < H)
        self.target = np.where(inside, nx + W * ny, s[:, None])
        self.same = self.target == s[:, None]
        self.s = s
        dist = np.minimum(x + y, (W - 1 - x) + (H - 1 - y))
        self.base_r = -DCOST * dist[:, None] - MCOST * (np.arange(5) != 4)[None, :]

    def go(self, mu):
        g = (1 - SLIP) * np.exp(-CONG * self.n * mu[self.target])
        return np.where(self.same, 0.0, g)   # prob at target (distinct from s); rest at s

    def reward(self, mu):
        return self.base_r - CROWD * self.n * mu[:, None]

    def worst(self, go, V):
        """q_t (mass at target) under nature's TV worst case against V (support nominal)."""
        Vt, Vs = V[self.target], V[self.s][:, None]
        target_low = (Vt < Vs) | ((Vt == Vs) & (self.target < self.s[:, None]))
        q = np.where(target_low, go + np.minimum(RHO, 1 - go), go - np.minimum(RHO, go))
        return np.where(self.same, 0.0, q)

    def sigma(self, go, V):
        q = self.worst(go, V)
        return q * V[self.target] + (1 - q) * V[:, None], q

    def soft(self, Q):
        M = Q.max(axis=1)
        return M + TAU * np.log(np.exp((Q - M[:, None]) / TAU).sum(axis=1))

    def optimal(self, r, go, V, tol):
        f = GAMMA / (1 - GAMMA)
        while True:
            sg, _ = self.sigma(go, V)
            Q = r + GAMMA * sg
            TV = self.soft(Q)
            res = np.abs(TV - V).max(); V = TV
            if res * f <= tol:
                return V, Q

    def policy_values(self, r, pi, go, V, tol):
        f = GAMMA / (1 - GAMMA)
        bonus = (pi * (r - TAU * np.log(pi))).sum(axis=1)
        while True:
            sg, _ = self.sigma(go, V)
            TV = bonus + GAMMA * (pi * sg).sum(axis=1)
            res = np.abs(TV - V).max(); V = TV
            if res * f <= tol:
                return V

    def step(self, nu, pi, q):
        """nu P for chain with per-row target mass q."""
        w = nu[:, None] * pi
        out = np.zeros(self.n)
        np.add.at(out, self.target.ravel(), (w * q).ravel())
        out += (w * (1 - q)).sum(axis=1)
        return out

    def pair(self, mu, V0=None, tol=1e-10):
        r = self.reward(mu); go = self.go(mu)
        V0 = np.zeros(self.n) if V0 is None else V0
        Vs, Q = self.optimal(r, go, V0, tol)
        Z = np.exp((Q - Q.max(axis=1, keepdims=True)) / TAU)
        pi = Z / Z.sum(axis=1, keepdims=True)
        Vpi = self.policy_values(r, pi, go, Vs, tol)
        q = self.worst(go, Vpi)
        phi = self.step(mu, pi, q)
        return dict(mu=mu, pi=pi, Vs=Vs, Vpi=Vpi, q=q, phi=phi,
                    res=np.abs(phi - mu).sum(), E=mu @ (Vs - Vpi))


def simplex(x):
    x = np.maximum(x, 0); return x / x.sum()


class Anderson:
    def __init__(self, mem):
        self.mem = mem; self.X = []; self.F = []
    def step(self, x, f, beta=1.0):
        self.X.append(x.copy()); self.F.append(f.copy())
        if len(self.X) > self.mem + 1:
            self.X.pop(0); self.F.pop(0)
        if len(self.X) == 1:
            return x + beta * f
        dX = np.array([self.X[i + 1] - self.X[i] for i in range(len(self.X) - 1)]).T
        dF = np.array([self.F[i + 1] - self.F[i] for i in range(len(self.F) - 1)]).T
        g, *_ = np.linalg.lstsq(dF, f, rcond=1e-10)
        return x + beta * f - (dX + beta * dF) @ g


def lazy(grid, p, k):
    nu = p['mu']
    for _ in range(k):
        nu = 0.5 * nu + 0.5 * grid.step(nu, p['pi'], p['q'])
    return nu


def frozen_crowd(grid, p, steps, every=1, tol=None):
    """nu <- nu L(nu): lazy steps, policy and nature's direction frozen, go re-evaluated at nu every `every` steps."""
    nu = p['mu'].copy(); pi = p['pi']; V = p['Vpi']
    q = p['q']; evals = 0
    for j in range(steps):
        if j % every == 0 and j > 0:
            q = grid.worst(grid.go(nu), V); evals += 1
        nu = 0.5 * nu + 0.5 * grid.step(nu, pi, q)
    return nu, evals


def run(grid, method, maxit=300, tol=1e-8, mem=30, k=64, inner=1000, every=1, verbose=False):
    mu = np.full(grid.n, 1.0 / grid.n)
    acc = Anderson(mem); V = None; best = np.inf; t0 = time.time(); evals = 0
    for it in range(maxit):
        p = grid.pair(mu, V); V = p['Vs']
        if verbose:
            print(f"  {it:3d} res {p['res']:.3e} E {p['E']:.3e}", flush=True)
        if p['res'] <= tol and p['E'] <= tol:
            return it + 1, p['res'], evals, time.time() - t0
        if method == 'lazy':
            g = lazy(grid, p, k)
        elif method == 'frozen':
            g, e = frozen_crowd(grid, p, inner, every); evals += e
        f = g - mu
        mu = simplex(acc.step(mu, f))
    return None, p['res'], evals, time.time() - t0


if __name__ == "__main__":
    W, H = int(sys.argv[1]), int(sys.argv[2])
    method = sys.argv[3]
    kw = {}
    for a in sys.argv[4:]:
        key, val = a.split('=')
        kw[key] = int(val) if key != 'tol' else float(val)
    g = Grid(W, H)
    print(W, H, method, kw, run(g, method, **kw))
