// Small internal helpers shared by the fast inner-problem routines.

/// A point of a set's dual problem, filled by the fast routines so that the
/// certified API can report the multipliers and evaluate the dual objective.
/// Only the fields that belong to the set's dual are meaningful.
struct DualPoint: Sendable {
    /// The multiplier of the distance constraint `D(q, p) ≤ ρ` (tv, l1,
    /// wasserstein, chi2).
    var lambda: Double = 0
    /// The multiplier of `Σ q = 1` (tv, l1, linf, chi2).
    var eta: Double = 0
    /// The KL temperature `β ≥ 0` (`β = 0` is the saturated limit).
    var beta: Double = 0

    /// Every field times `2^e` (all are in units of `V`).
    func scaled(exponent e: Int) -> DualPoint {
        DualPoint(lambda: Double(sign: .plus, exponent: e, significand: lambda),
                  eta: Double(sign: .plus, exponent: e, significand: eta),
                  beta: Double(sign: .plus, exponent: e, significand: beta))
    }
}

/// The result of one row's inner problem in the fast path.
struct RowSolution: Sendable {
    /// `σ = q·V`.
    var value: Double
    /// The worst-case `q` when requested, otherwise empty.
    var distribution: SparseDistribution
    /// A dual point certifying `value`.
    var dual: DualPoint
    /// `D(q, p)` of the returned `q` (for wasserstein: the cost of the transport
    /// plan the routine built, an upper bound on `W(p, q)`).
    var distance: Double
}

extension SparseDistribution {
    /// Positions `0..<k` of the support sorted by the rank of their state in
    /// `v` (ascending: lowest `(V_t, t)` first). `O(k log k)`.
    @inline(__always)
    func positionsByRank(_ v: SortedValues) -> [Int] {
        let k = indices.count
        var keys = [Int](repeating: 0, count: k)
        for pos in 0..<k { keys[pos] = v.rank[indices[pos]] &* k &+ pos }
        keys.sort()
        for x in 0..<k { keys[x] = keys[x] % k }
        return keys
    }

    /// The position of `state` in `indices`, or `nil`. `O(log k)`.
    @inline(__always)
    func position(of state: Int) -> Int? {
        var lo = 0
        var hi = indices.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            let x = indices[mid]
            if x == state { return mid }
            if x < state { lo = mid &+ 1 } else { hi = mid }
        }
        return nil
    }

    /// The support position of the lowest-ranked state. `O(k)`.
    @inline(__always)
    func lowestRankPosition(_ v: SortedValues) -> Int {
        var best = 0
        for pos in 1..<max(indices.count, 1) where v.rank[indices[pos]] < v.rank[indices[best]] { best = pos }
        return best
    }

    /// Builds a distribution from unsorted `(state, mass)` pairs: sorts by state,
    /// merges duplicates and drops non-positive masses.
    static func collecting(_ pairs: inout [(state: Int, mass: Double)]) -> SparseDistribution {
        var (idx, pr) = summingDuplicates(&pairs)
        var keep = 0
        for x in 0..<idx.count where pr[x] > 0 {
            idx[keep] = idx[x]
            pr[keep] = pr[x]
            keep += 1
        }
        idx.removeLast(idx.count - keep)
        pr.removeLast(pr.count - keep)
        return SparseDistribution(indices: idx, probabilities: pr)
    }

    /// Sorts `pairs` by state (a stable sort, skipped when they are already increasing) and
    /// adds the masses of equal states in that order: the distinct states, increasing, and
    /// their masses (non-positive ones kept).
    package static func summingDuplicates(
        _ pairs: inout [(state: Int, mass: Double)]
    ) -> (indices: [Int], masses: [Double]) {
        if !pairs.indices.dropFirst().allSatisfy({ pairs[$0 - 1].state < pairs[$0].state }) {
            pairs.sort { $0.state < $1.state }
        }
        var indices: [Int] = []
        var masses: [Double] = []
        indices.reserveCapacity(pairs.count)
        masses.reserveCapacity(pairs.count)
        for (s, m) in pairs {
            if let last = indices.last, last == s {
                masses[masses.count - 1] += m
            } else {
                indices.append(s)
                masses.append(m)
            }
        }
        return (indices, masses)
    }

    /// The same support with the given masses, dropping non-positive ones.
    func replacingProbabilities(_ q: [Double]) -> SparseDistribution {
        var idx: [Int] = []
        var pr: [Double] = []
        idx.reserveCapacity(q.count)
        pr.reserveCapacity(q.count)
        for pos in 0..<q.count where q[pos] > 0 {
            idx.append(indices[pos])
            pr.append(q[pos])
        }
        return SparseDistribution(indices: idx, probabilities: pr)
    }
}

extension SparseDistribution {
    /// The saturated worst case of the divergence balls (kl, chi2): `p` restricted
    /// to the states where `V` attains its minimum over `supp(p)` and renormalized
    /// by their mass `mass`. Returns `σ` and, when `build`, that distribution
    /// (else an empty one).
    func restrictedToMinimum(values: [Double], minimum vmin: Double, mass pStar: Double,
                             build: Bool) -> (value: Double, distribution: SparseDistribution) {
        let k = indices.count
        var value = 0.0
        var q = [Double](repeating: 0, count: build ? k : 0)
        for pos in 0..<k where values[indices[pos]] == vmin {
            let m = probabilities[pos] / pStar
            value += m * vmin
            if build { q[pos] = m }
        }
        return (value, build ? replacingProbabilities(q) : SparseDistribution(indices: [], probabilities: []))
    }
}
