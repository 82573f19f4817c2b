"""Outer methods for the crowd grid's population fixed point, a numpy prototype (issue 16).

The model of Examples/crowd-grid.yaml (tv 0.05 with support nominal, worst-case population,
tau 0.2, discount 0.9), written from its header like scripts/example_reference.py, solved by
Anderson (memory 30, no safeguards) on a map of the mean field mu, with the pair
(BR_tau(mu), mu) evaluated by value iteration to 1e-10; converged means one-step residual and
exploitability <= 1e-8 (tol=).

  lazy     mu L^k, L = (I + P)/2, P the chain of the pair at mu (rmfg's lazy phase);
  frozen   the frozen-policy crowd steps: nu <- nu L(nu) for `inner` steps, the policy and
           nature's worst case against V^pi frozen, the kernel re-evaluated at nu every
           `every` steps (Docs/Solvers.md, "Population steps"; rmfg's frozen-policy stage);
  ptc      M1, the exact frozen image: the end point nu* = nu* P_pi(nu*) of the frozen crowd,
           by pseudo-transient continuation (linearized implicit Euler steps with the sparse
           Jacobian of F(nu) = nu (P_pi(nu) - I), spsolve), warm-started from the last image;
           Anderson (accel=anderson) or Picard (accel=picard) on mu -> nu*;
  nk       M2, Newton-Krylov (scipy's newton_krylov, GMRES restarted every 300) on
           F(mu) = G(mu) - mu with G the frozen steps; start=FILE.npy starts from a saved mu;
  nested   M3, nested iteration: Anderson on the frozen steps at W/2^levels x H/2^levels from
           the uniform law, each level's mean field spread over 2x2 cells as the next one's start.

Prints iterations (or None), the last one-step residual, kernel re-evaluations (refreshes) and
seconds of wall time:

  python3 Benchmarks/crowd_outer.py 50 50 lazy k=50
  python3 Benchmarks/crowd_outer.py 50 50 frozen inner=500 every=10
  python3 Benchmarks/crowd_outer.py 50 50 ptc accel=anderson
  python3 Benchmarks/crowd_outer.py 24 16 nk maxit=20
  python3 Benchmarks/crowd_outer.py 200 200 nested levels=2 maxit=150

Results: Docs/Performance.md, section 8, "Fourth round" to "Seventh round"; the nested chain
with rmfg itself: Benchmarks/crowd_nested.py.
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
        out = np.bincount(self.target.ravel(), weights=(w * q).ravel(), minlength=self.n)
        return out + (w * (1 - q)).sum(axis=1)

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


# ---------------------------------------------------------------------------------------------
# Seventh round: outer methods for 200x200 (M1 exact frozen image, M2 Newton-Krylov, M3 nested
# iteration). Work counters are kept in STATS.

import scipy.sparse as sp
import scipy.sparse.linalg as spla

STATS = dict(refresh=0, solve=0, pair=0)


def frozen_parts(grid, p):
    """What the frozen-policy crowd keeps from the pair: the policy and nature's direction per
    edge (s, a) with t != s (towards the target when V^pi(t) < V^pi(s), ties by index)."""
    V = p['Vpi']
    Vt, Vs = V[grid.target], V[grid.s][:, None]
    low = (Vt < Vs) | ((Vt == Vs) & (grid.target < grid.s[:, None]))
    return dict(pi=p['pi'], low=low, edge=~grid.same)


def q_and_dq(grid, fp, nu):
    """Nature's worst case q(nu) (mass at the target) on every edge, and dq/dnu(target)."""
    go = (1 - SLIP) * np.exp(-CONG * grid.n * nu[grid.target])
    low = fp['low']
    q = np.where(low, np.minimum(go + RHO, 1.0), np.maximum(go - RHO, 0.0))
    slope = np.where(low, go + RHO < 1.0, go > RHO).astype(float)
    dq = slope * (-CONG * grid.n) * go
    q = np.where(fp['edge'], q, 0.0); dq = np.where(fp['edge'], dq, 0.0)
    STATS['refresh'] += 1
    return q, dq


def F_and_J(grid, fp, nu, jac=True):
    """F(nu) = nu P(nu) - nu (sums to 0) and its sparse Jacobian dF/dnu (columns sum to 0):
    the flux w = nu_s pi q(nu_t) of edge (s, a) leaves s and enters t."""
    q, dq = q_and_dq(grid, fp, nu)
    F = grid.step(nu, fp['pi'], q) - nu
    if not jac:
        return F, None
    e = fp['edge']
    s = np.broadcast_to(grid.s[:, None], e.shape)[e]; t = grid.target[e]
    A = (fp['pi'] * q)[e]                       # dw/dnu_s
    B = (nu[:, None] * fp['pi'] * dq)[e]        # dw/dnu_t (the congestion)
    rows = np.concatenate([t, s, t, s]); cols = np.concatenate([s, s, t, t])
    data = np.concatenate([A, -A, B, -B])
    return F, sp.csc_matrix((data, (rows, cols)), shape=(grid.n, grid.n))


def frozen_ptc(grid, p, dt0=10.0, dtmax=1e6, tol=1e-11, maxit=200, verbose=False, nu0=None,
               neg=np.inf):
    """M1's image: the frozen-policy crowd's end point by pseudo-transient continuation from
    nu0 (default mu): linearized implicit Euler steps (I/dt - J) d = F(nu), nu <- nu + d clipped
    at 0 and renormalized, dt grown by the ratio of successive residuals (switched evolution
    relaxation) up to dtmax; a step with a cell below -neg max(nu) is retried with dt/4. It
    follows the crowd's dynamics, so nearly separate basins keep their split (dtmax far below
    the inverse of their leak). Returns (nu, steps). Plain Newton (nu = nu P(nu) with one row
    replaced by sum nu = 1) failed at 24x16: its steps leave the simplex in the empty band."""
    fp = frozen_parts(grid, p); nu = (p['mu'] if nu0 is None else nu0).copy(); dt = dt0
    I = sp.identity(grid.n, format='csc')
    F, _ = F_and_J(grid, fp, nu, jac=False); nF = np.abs(F).sum()
    for it in range(maxit):
        if nF <= tol:
            return nu, it
        F, J = F_and_J(grid, fp, nu)
        d = spla.spsolve((I / dt - J).tocsc(), F); STATS['solve'] += 1
        x = nu + d
        if x.min() < -neg * nu.max():
            dt /= 4; continue
        x = np.maximum(x, 0.0); x /= x.sum()
        F2, _ = F_and_J(grid, fp, x, jac=False); n2 = np.abs(F2).sum()
        if verbose:
            print(f"    ptc {it} dt {dt:.2e} |F| {nF:.3e} -> {n2:.3e}")
        dt = min(dtmax, dt * max(0.25, min(1e3, nF / n2)))
        nu, nF = x, n2
    return nu, maxit


def image_ptc(warm=True, dtwarm=100.0, **kw):
    """M1: mu -> the frozen crowd's end point, from mu, or (warm) from the previous image."""
    def image(grid, p, prev):
        if warm and prev is not None:
            return frozen_ptc(grid, p, nu0=prev, dt0=dtwarm, **kw)[0]
        return frozen_ptc(grid, p, **kw)[0]
    return image


def image_frozen_steps(inner=256, every=10):
    """rmfg's frozen-policy stage: `inner` crowd steps, a refresh every `every`."""
    def image(grid, p, prev):
        nu, e = frozen_crowd(grid, p, inner, every); STATS['refresh'] += e
        return nu
    return image


def outer(grid, image, mu=None, maxit=300, tol=1e-8, mem=30, accel='anderson', verbose=True,
          stop=None):
    """Anderson(mem) or Picard on mu -> image(grid, pair(mu), previous image)."""
    mu = np.full(grid.n, 1.0 / grid.n) if mu is None else mu
    acc = Anderson(mem); V = None; t0 = time.time(); prev = None; hist = []
    for it in range(maxit):
        p = grid.pair(mu, V); V = p['Vs']; STATS['pair'] += 1
        hist.append(p['res'])
        if verbose:
            print(f"  {it:3d} res {p['res']:.3e} E {p['E']:.3e} {dict(STATS)} {time.time()-t0:.1f}s",
                  flush=True)
        if (p['res'] <= tol and p['E'] <= tol) or (stop and time.time() - t0 > stop):
            return dict(it=it + 1, res=p['res'], mu=mu, sec=time.time() - t0, hist=hist,
                        conv=p['res'] <= tol, **STATS)
        g = image(grid, p, prev); prev = g
        mu = simplex(acc.step(mu, g - mu)) if accel == 'anderson' else g
    return dict(it=None, res=p['res'], mu=mu, sec=time.time() - t0, hist=hist, conv=False, **STATS)


def split(grid, mu):
    """The mass nearer the top-left exit."""
    x, y = grid.s % grid.W, grid.s // grid.W
    return mu[(x + y) < (grid.W - 1 - x) + (grid.H - 1 - y)].sum()


def spread(coarse, Wc, Hc):
    """Each coarse cell's mass spread evenly over its 2x2 fine cells."""
    return (np.kron(coarse.reshape(Hc, Wc), np.ones((2, 2))) / 4).ravel()


def nested(W, H, image_of, levels=2, save=None, **kw):
    """M3: Anderson from the uniform law at W/2^levels x H/2^levels, then at each finer level
    from the coarser result spread over 2x2 cells (W and H divisible by 2^levels)."""
    mu = None; out = []
    for (w, h) in [(W >> l, H >> l) for l in range(levels, -1, -1)]:
        g = Grid(w, h)
        if mu is not None:
            mu = spread(mu, w // 2, h // 2)
        for k in STATS:
            STATS[k] = 0
        r = outer(g, image_of(), mu=mu, verbose=False, **kw)
        out.append((w, h, r['it'], float(r['res']), r['refresh'], r['solve'], round(r['sec'], 1)))
        print('   level', out[-1], flush=True)
        mu = r['mu']
        if save:
            np.save(f'{save}_{w}x{h}.npy', mu)
    return out


def newton_krylov_outer(grid, mu0=None, inner=256, every=10, tol=1e-8, maxit=40, restart=300,
                        rdiff=1e-7, vtol=1e-12, verbose=True):
    """M2: Newton-Krylov on F(mu) = G(simplex(mu)) - mu, G the frozen-policy crowd steps
    (inner, every), GMRES restarted every `restart` columns, finite-difference Jacobian
    products. Counts G evaluations; returns the best iterate seen."""
    from scipy.optimize import newton_krylov, NoConvergence
    mu0 = np.full(grid.n, 1.0 / grid.n) if mu0 is None else mu0
    STATS['G'] = 0; state = dict(V=None, t0=time.time(), best=np.inf, mu=mu0)
    class Done(Exception):
        pass
    def F(mu):
        mu = simplex(mu)   # Newton's trial points may leave the simplex
        p = grid.pair(mu, state['V'], tol=vtol); state['V'] = p['Vs']; STATS['pair'] += 1
        nu, e = frozen_crowd(grid, p, inner, every); STATS['refresh'] += e; STATS['G'] += 1
        if p['res'] < state['best']:
            state['best'] = p['res']; state['mu'] = mu.copy()
        if verbose and STATS['G'] % 10 == 0:
            print(f"    G {STATS['G']} one-step res {p['res']:.3e} best {state['best']:.3e}"
                  f" |G-mu| {np.abs(nu - mu).sum():.3e} {time.time() - state['t0']:.0f}s", flush=True)
        if p['res'] <= tol and p['E'] <= tol:
            raise Done
        return nu - mu
    try:
        newton_krylov(F, mu0, method='gmres', inner_maxiter=restart, inner_restart=restart,
                      rdiff=rdiff, f_tol=1e-300, maxiter=maxit, verbose=verbose)
    except (Done, NoConvergence):
        pass
    return dict(res=state['best'], mu=state['mu'], G=STATS['G'], sec=time.time() - state['t0'],
                refresh=STATS['refresh'])


def main(argv):
    W, H, method = int(argv[1]), int(argv[2]), argv[3]
    kw = {}
    for a in argv[4:]:
        key, val = a.split('=')
        kw[key] = val if key in ('accel', 'start') else float(val) if key in ('tol', 'dtmax', 'dt0') else int(val)
    g = Grid(W, H)
    if method in ('lazy', 'frozen'):
        print(W, H, method, kw, run(g, method, **kw))
    elif method == 'ptc':
        accel = kw.pop('accel', 'anderson')
        r = outer(g, image_ptc(**{k: kw.pop(k) for k in ('dtmax', 'dt0') if k in kw}),
                  accel=accel, verbose=False, **kw)
        print(W, H, method, accel, 'iterations', r['it'], 'res', f"{r['res']:.3e}", 'refreshes',
              r['refresh'], 'sparse solves', r['solve'], f"{r['sec']:.1f} s")
    elif method == 'nk':
        mu0 = np.load(kw.pop('start')) if 'start' in kw else None
        r = newton_krylov_outer(g, mu0=mu0, **kw)
        print(W, H, method, 'G evaluations', r['G'], 'best res', f"{r['res']:.3e}",
              f"{r['sec']:.1f} s")
    elif method == 'nested':
        levels = kw.pop('levels', 2); inner = kw.pop('inner', 256); every = kw.pop('every', 10)
        print(nested(W, H, lambda: image_frozen_steps(inner, every), levels=levels, **kw))


if __name__ == "__main__":
    main(sys.argv)
