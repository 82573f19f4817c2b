import Foundation

/// Kullback–Leibler ball `U = {q ∈ Δ(supp p) : Σ_i q_i log(q_i / p_i) ≤ ρ}`
/// (always on `supp(p)`, since `KL(q‖p) = ∞` when `q ≪̸ p`).
///
/// **Dual** (Hu and Hong 2013; Nilim and El Ghaoui 2005; Iyengar 2005):
/// `σ = sup_{β>0} φ(β)`, `φ(β) = −β log Σ_i p_i e^{−V_i/β} − βρ`, and at the
/// limit `β = 0` the Lagrangian dual function is `min_{supp p} V`.
/// Every `β ≥ 0` gives a lower bound.
///
/// **Algorithm.** With `u_i = V_i − V_min ≥ 0` (the log-sum-exp shift) and
/// `t = 1/β`, the tilted `q_t ∝ p e^{−t u}` has `KL(q_t‖p) = −t E_{q_t}[u] − log Z(t)`,
/// increasing in `t` from 0 to `−log p(A*)` (`A*` the argmin set of `V` on
/// `supp p`), with derivative `t Var_{q_t}(u)`, and `φ'(β) = KL(q_{1/β}‖p) − ρ`.
/// A bracketed, safeguarded Newton iteration solves `KL(q_t‖p) = ρ` and returns
/// the feasible end of the final bracket (`KL ≤ ρ`). Limits: `ρ = 0` gives
/// `q = p`; `ρ ≥ −log p(A*)` gives `σ = V_min` with `q = p` restricted to `A*`
/// and renormalized (`β = 0`).
///
/// **Complexity.** `O(k)` per iteration for `k` non-zeros, about 10–60
/// iterations, no allocation except the returned `q`.
///
/// **Certificate.** `q_t` is feasible and `q_t·V − φ(1/t) = (ρ − KL(q_t‖p))/t ≥ 0`,
/// which the root finder drives to rounding level.
enum KullbackLeibler {
    /// `(z, c, E_q[u], KL, Var_q[u])` of the tilted distribution `q ∝ p e^{−t u}` at `t`,
    /// `u = V − vmin ≥ 0`, with `z = Σ p e^{−t(u − c)}` for the centering `c` used.
    ///
    /// For small `t·spread` the exponent is centered at `c = E_p[u]` and `log Z`
    /// is evaluated as `log1p(Σ p expm1(−t(u − c)))`, so that `KL`, which is
    /// `O(t²)` there, is not lost to cancellation between two `O(t)` terms.
    @inline(__always)
    static func tilt(p: SparseDistribution, values: [Double], vmin: Double, mean: Double, spread: Double, t: Double)
        -> (z: Double, center: Double, mean: Double, kl: Double, variance: Double) {
        let center = t * spread < 1 ? mean : 0
        var sm1 = 0.0   // Σ p (e^{−t(u − c)} − 1)
        var z = 0.0
        var s1 = 0.0    // Σ p e^{−t(u−c)} (u − c)
        var s2 = 0.0
        for pos in 0..<p.indices.count {
            let u = values[p.indices[pos]] - vmin - center
            let e = expm1(-t * u)
            let w = p.probabilities[pos] * (e + 1)
            sm1 += p.probabilities[pos] * e
            z += w
            s1 += w * u
            s2 += w * u * u
        }
        let logZ = log1p(sm1)          // log of Σ p e^{−t(u−c)}
        let centeredMean = s1 / z
        let variance = max(s2 / z - centeredMean * centeredMean, 0)
        let kl = max(-t * centeredMean - logZ, 0)
        // z = Σ p e^{−t(u − c)}: q_i = p_i e^{−t(u_i − c)} / z.
        return (z, center, centeredMean + center, kl, variance)
    }

    static func solve(p: SparseDistribution, v: SortedValues, radius: Double, build: Bool) -> RowSolution {
        let k = p.indices.count
        let values = v.values
        var vmin = Double.infinity
        for i in p.indices { vmin = min(vmin, values[i]) }
        var pStar = 0.0
        var spread = 0.0
        var mean = 0.0
        for pos in 0..<k {
            let u = values[p.indices[pos]] - vmin
            if u == 0 { pStar += p.probabilities[pos] }
            spread = max(spread, u)
            mean += p.probabilities[pos] * u
        }
        if radius <= 0 || spread == 0 {
            return RowSolution(value: p.dot(values), distribution: build ? p : SparseDistribution(indices: [], probabilities: []),
                               dual: DualPoint(beta: radius <= 0 ? .infinity : 0), distance: 0)
        }
        let limit = -log(pStar)
        if radius >= limit {
            let (value, q) = p.restrictedToMinimum(values: values, minimum: vmin, mass: pStar, build: build)
            return RowSolution(value: value, distribution: q, dual: DualPoint(beta: 0), distance: limit)
        }
        // Bracket t with KL(lo) ≤ ρ < KL(hi).
        var lo = 0.0
        var hi = Double.infinity
        var t = 1 / spread
        let start = tilt(p: p, values: values, vmin: vmin, mean: mean, spread: spread, t: 0)
        if start.variance > 0 { t = max(sqrt(2 * radius / start.variance), 1e-300) }
        var iterations = 0
        while iterations < 400 {
            iterations += 1
            let s = tilt(p: p, values: values, vmin: vmin, mean: mean, spread: spread, t: t)
            if s.kl <= radius { lo = t } else { hi = t }
            if s.kl == radius { break }
            if hi.isFinite, hi - lo <= 4 * Double.ulpOfOne * hi { break }
            // Newton step on KL(t) − ρ, safeguarded by the bracket.
            let slope = t * s.variance
            var next = slope > 0 ? t - (s.kl - radius) / slope : .nan
            if !hi.isFinite {
                if !(next > t) || !next.isFinite { next = 2 * t } else { next = min(next, 64 * t) }
            } else if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi)
            }
            if next == t { break }
            t = next
        }
        let final = tilt(p: p, values: values, vmin: vmin, mean: mean, spread: spread, t: lo)
        var value = 0.0
        var q = [Double](repeating: 0, count: build ? k : 0)
        for pos in 0..<k {
            let u = values[p.indices[pos]] - vmin - final.center
            let m = p.probabilities[pos] * exp(-lo * u) / final.z
            value += m * values[p.indices[pos]]
            if build { q[pos] = m }
        }
        let dual = DualPoint(beta: 1 / (lo > 0 ? lo : hi))
        return RowSolution(value: value, distribution: build ? p.replacingProbabilities(q) : SparseDistribution(indices: [], probabilities: []),
                           dual: dual, distance: final.kl)
    }

    /// The Lagrangian dual objective at `β`: `−β log Σ p e^{−V/β} − βρ` for
    /// `0 < β < ∞`, `min_{supp p} V` at `β = 0`, `p·V` at `β = ∞` when `ρ = 0`.
    static func dualObjective(p: SparseDistribution, values: [Double], radius: Double, beta: Double) -> Double {
        var vmin = Double.infinity
        for i in p.indices { vmin = min(vmin, values[i]) }
        if beta == 0 { return vmin }
        if beta == .infinity { return radius == 0 ? p.dot(values) : -.infinity }
        var mean = 0.0
        var vmax = -Double.infinity
        for (i, pi) in zip(p.indices, p.probabilities) {
            mean += pi * values[i]
            vmax = max(vmax, values[i])
        }
        // Shift by the p-mean when it cannot overflow (accurate for large β), else by min V.
        let shift = (vmax - vmin) / beta < 1 ? mean : vmin
        var sm1 = 0.0
        for (i, pi) in zip(p.indices, p.probabilities) { sm1 += pi * expm1(-(values[i] - shift) / beta) }
        return shift - beta * log1p(sm1) - beta * radius
    }

    /// `KL(q‖p)` for dense vectors (`∞` when `q ≪̸ p`).
    static func divergence(_ q: [Double], _ p: [Double]) -> Double {
        var total = 0.0
        for i in 0..<q.count where q[i] > 0 {
            if p[i] == 0 { return .infinity }
            total += q[i] * log(q[i] / p[i])
        }
        return max(total, 0)
    }
}
