import Foundation
import Randomness

/// What the measured Nash gaps say about their decay in k (Docs/Alternating.md, "Rate").
///
/// The rules: a gap at most ``zeroThreshold`` (twice the value-iteration tolerance, the
/// accuracy of a difference of two values each within the tolerance of its fixed point) is
/// zero to the solver's accuracy and is left out of every fit; only `k` with `8k ≤ n` are
/// fitted (far from `k = n`, where the subsampling error vanishes identically); and a fit needs
/// at least ``minimumPoints`` such `k`. Otherwise ``shortfall`` says why there is no fit.
///
/// The exponent `p` of `gap ≈ c·k^(−p)` is the least-squares log–log slope of the mean gap
/// over seeds. Two 95% intervals measure two different uncertainties: a percentile bootstrap
/// over seeds (seeds resampled with replacement, ``bootstrapResamples`` times, with a fixed
/// generator seed so it replays; at least two seeds) measures the learning randomness, and the
/// regression interval measures how far the points are from a power law (planning is
/// deterministic, and the gap need not be monotone in k). The verdict uses the smallest interval
/// containing both (``exponentInterval``).
public struct RateEvidence: Sendable {
    /// The fewest `k` a fit uses.
    public static let minimumPoints = 6
    /// A fitted `k` must satisfy `agentsPerObserved · k ≤ n`.
    public static let agentsPerObserved = 8
    /// The exponent the seed paper's `Õ(1/√k)` rate corresponds to.
    public static let paperExponent = 0.5

    /// `n`.
    public let agents: Int
    /// The `k` measured, in the order given.
    public let observed: [Int]
    /// `gaps[j][i]`: the Nash gap at `observed[i]` for seed `j`.
    public let gaps: [[Double]]
    /// The mean gap over seeds at each `observed[i]`.
    public let meanGaps: [Double]
    /// Gaps at most this are zero to the solver's accuracy (`2 · tolerance`).
    public let zeroThreshold: Double
    /// The `k` the fits use (`8k ≤ n` and a mean gap above ``zeroThreshold``), ascending.
    public let fitted: [Int]
    /// Why there is no fit (`nil` when there is one).
    public let shortfall: String?
    /// `log gap ≈ c + slope·log k` on the fitted `k`; the exponent is `−slope`.
    public let logLog: LinearFit?
    /// The 95% percentile bootstrap interval of the exponent over seeds (at least two seeds).
    public let bootstrapInterval: ClosedRange<Double>?
    /// The number of bootstrap resamples drawn (0 without a bootstrap).
    public let bootstrapResamples: Int
    /// `gap ≈ a + b/√k` on the fitted `k`.
    public let inverseSquareRoot: LinearFit?
    /// `gap ≈ a + b/k` on the fitted `k`.
    public let inverse: LinearFit?

    /// `p` in `gap ≈ c·k^(−p)`, when there is a fit.
    public var exponent: Double? { logLog.map { -$0.slope } }

    /// The regression's 95% interval of ``exponent``.
    public var regressionInterval: ClosedRange<Double>? {
        guard let i = logLog?.slopeInterval else { return nil }
        return (-i.upperBound)...(-i.lowerBound)
    }

    /// The interval of ``exponent`` used for the verdict: the smallest one containing the
    /// regression interval and, with at least two seeds, the bootstrap interval.
    public var exponentInterval: ClosedRange<Double>? {
        guard let r = regressionInterval else { return bootstrapInterval }
        guard let b = bootstrapInterval else { return r }
        return min(r.lowerBound, b.lowerBound)...max(r.upperBound, b.upperBound)
    }

    /// Which rate the data support, in words.
    public var verdict: String {
        if let shortfall { return shortfall }
        guard let p = exponent, let ci = exponentInterval else { return "no fit" }
        let half = Self.paperExponent
        let which: String
        if ci.contains(half), ci.lowerBound <= 0 {
            which = "inconclusive (the interval contains both 0, no decay, and 1/2)"
        } else if ci.contains(half) {
            which = "consistent with k^-1/2, the Õ(1/√k) rate of the paper"
        } else if ci.lowerBound > half {
            which = "faster than k^-1/2 (the paper's Õ(1/√k) is an upper rate; these data do not show it is attained)"
        } else {
            which = ci.upperBound < 0 ? "the gap grows with k (the interval lies below 0)" : "slower than k^-1/2 (the interval lies below 1/2)"
        }
        var text = "exponent \(Self.short(p)), 95% interval [\(Self.short(ci.lowerBound)), \(Self.short(ci.upperBound))] (" +
            (bootstrapInterval.map { "regression ∪ bootstrap over \(gaps.count) seeds [\(Self.short($0.lowerBound)), \(Self.short($0.upperBound))]" } ?? "regression, \(gaps.count) seed\(gaps.count == 1 ? "" : "s")") +
            "): \(which)"
        if let s = inverseSquareRoot, let i = inverse {
            let better = i.rSquared > s.rSquared ? "a + b/k" : "a + b/√k"
            text += "; \(better) fits better (R² \(Self.short(i.rSquared)) for a + b/k, \(Self.short(s.rSquared)) for a + b/√k)"
        }
        return text
    }

    static func short(_ x: Double) -> String { String(format: "%.3g", x) }

    /// Analyses the gaps.
    ///
    /// - Parameters:
    ///   - agents: `n`.
    ///   - observed: the `k` measured.
    ///   - gaps: one row per seed, one entry per `observed[i]` (rows of another length are ignored).
    ///   - tolerance: the value-iteration tolerance the gaps were computed with.
    ///   - resamples: bootstrap resamples (at least 100 are needed for an interval).
    ///   - seed: the bootstrap generator's seed.
    public init(agents: Int, observed: [Int], gaps: [[Double]], tolerance: Double,
                resamples: Int = 2000, seed: UInt64 = 1) {
        self.agents = agents
        self.observed = observed
        let rows = gaps.filter { $0.count == observed.count }
        self.gaps = rows
        let zero = 2 * tolerance
        zeroThreshold = zero
        let means = observed.indices.map { i in rows.isEmpty ? 0 : rows.reduce(0) { $0 + $1[i] } / Double(rows.count) }
        meanGaps = means
        let inRange = observed.indices.filter { Self.agentsPerObserved * observed[$0] <= agents }
        let use = inRange.filter { means[$0] > zero }.sorted { observed[$0] < observed[$1] }
        fitted = use.map { observed[$0] }
        let need = Self.minimumPoints
        guard !rows.isEmpty, Set(fitted).count >= need else {
            shortfall = "not enough points: \(Set(fitted).count) k with 8k <= n = \(agents) and a gap above \(Self.short(zero)) (2 × the solver tolerance), need \(need)" +
                (inRange.count > use.count ? " (\(inRange.count - use.count) such k have a gap that is zero to the solver's accuracy)" : "")
            logLog = nil; bootstrapInterval = nil; bootstrapResamples = 0; inverseSquareRoot = nil; inverse = nil
            return
        }
        shortfall = nil
        let ks = use.map { Double(observed[$0]) }
        let ys = use.map { means[$0] }
        logLog = LinearFit.fit(x: ks.map { log($0) }, y: ys.map { log($0) })
        inverseSquareRoot = LinearFit.fit(x: ks.map { 1 / $0.squareRoot() }, y: ys)
        inverse = LinearFit.fit(x: ks.map { 1 / $0 }, y: ys)
        guard rows.count >= 2, resamples >= 100 else {
            bootstrapInterval = nil; bootstrapResamples = 0
            return
        }
        var rng = SplitMix64(seed: seed)
        var exponents: [Double] = []
        exponents.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sums = [Double](repeating: 0, count: use.count)
            for _ in rows.indices {
                let row = rows[Int(rng.next() % UInt64(rows.count))]
                for (j, i) in use.enumerated() { sums[j] += row[i] }
            }
            let y = sums.map { $0 / Double(rows.count) }
            // A resample whose mean is zero to the solver's accuracy at some k has no log–log line.
            guard y.allSatisfy({ $0 > zero }), let line = LinearFit.fit(x: ks.map { log($0) }, y: y.map { log($0) }) else { continue }
            exponents.append(-line.slope)
        }
        bootstrapResamples = resamples
        // Resamples without a line would make a percentile interval meaningless; require 99% of them.
        guard exponents.count * 100 >= resamples * 99 else {
            bootstrapInterval = nil
            return
        }
        exponents.sort()
        let lo = exponents[Int((Double(exponents.count - 1) * 0.025).rounded(.down))]
        let hi = exponents[Int((Double(exponents.count - 1) * 0.975).rounded(.up))]
        bootstrapInterval = lo...hi
    }
}

extension GapStudy {
    /// The Nash gaps of ALTERNATING-MARL with learning, one row per seed and one entry per k
    /// (the learning seed replaced by each of `seeds`; everything else as in ``run(game:observed:progress:)``).
    ///
    /// - Throws: ``AlternatingGameError`` for a k outside `1...n` (field `observed`).
    public static func learnedGaps(game: AlternatingGame, observed: [Int], seeds: [UInt64]) throws(AlternatingGameError) -> [[Double]] {
        for k in observed where !(1...game.agents).contains(k) {
            throw AlternatingGameError(.observed, "found \(k), expected a whole number in 1...\(game.agents) (at most agents)")
        }
        return seeds.map { seed in
            var g = game
            g.learning.seed = seed
            return observed.map { k in
                let run = AlternatingMARL.run(game: g, observed: k, update: .learning)
                return NashGap.evaluate(game: g, global: run.global, local: run.local).nash
            }
        }
    }
}
