// Samplers shared by every seeded computation: Dirichlet(1, …, 1) rows and
// categorical draws by inversion.

import Foundation

extension SplitMix64 {
    /// A Dirichlet(1, …, 1) draw of length `count` (uniform on the probability simplex):
    /// `count` exponential(1) variables `−log(1 − u)`, `u` from ``unit()``, divided by their
    /// sum. Consumes exactly `count` numbers; empty for `count ≤ 0`.
    public mutating func dirichlet(count: Int) -> [Double] {
        guard count > 0 else { return [] }
        var x = [Double](repeating: 0, count: count)
        var sum = 0.0
        for i in 0..<count {
            let e = -log1p(-unit())
            x[i] = e
            sum += e
        }
        for i in 0..<count { x[i] /= sum }
        return x
    }
}

/// Categorical draws by inversion of the distribution function.
///
/// For weights `w ≥ 0` with partial sums `F(i) = w₀ + … + wᵢ` and a uniform `u ∈ [0, 1)`,
/// the draw is the smallest `i` with `wᵢ > 0` and `F(i) ≥ u·F(n−1)`, or the last index of
/// positive weight when rounding leaves none (and `0` when no weight is positive). The
/// draw is monotone in `u`, so coupled runs stay coupled (common random numbers).
public enum Categorical {
    /// The draw from the weights `w` (dense, not necessarily normalised) at `u`.
    public static func index(weights w: some Collection<Double>, uniform u: Double) -> Int {
        var total = 0.0
        for x in w { total += x }
        let target = u * total
        var c = 0.0
        var last = 0
        for (i, x) in w.enumerated() where x > 0 {
            c += x
            last = i
            if c >= target { return i }
        }
        return last
    }

    /// The same draw from precomputed partial sums `F` (``cumulative(_:)``).
    public static func index(cumulative f: [Double], uniform u: Double) -> Int {
        guard let total = f.last else { return 0 }
        let target = u * total
        var previous = 0.0
        var last = 0
        // Plain indices, no iterator: this is the inner loop of the Q-learner.
        var i = 0
        while i < f.count {
            let c = f[i]
            if c > previous {
                previous = c
                last = i
                if c >= target { return i }
            }
            i += 1
        }
        return last
    }

    /// The partial sums `F(i) = w₀ + … + wᵢ` of the positive weights (a non-positive weight
    /// adds nothing), for repeated draws with ``index(cumulative:uniform:)``.
    public static func cumulative(_ w: [Double]) -> [Double] {
        var acc = 0.0
        return w.map { x in
            if x > 0 { acc += x }
            return acc
        }
    }
}
