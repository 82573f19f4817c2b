/// L∞ ball `U = {q ∈ Δ(A) : max_i |q_i − p_i| ≤ ρ}`, `A` the allowed support.
///
/// **Form.** A box intersected with the simplex: `ℓ_i ≤ q_i ≤ u_i`, `Σ q = 1`,
/// with `ℓ_i = max(0, p_i − ρ)`, `u_i = min(1, p_i + ρ)` on `A` (off `supp(p)`
/// with `support: simplex`: `[0, min(1, ρ)]`) and `q_i = 0` off `A`.
///
/// **Dual** (LP duality for a bounded simplex; Nilim and El Ghaoui 2005):
/// `σ = max_η η + Σ_{i∈A} [ℓ_i (V_i − η)_+ − u_i (η − V_i)_+]`; every `η` gives
/// a lower bound.
///
/// **Closed form (water filling).** Start from `q = ℓ` and pour the free mass
/// `1 − Σ ℓ` into the allowed states in the order `(V_t, t)` ascending, each up
/// to `u_i`. The dual optimum is `η` = the value of the last state that
/// received mass.
///
/// **Complexity.** `O(k log k)` for `k` non-zeros: the free mass is at most
/// `Σ_i min(p_i, ρ) ≤ kρ`, so at most `k` states off `supp(p)` are visited
/// (each absorbs `min(1, ρ)`), each with an `O(log k)` support lookup.
///
/// **Certificate.** `q` lies in the box and sums to one; with `η` the marginal
/// value, states below `η` sit at `u`, states above at `ℓ`, so the dual
/// objective equals `q·V`.
enum LInfinity {
    static func solve(p: SparseDistribution, v: SortedValues, radius: Double,
                      support: SupportRestriction, build: Bool) -> RowSolution {
        let k = p.indices.count
        let values = v.values
        if radius <= 0 {
            let eta = values[p.indices[p.lowestRankPosition(v)]]
            return RowSolution(value: p.dot(values), distribution: build ? p : SparseDistribution(indices: [], probabilities: []),
                               dual: DualPoint(eta: eta), distance: 0)
        }
        var fill = Filling(p: p, radius: radius, lowest: values[p.indices[p.lowestRankPosition(v)]])
        switch support {
        case .simplex:
            var r = 0
            while fill.free > 0, r < v.order.count {
                let j = v.order[r]
                fill.pour(j, p.position(of: j), p: p, radius: radius, values: values)
                r += 1
            }
        case .nominal:
            let byRank = p.positionsByRank(v)
            var x = 0
            while fill.free > 0, x < k {
                fill.pour(p.indices[byRank[x]], byRank[x], p: p, radius: radius, values: values)
                x += 1
            }
        }
        let (q, extra, eta) = (fill.q, fill.extra, fill.eta)
        var value = 0.0
        var distance = 0.0
        for pos in 0..<k {
            value += q[pos] * values[p.indices[pos]]
            distance = max(distance, abs(q[pos] - p.probabilities[pos]))
        }
        for (j, m) in extra {
            value += m * values[j]
            distance = max(distance, m)
        }
        let dual = DualPoint(eta: eta)
        guard build else {
            return RowSolution(value: value, distribution: SparseDistribution(indices: [], probabilities: []), dual: dual, distance: distance)
        }
        var pairs = extra
        pairs.reserveCapacity(k + extra.count)
        for pos in 0..<k { pairs.append((p.indices[pos], q[pos])) }
        return RowSolution(value: value, distribution: .collecting(&pairs), dual: dual, distance: distance)
    }

    /// The box `[max(0, p_i − ρ), min(1, p_i + ρ)]` filled from its lower corner: the free
    /// mass `1 − Σ ℓ_i` is poured into states in rank order up to their upper bounds.
    struct Filling {
        /// `q` on `supp(p)`.
        var q: [Double]
        /// Mass poured outside `supp(p)` (`support: simplex`).
        var extra: [(state: Int, mass: Double)] = []
        /// The mass still to pour.
        var free: Double
        /// The value of the last state poured into (the marginal value).
        var eta: Double

        init(p: SparseDistribution, radius: Double, lowest: Double) {
            let k = p.indices.count
            q = [Double](repeating: 0, count: k)
            var lower = 0.0
            for pos in 0..<k {
                q[pos] = max(0, p.probabilities[pos] - radius)
                lower += q[pos]
            }
            free = 1 - lower
            eta = lowest
        }

        /// Pours into state `j` (support position `pos`, or `nil` outside the support).
        @inline(__always)
        mutating func pour(_ j: Int, _ pos: Int?, p: SparseDistribution, radius: Double, values: [Double]) {
            let add: Double
            if let pos {
                let cap = min(1, p.probabilities[pos] + radius) - q[pos]
                add = min(cap, free)
                q[pos] += add
            } else {
                add = min(min(1, radius), free)
                extra.append((j, add))
            }
            free -= add
            eta = values[j]
        }
    }

    /// The dual objective `η + Σ_{i∈A} [ℓ_i (V_i − η)_+ − u_i (η − V_i)_+]`, dense. `O(n)`.
    static func dualObjective(p: [Double], values: [Double], radius: Double, support: SupportRestriction, eta: Double) -> Double {
        var total = eta
        for i in 0..<p.count {
            if support == .nominal, p[i] == 0 { continue }
            let lo = max(0, p[i] - radius)
            let hi = min(1, p[i] + radius)
            total += lo * max(values[i] - eta, 0) - hi * max(eta - values[i], 0)
        }
        return total
    }
}
