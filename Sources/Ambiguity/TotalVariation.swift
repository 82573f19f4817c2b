/// Total variation ball `{q ∈ Δ : ½ Σ_i |q_i − p_i| ≤ ρ}`.
///
/// Closed form (Iyengar 2005; Ho, Petrik and Wiesemann 2018): order states by
/// `(V_t, t)` ascending. Let `i*` be the first allowed state (the global first
/// with `support: simplex`, the first in `supp(p)` with `support: nominal`).
/// Move `δ = min(ρ, 1 − p_{i*})` of mass to `i*`, taking it from the states of
/// `supp(p)` with the highest rank first. `O(k log k)` for a row with `k`
/// non-zeros given the shared order of `V`.
enum TotalVariation {
    /// The target state `i*`.
    @inline(__always)
    static func target(p: SparseDistribution, v: SortedValues, support: SupportRestriction) -> Int {
        switch support {
        case .simplex:
            return v.order[0]
        case .nominal:
            var best = p.indices[0]
            for i in p.indices where v.rank[i] < v.rank[best] { best = i }
            return best
        }
    }

    /// Support positions sorted by rank, highest first.
    @inline(__always)
    static func removalOrder(p: SparseDistribution, v: SortedValues) -> [Int] {
        p.indices.indices.sorted { v.rank[p.indices[$0]] > v.rank[p.indices[$1]] }
    }

    static func value(p: SparseDistribution, v: SortedValues, radius: Double, support: SupportRestriction) -> Double {
        distribution(p: p, v: v, radius: radius, support: support).value
    }

    static func distribution(p: SparseDistribution, v: SortedValues, radius: Double, support: SupportRestriction) -> (value: Double, distribution: SparseDistribution) {
        let istar = target(p: p, v: v, support: support)
        var dense: [(Int, Double)] = zip(p.indices, p.probabilities).map { ($0, $1) }
        var pStar = 0.0
        if let k = p.indices.firstIndex(of: istar) { pStar = p.probabilities[k] }
        var remaining = min(radius, 1 - pStar)
        if remaining > 0 {
            for k in removalOrder(p: p, v: v) {
                if remaining <= 0 { break }
                if p.indices[k] == istar { continue }
                let take = min(remaining, dense[k].1)
                dense[k].1 -= take
                remaining -= take
            }
            let moved = min(radius, 1 - pStar) - max(remaining, 0)
            if let k = p.indices.firstIndex(of: istar) {
                dense[k].1 += moved
            } else {
                dense.append((istar, moved))
                dense.sort { $0.0 < $1.0 }
            }
        }
        var idx: [Int] = []
        var pr: [Double] = []
        var value = 0.0
        for (i, q) in dense where q > 0 {
            idx.append(i)
            pr.append(q)
            value += q * v.values[i]
        }
        return (value, SparseDistribution(indices: idx, probabilities: pr))
    }
}
