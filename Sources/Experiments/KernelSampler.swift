import Ambiguity
import Foundation
import Randomness

/// Draws transition rows at random inside an ambiguity set `U = {q : D(q, p) ≤ ρ}`.
///
/// For a nominal row `p` (Docs/Experiments.md, "Random kernels"):
///
/// 1. a target distance `δ = u·ρ` with `u` uniform in `[0, 1)`;
/// 2. a direction `y`, uniform on the simplex of the allowed support (Dirichlet(1,…,1)
///    over all states, or over `supp(p)` for `kl`, `chi2` and `support: nominal`);
/// 3. the point `q = (1 − t)p + t·y` on the segment from `p` to `y`, with the
///    largest step `t ∈ [0, 1]` that the set's own distance allows for `δ`:
///    `t = δ / D(y, p)` for `tv`, `l1` and `linf` (their distance is homogeneous
///    along the segment), `t = √(δ / D(y, p))` for `chi2` (quadratic), bisection
///    for `kl` (convex and increasing along the segment), and for `wasserstein`
///    `t = δ / C` where `C` is the cost of an explicit transport plan from `p`
///    to `y` (keep `min(p_i, y_i)` in place, then ship surplus to deficit, the
///    cheapest pairs first): mixing that plan with the identity gives a plan from
///    `p` to `q` of cost `t·C = δ`, a certificate that `W_c(p, q) ≤ δ`.
///
/// Every returned row lies in `U`; for all sets but `wasserstein` this is also
/// checked with the set's distance, shrinking `t` if rounding pushed it out.
public struct KernelSampler: Sendable {
    /// The set (distance, support, weights, ground cost).
    public let set: AmbiguitySet
    /// The radius `ρ ≥ 0`.
    public let radius: Double

    /// A sampler for `set` with radius `radius`.
    ///
    /// - Throws: ``ExperimentError/invalidSetting(field:message:)`` (`radius`) when
    ///   the radius is not a finite number `≥ 0`.
    public init(set: AmbiguitySet, radius: Double) throws(ExperimentError) {
        guard radius.isFinite, radius >= 0 else {
            throw .invalidSetting(field: .radius, message: "\(radius), expected a finite number >= 0")
        }
        self.set = set
        self.radius = radius
    }

    /// `D(q, p)` as the set defines it, computed exactly: the Ambiguity module's
    /// `distance(_:from:)`, and for `wasserstein` the optimal transport cost
    /// (``Transport/minimumCost(from:to:cost:)``). `q` off the allowed support
    /// gives `+∞`. `nil` when the lengths disagree or the set lacks its data.
    public func distance(_ q: [Double], from p: [Double]) -> Double? {
        guard q.count == p.count else { return nil }
        let restricted = set.kind == .kl || set.kind == .chi2 || set.support == .nominal
        if restricted, zip(q, p).contains(where: { $0.0 > 0 && $0.1 == 0 }) { return .infinity }
        if set.kind == .wasserstein {
            guard let cost = set.cost else { return nil }
            return Transport.minimumCost(from: p, to: q, cost: cost)
        }
        return set.distance(q, from: p)
    }

    /// One random row of `U` around the nominal row `p` (dense, a probability vector).
    public func sample(nominal p: [Double], using rng: inout SplitMix64) -> [Double] {
        let n = p.count
        let u = rng.unit()
        guard radius > 0, set.kind != .none, n > 1 else { return p }
        let restricted = set.kind == .kl || set.kind == .chi2 || set.support == .nominal
        let allowed = restricted ? (0..<n).filter { p[$0] > 0 } : Array(0..<n)
        let direction = rng.dirichlet(count: allowed.count)
        guard direction.allSatisfy(\.isFinite) else { return p }
        var y = [Double](repeating: 0, count: n)
        for (i, x) in zip(allowed, direction) { y[i] = x }
        let delta = u * radius
        let t: Double
        switch set.kind {
        case .none:
            return p
        case .tv, .l1, .linf:
            let d = set.distance(y, from: p) ?? .infinity
            t = d <= delta ? 1 : delta / d
        case .chi2:
            let d = set.distance(y, from: p) ?? .infinity
            t = d <= delta ? 1 : (delta / d).squareRoot()
        case .kl:
            if (set.distance(y, from: p) ?? .infinity) <= delta {
                t = 1
            } else {
                var lo = 0.0, hi = 1.0
                for _ in 0..<80 {
                    let mid = 0.5 * (lo + hi)
                    if (set.distance(Self.mix(p, y, mid), from: p) ?? .infinity) <= delta { lo = mid } else { hi = mid }
                }
                t = lo
            }
        case .wasserstein:
            guard let cost = set.cost else { return p }
            let c = Self.greedyPlanCost(from: p, to: y, cost: cost)
            t = c <= delta ? 1 : delta / c
        }
        var step = t
        var q = Self.mix(p, y, step)
        if set.kind != .wasserstein {
            // Rounding can put q a hair outside the ball: shrink until the set's own distance accepts it.
            var tries = 0
            while (set.distance(q, from: p) ?? .infinity) > radius, tries < 200 {
                step *= 0.5
                q = Self.mix(p, y, step)
                tries += 1
            }
            if tries == 200 { return p }
        }
        return q
    }

    /// One random kernel: a row drawn by ``sample(nominal:using:)`` for every nominal row.
    public func sample(kernels: [SparseDistribution], stateCount: Int, using rng: inout SplitMix64) -> [SparseDistribution] {
        kernels.map { row in SparseDistribution(dense: sample(nominal: row.dense(count: stateCount), using: &rng)) }
    }

    static func mix(_ p: [Double], _ y: [Double], _ t: Double) -> [Double] {
        var q = [Double](repeating: 0, count: p.count)
        for i in p.indices { q[i] = max(0, (1 - t) * p[i] + t * y[i]) }
        return q
    }

    /// The cost of a feasible transport plan from `p` to `y`: `min(p_i, y_i)` stays,
    /// the surpluses `(p − y)_+` are shipped to the deficits `(y − p)_+`, cheapest pairs
    /// first. An upper bound on `W_c(p, y)`.
    static func greedyPlanCost(from p: [Double], to y: [Double], cost: GroundCost) -> Double {
        var surplus: [(Int, Double)] = [], deficit: [(Int, Double)] = []
        for i in p.indices {
            if p[i] > y[i] { surplus.append((i, p[i] - y[i])) } else if y[i] > p[i] { deficit.append((i, y[i] - p[i])) }
        }
        var pairs: [(Double, Int, Int)] = []
        pairs.reserveCapacity(surplus.count * deficit.count)
        for (a, s) in surplus.enumerated() {
            for (b, d) in deficit.enumerated() { pairs.append((cost[s.0, d.0], a, b)) }
        }
        pairs.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var total = 0.0
        for (c, a, b) in pairs {
            let f = min(surplus[a].1, deficit[b].1)
            guard f > 0 else { continue }
            total += c * f
            surplus[a].1 -= f
            deficit[b].1 -= f
        }
        // Whatever rounding left unshipped is charged at the largest cost, keeping the bound valid.
        let left = surplus.reduce(0) { $0 + max($1.1, 0) }
        if left > 0 { total += left * (cost.entries.max() ?? 0) }
        return total
    }
}
