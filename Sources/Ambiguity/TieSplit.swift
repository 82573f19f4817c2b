// `ambiguity.ties: split` (Docs/AmbiguitySets.md, "Ties"): a post-processing of the
// optimal `q` of a separable set (tv, l1, linf) that spreads mass symmetrically
// within each class of tied values. σ does not change.

/// The symmetric redistribution of ``TieRule/split``.
///
/// **Classes.** Under `support: simplex` the states are taken in the order of
/// ``SortedValues``; a class is a maximal run whose consecutive values differ by at
/// most ``TieTolerance/tolerance(scale:)`` (single linkage). Under `nominal` the same
/// runs are formed among `supp(p)` only. For weighted `l1` a class is further split
/// by equal weight.
///
/// **Rule.** A class `T` keeps the total `Q_T = Σ_T q_t` of the optimal `q` and gets
/// the Euclidean projection of `p_T` on `{x ≥ 0, Σ x = Q_T}`: `x_t = max(0, p_t + c)`
/// with one `c` per class. Every member gains the same `c ≥ 0`, or loses
/// `min(p_t, −c)`. Values within a class tie, so `q·V` moves by at most
/// `Q_T · (spread of T)`; for a separable distance `Σ_t f(|q_t − p_t|)` (tv, l1 within
/// equal weights, linf) the projection does not increase it, so `q` stays feasible
/// and optimal. Off-support members of a gaining class (allowed under `simplex`)
/// receive `c` too.
enum TieSplit {
    /// The split distribution of `q`, the optimal distribution of `p` against `v`
    /// (working values), and its distance from `p` under `kind`; `nil` when no state of
    /// `supp(p) ∪ supp(q)` ties with another (then `q` is already symmetric).
    static func apply(q: SparseDistribution, p: SparseDistribution, v: SortedValues, support: SupportRestriction,
                      kind: AmbiguityKind, weights: [Double]?) -> (distribution: SparseDistribution, distance: Double)? {
        let n = v.values.count
        guard n > 1 else { return nil }
        let tol = TieTolerance.tolerance(scale: max(abs(v.values[v.order[0]]), abs(v.values[v.order[n - 1]])))
        // Most rows have no tie at all: a state of supp(p) ∪ supp(q) ties with another state
        // only if it ties with a neighbour in the order of V (the order is sorted).
        guard hasTiedNeighbour(p.indices, v: v, tolerance: tol) || hasTiedNeighbour(q.indices, v: v, tolerance: tol) else {
            return nil
        }
        var mass: [Int: (p: Double, q: Double)] = [:]
        for (t, x) in zip(p.indices, p.probabilities) { mass[t, default: (0, 0)].p += x }
        for (t, x) in zip(q.indices, q.probabilities) { mass[t, default: (0, 0)].q += x }
        for run in runs(of: Array(mass.keys), v: v, support: support, tolerance: tol) {
            for members in split(run, byWeight: kind == .l1 ? weights : nil) where members.count > 1 {
                project(members, mass: &mass)
            }
        }
        let keys = mass.keys.sorted()
        var out = SparseDistribution(indices: [], probabilities: [])
        for t in keys where mass[t, default: (0, 0)].q > 0 {
            out.indices.append(t)
            out.probabilities.append(mass[t, default: (0, 0)].q)
        }
        return (out, distance(out, p, kind: kind, weights: weights))
    }

    /// Whether a state of `states` ties with a neighbour in the order of `v`.
    static func hasTiedNeighbour(_ states: [Int], v: SortedValues, tolerance tol: Double) -> Bool {
        let values = v.values, n = values.count
        for t in states {
            let r = v.rank[t]
            if r > 0, values[t] - values[v.order[r - 1]] <= tol { return true }
            if r + 1 < n, values[v.order[r + 1]] - values[t] <= tol { return true }
        }
        return false
    }

    /// The tie runs that contain the given states: every member of each run (all
    /// states of the run under `simplex`, its `supp(p)` states under `nominal`, where
    /// `states` is a superset of `supp(p)`).
    static func runs(of states: [Int], v: SortedValues, support: SupportRestriction, tolerance tol: Double) -> [[Int]] {
        let values = v.values
        switch support {
        case .nominal:
            let sorted = states.sorted { v.rank[$0] < v.rank[$1] }
            var out: [[Int]] = []
            for t in sorted {
                if let last = out.last?.last, values[t] - values[last] <= tol {
                    out[out.count - 1].append(t)
                } else {
                    out.append([t])
                }
            }
            return out
        case .simplex:
            let ranks = states.map { v.rank[$0] }.sorted()
            var out: [[Int]] = []
            var covered = -1
            for r in ranks where r > covered {
                var lo = r, hi = r
                while lo > 0, values[v.order[lo]] - values[v.order[lo - 1]] <= tol { lo -= 1 }
                while hi + 1 < values.count, values[v.order[hi + 1]] - values[v.order[hi]] <= tol { hi += 1 }
                out.append((lo...hi).map { v.order[$0] })
                covered = hi
            }
            return out
        }
    }

    /// `run` split into groups of equal weight (one group without weights).
    static func split(_ run: [Int], byWeight weights: [Double]?) -> [[Int]] {
        guard let weights, run.count > 1 else { return [run] }
        var groups: [Double: [Int]] = [:]
        for t in run { groups[weights[t], default: []].append(t) }
        return groups.keys.sorted().compactMap { groups[$0] }
    }

    /// Replaces the `q` of `members` by the projection of their `p` on
    /// `{x ≥ 0, Σ x = Σ q}`.
    static func project(_ members: [Int], mass: inout [Int: (p: Double, q: Double)]) {
        var total = 0.0, nominal = 0.0
        for t in members {
            total += mass[t, default: (0, 0)].q
            nominal += mass[t, default: (0, 0)].p
        }
        let c: Double
        if total >= nominal {
            c = (total - nominal) / Double(members.count)
        } else {
            // Water filling: θ with Σ max(0, p_t − θ) = total, over the positive p_t.
            let ps = members.map { mass[$0, default: (0, 0)].p }.filter { $0 > 0 }.sorted(by: >)
            var prefix = 0.0
            var theta = 0.0
            for (k, x) in ps.enumerated() {
                prefix += x
                let candidate = (prefix - total) / Double(k + 1)
                if k + 1 == ps.count || ps[k + 1] <= candidate {
                    theta = candidate
                    break
                }
            }
            c = -theta
        }
        for t in members {
            let p = mass[t, default: (0, 0)].p
            mass[t, default: (0, 0)].q = max(0, p + c)
        }
    }

    /// `D(q, p)` of the separable sets, over the union of the supports.
    static func distance(_ q: SparseDistribution, _ p: SparseDistribution, kind: AmbiguityKind, weights: [Double]?) -> Double {
        var diff: [Int: Double] = [:]
        for (t, x) in zip(q.indices, q.probabilities) { diff[t, default: 0] += x }
        for (t, x) in zip(p.indices, p.probabilities) { diff[t, default: 0] -= x }
        switch kind {
        case .linf:
            return diff.values.reduce(0) { max($0, abs($1)) }
        case .l1:
            return diff.reduce(0) { $0 + (weights?[$1.key] ?? 1) * abs($1.value) }
        default:
            return 0.5 * diff.values.reduce(0) { $0 + abs($1) }
        }
    }
}
