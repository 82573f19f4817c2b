/// χ² ball `U = {q ∈ Δ(supp p) : Σ_i (q_i − p_i)² / p_i ≤ ρ}` (always on
/// `supp(p)`).
///
/// **Dual** (Lagrangian with `λ ≥ 0` for the χ² constraint and `η` for
/// `Σ q = 1`; Ho, Petrik and Wiesemann 2018; Iyengar 2005):
/// `σ = max_{λ≥0, η} η − λρ + Σ_i p_i ψ_λ(V_i − η)`, with
/// `ψ_λ(x) = x − x²/(4λ)` for `x ≤ 2λ` and `ψ_λ(x) = λ` otherwise
/// (`λ = 0`: `ψ = 0` for `x ≥ 0`, `−∞` otherwise). Every dual point gives a
/// lower bound.
///
/// **Closed form (sorted-segment sweep).** KKT gives
/// `q_i = p_i (1 + a(η − V_i))_+` with `a = 1/(2λ)`, so the support of `q` is a
/// prefix of `supp p` in the order `(V_t, t)`. For a prefix with mass `P`,
/// `p`-weighted mean `V̄` and centered second moment `M = Σ p (V − V̄)²`,
/// the two active constraints give `a = √((ρ − (1 − P)/P) / M)`,
/// `η = V̄ + (1 − P)/(aP)` and `σ = V̄ − √(M/P · (Pρ − (1 − P)))` (reported
/// as `q·V` of the constructed `q`). Sweeping prefixes that end at a change of value (Welford updates
/// keep `M` accurate) and taking the one that satisfies `q_m ≥ 0 ≥ q_{m+1}`
/// gives the exact active set. Limits: `ρ = 0` gives `q = p`;
/// `ρ ≥ (1 − p(A*))/p(A*)` (`A*` the argmin set of `V` on `supp p`) gives
/// `σ = V_min` with `q = p` restricted to `A*` and renormalized.
///
/// **Complexity.** `O(k log k)` for `k` non-zeros (the sort of the support by
/// rank), `O(k)` after it.
///
/// **Certificate.** `q` is feasible (`χ² = ρ` up to rounding, sums to one) and
/// the dual point `(λ, η) = (1/(2a), η)` satisfies the KKT conditions with
/// `q`, so its objective equals `q·V`.
enum ChiSquare {
    static func solve(p: SparseDistribution, v: SortedValues, radius: Double, build: Bool) -> RowSolution {
        let k = p.indices.count
        let values = v.values
        let byRank = p.positionsByRank(v)
        let vmin = values[p.indices[byRank[0]]]
        var pStar = 0.0
        for pos in 0..<k where values[p.indices[pos]] == vmin { pStar += p.probabilities[pos] }
        let empty = SparseDistribution(indices: [], probabilities: [])
        if radius <= 0 || pStar >= 1 {
            return RowSolution(value: p.dot(values), distribution: build ? p : empty,
                               dual: DualPoint(lambda: radius <= 0 ? .infinity : 0, eta: vmin), distance: 0)
        }
        let threshold = (1 - pStar) / pStar
        if radius >= threshold {
            let (value, q) = p.restrictedToMinimum(values: values, minimum: vmin, mass: pStar, build: build)
            return RowSolution(value: value, distribution: q,
                               dual: DualPoint(lambda: 0, eta: vmin), distance: threshold)
        }
        let best = bestPrefix(p: p, values: values, byRank: byRank, minimum: vmin, radius: radius)
        let a = best.a
        var q = [Double](repeating: 0, count: k)
        var value = 0.0
        var total = 0.0
        for y in 0..<best.count {
            let pos = byRank[y]
            let u = values[p.indices[pos]] - vmin
            let m = max(0, p.probabilities[pos] * (1 + a * (best.mean - u) + best.shift))
            q[pos] = m
            total += m
        }
        var distance = 0.0
        for pos in 0..<k {
            q[pos] /= total
            value += q[pos] * values[p.indices[pos]]
            let d = q[pos] - p.probabilities[pos]
            distance += d * d / p.probabilities[pos]
        }
        let eta = vmin + best.mean + best.shift / a
        let dual = DualPoint(lambda: 1 / (2 * a), eta: eta)
        return RowSolution(value: value, distribution: build ? p.replacingProbabilities(q) : empty, dual: dual, distance: distance)
    }

    /// The shape of `q/p = 1 + a(V̄ − u) + shift` on a prefix of the support in rank order.
    typealias Prefix = (violation: Double, a: Double, shift: Double, mean: Double, count: Int)

    /// Sweeps prefixes (in rank order) that end before a change of value and returns the
    /// first whose `q` is nonnegative on it and would be nonpositive on the next state (or
    /// the least violating one). The mass outside a prefix, 1 − P, is taken as
    /// `totalMass − P` (summed in the same order, so it is exactly 0 for the full support):
    /// for tiny ρ the budget left for reshaping, ρ − (1 − P)/P, must not absorb rounding.
    static func bestPrefix(p: SparseDistribution, values: [Double], byRank: [Int], minimum vmin: Double,
                           radius: Double) -> Prefix {
        let k = p.indices.count
        var totalMass = 0.0
        for x in 0..<k { totalMass += p.probabilities[byRank[x]] }
        var mass = 0.0
        var mean = 0.0
        var m2 = 0.0
        var best: Prefix = (violation: Double.infinity, a: 0.0, shift: 0.0, mean: 0.0, count: 0)
        var x = 0
        while x < k {
            let pos = byRank[x]
            let u = values[p.indices[pos]] - vmin
            let w = p.probabilities[pos]
            let newMass = mass + w
            let delta = u - mean
            mean += delta * w / newMass
            m2 += w * delta * (u - mean)
            mass = newMass
            x += 1
            let uNext = x < k ? values[p.indices[byRank[x]]] - vmin : Double.infinity
            guard uNext > u, m2 > 0 else { continue }
            let tail = max(totalMass - mass, 0)
            let excess = radius - tail / mass
            guard excess >= 0 else { continue }
            let a = (excess / m2).squareRoot()
            let shift = tail / mass                 // a(η − V̄)
            let last = 1 + a * (mean - u) + shift   // q/p of the prefix's last state
            let next = uNext.isFinite ? 1 + a * (mean - uNext) + shift : -1
            let violation = max(0, -last) + max(0, next)
            if violation < best.violation {
                best = (violation, a, shift, mean, x)
                if violation == 0 { break }
            }
        }
        return best
    }

    /// The dual objective `η − λρ + Σ_i p_i ψ_λ(V_i − η)` (see the type's comment).
    static func dualObjective(p: SparseDistribution, values: [Double], radius: Double, lambda: Double, eta: Double) -> Double {
        var total = eta - lambda * radius
        for (i, pi) in zip(p.indices, p.probabilities) {
            let x = values[i] - eta
            if lambda == 0 {
                if x < 0 { return -.infinity }
            } else if x <= 2 * lambda {
                total += pi * (x - x * x / (4 * lambda))
            } else {
                total += pi * lambda
            }
        }
        return total
    }

    /// `Σ (q − p)²/p` for dense vectors (`∞` when `q ≪̸ p`).
    static func divergence(_ q: [Double], _ p: [Double]) -> Double {
        var total = 0.0
        for i in 0..<q.count {
            if p[i] == 0 {
                if q[i] > 0 { return .infinity }
                continue
            }
            let d = q[i] - p[i]
            total += d * d / p[i]
        }
        return total
    }
}
