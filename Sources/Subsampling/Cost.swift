import Foundation

/// An a-priori estimate of the work of ``GapStudy/run(game:observed:progress:)``, computed
/// from the sizes alone, before anything is solved.
///
/// The unit is one elementary step of the exact computations (one population-kernel entry
/// visited in a value-iteration sweep or built by the multinomial convolution, one
/// hypergeometric weight, a fraction of one simulated step). The estimate is an upper bound up to
/// constants: every run is assumed to use its whole round budget, and the next-histogram
/// support of a histogram `h` of `m` agents is bounded by
/// `min(H(m), Π_j C(h_j + r_j − 1, r_j − 1))`, where `H(m)` counts the histograms and `r_j`
/// is the most successor states a local state `j` has under any global state and action.
/// `rmfg alternating` refuses a run above ``maximumOperations`` (Docs/Alternating.md).
package struct AlternatingWorkEstimate: Sendable, Hashable {
    /// The estimated number of elementary steps.
    package let operations: Double
    /// The part of ``operations`` spent simulating episodes for Q-learning
    /// (`rounds · episodes · horizon · (30 + k·(|S_l| + 4) + |S_g| + |A_g| + 2|S_l|)` summed over k).
    package let learningOperations: Double
    /// The entries of the `n`-agent population kernel (bound): `|S_g| · Σ_h support(h)`.
    package let kernelEntries: Double
    /// The value-iteration sweeps assumed per exact solve.
    package let sweeps: Int

    /// The largest estimate `rmfg alternating` runs: `2e11` steps. A release build was measured
    /// at 1.8e8 to 6.8e8 estimated steps per second on the bundled examples, so the cap is a run of
    /// roughly 5 to 20 minutes (Docs/Alternating.md has the measurements).
    package static let maximumOperations = 2e11

    /// The estimate for `game`, the observed counts `observed` and `seeds` learning seeds
    /// (each extra seed re-runs learning and the Nash gaps; counted as a whole study, an
    /// over-estimate since planning is not re-run).
    package static func estimate(game: AlternatingGame, observed: [Int], seeds: Int = 1) -> AlternatingWorkEstimate {
        let n = game.agents, g = Double(game.globalStateCount), l = game.localStateCount
        let gamma = game.discount, settings = game.learning
        let successors = successorCounts(game)
        var entriesCache: [Int: Double] = [:]
        // |S_g| · Σ_h support(h) for m agents.
        func entries(_ m: Int) -> Double {
            if let known = entriesCache[m] { return known }
            let space = HistogramSpace(agents: max(m, 0), states: l)
            let h = Double(space.count)
            var total = 0.0
            for counts in space.histograms {
                var bound = 1.0
                for j in 0..<l where counts[j] > 0 && successors[j] > 1 {
                    bound *= binomial(counts[j] + successors[j] - 1, successors[j] - 1)
                    if bound >= h { break }
                }
                total += min(bound, h)
            }
            entriesCache[m] = g * total
            return g * total
        }
        func histograms(_ m: Int) -> Double { Double(HistogramSpace.count(agents: max(m, 0), states: l)) }
        let sweeps = sweepCount(game)
        let s = Double(sweeps)
        // Building a kernel: m convolution steps over at most support(h) keys, each to r_max states.
        let rMax = Double(successors.max() ?? 1)
        func build(_ m: Int) -> Double { Double(m) * rMax * entries(m) }
        let lDouble = Double(l)
        let rounds = Double(settings.rounds)
        let horizon = Double(settings.effectiveHorizon(discount: gamma))
        let localBestResponse = build(n) + s * entries(n)
        let nashGap = build(n) + 2 * s * g * entries(n) + build(n - 1) + 2 * s * g * lDouble * entries(n - 1)
        var total = 0.0, learning = 0.0
        for k in observed {
            let weights = histograms(n) * histograms(k)
            let planning = build(k) + s * g * entries(k)
            // One simulated step: about k·(|S_l| + 4) for the local draws and the reward, plus
            // the global draw, the greedy action, the histogram lookup and the update.
            let step = 30 + Double(k) * (lDouble + 4) + g + Double(game.globalActionCount) + 2 * lDouble
            let episodes = Double(settings.episodes) * horizon * step
            learning += rounds * episodes
            total += rounds * (episodes + planning + 2 * (localBestResponse + weights))
            total += planning + 2 * (nashGap + weights)
        }
        let copies = Double(max(seeds, 1))
        return AlternatingWorkEstimate(operations: copies * total, learningOperations: copies * learning,
                                       kernelEntries: entries(n), sweeps: sweeps)
    }

    /// The successor counts `r_j`: for each local state the largest number of positive
    /// entries in its transition rows, over global states and actions (at least 1).
    static func successorCounts(_ game: AlternatingGame) -> [Int] {
        let l = game.localStateCount
        var successors = [Int](repeating: 1, count: l)
        for sg in 0..<game.globalStateCount {
            for j in 0..<l {
                for row in game.localTransition[sg][j] {
                    successors[j] = max(successors[j], row.filter { $0 > 0 }.count)
                }
            }
        }
        return successors
    }

    /// The sweeps to reach the stopping rule from values of order `(1 + |r|)/(1 − γ)`.
    static func sweepCount(_ game: AlternatingGame) -> Int {
        let gamma = game.discount, settings = game.learning
        let range = game.rewardRange
        let scale = (1 + max(abs(range.min), abs(range.max))) / max(1 - gamma, 1e-12)
        let stop = settings.tolerance * (1 - gamma) / max(gamma, 1e-300)
        // Clamped in Double first: an overflowing scale or an underflowing stop makes the
        // quotient infinite or NaN, which Int(_:) would trap on.
        let raw = (log(stop / scale) / log(gamma)).rounded(.up) + 1
        return gamma <= 0 ? 1 : (raw.isFinite ? Int(min(1_000_000, max(1, raw))) : 1_000_000)
    }

    static func binomial(_ a: Int, _ b: Int) -> Double {
        guard b > 0, a > b else { return 1 }
        var c = 1.0
        for i in 1...b { c = c * Double(a - b + i) / Double(i) }
        return c
    }
}
