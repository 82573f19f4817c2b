import Ambiguity
import Foundation
import MeanField
import Randomness

/// How nature moves the *tagged* agent (the deviator, or its non-deviating twin) when
/// its robust return is estimated by Monte Carlo (Docs/Population.md).
public enum TaggedNature: Sendable {
    /// Nature's worst case in `U(s, a, μ^N_t)` against the mean-field robust values at the
    /// current empirical distribution: `V^{π*}_{μ^N_t}` for an agent playing `π*`, `V*_{μ^N_t}`
    /// for the deviator playing `BR_τ(μ^N_t)`. Available for every game; it approximates the
    /// exact `N`-agent worst case, with an error that vanishes as `N` grows.
    case meanField
    /// The exact worst case of the deviator's finite robust MDP (two-state games): nature's
    /// rows of a ``TwoStateEvaluation`` for the same `N`. The estimate then measures exactly
    /// ``TwoStateEvaluation/truncatedGain``.
    case exact(TwoStateEvaluation)

    /// Which of the two an estimate used, as reported (`rawValue`: `mean-field`, `exact`).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// ``TaggedNature/meanField``.
        case meanField = "mean-field"
        /// ``TaggedNature/exact(_:)``.
        case exact
    }
}

/// A Monte Carlo estimate of the deviation gain `ε_N`.
public struct DeviationEstimate: Sendable {
    /// `N`.
    public let agents: Int
    /// Episodes (independent initial draws), each run twice with common random numbers.
    public let episodes: Int
    /// Steps `T` of each run (the return is truncated there).
    public let steps: Int
    /// The mean of `R_dev − R_π*`, the `T`-step robust discounted return gained by the
    /// tagged agent when it plays `BR_τ(μ^N_t)` instead of `π*`.
    public let gain: Double
    /// The standard error of ``gain`` (sample standard deviation over `√episodes`).
    public let standardError: Double
    /// `gain − 1.96·standardError` (the 95% normal interval).
    public let gainLow: Double
    /// `gain + 1.96·standardError`.
    public let gainHigh: Double
    /// The mean `T`-step return of the tagged agent playing `π*`.
    public let baselineReturn: Double
    /// The mean `T`-step return of the tagged agent playing `BR_τ(μ^N_t)`.
    public let deviationReturn: Double
    /// The mean of `‖μ^N_t − μ*‖₁` over `t < T` and the episodes (runs without deviation).
    public let meanFieldError: Double
    /// `γ^T (r_max − r_min + τ log m)/(1 − γ)`, with `r` over the rewards seen: a bound on how much
    /// the untruncated gain can differ from the `T`-step one.
    public let truncationBound: Double
    /// How nature moved the tagged agent (``TaggedNature``).
    public let nature: TaggedNature.Kind
}

extension FinitePopulation {
    /// The 97.5% quantile of the standard normal distribution.
    public static let normalQuantile = 1.959963984540054

    /// Estimates the deviation gain `ε_N` by Monte Carlo (Docs/Population.md).
    ///
    /// Each episode draws the tagged agent's state from `μ*` and the other `N − 1` agents'
    /// counts from the multinomial `(N − 1, μ*)`, then runs the game twice for `T` steps: once
    /// with the tagged agent playing `π*`, once playing the robust best response `BR_τ(μ^N_t)`
    /// to the current empirical distribution. The others play `π*` and move by the true
    /// model; the tagged agent's next state is drawn from ``TaggedNature``'s kernel. Both runs
    /// use the same random streams per `(episode, step)` (common random numbers, inversion
    /// samplers), so the difference of the two returns has a small variance. The reward of a
    /// step is `Σ_a σ(a|x)[r(x, a, μ^N_t) − τ log σ(a|x)]`, the conditional expectation of the
    /// regularized reward given the state, and each return is corrected by the zero-mean control
    /// variate `Σ_t γ^{t+1}(h(x_{t+1}) − E[h(x_{t+1}) | state at t])` with `h = V^{π*}_{μ*}`: both keep
    /// the estimate unbiased and remove most of the variance of the tagged agent's own moves.
    ///
    /// - Parameters:
    ///   - agents: `N ≥ 1`.
    ///   - episodes: `≥ 2`.
    ///   - steps: `T ≥ 1`.
    ///   - seed: the random seed (the estimate is a deterministic function of it).
    ///   - nature: how the tagged agent's kernel is chosen (default ``TaggedNature/meanField``).
    /// - Throws: ``PopulationError/invalidArgument(field:message:)`` for out-of-range arguments or
    ///   an exact evaluation of another `N`/game; ``PopulationError/game(_:)`` when a solve fails.
    public func deviationGain(agents: Int, episodes: Int, steps: Int, seed: UInt64,
                              nature: TaggedNature = .meanField) throws(PopulationError) -> DeviationEstimate {
        let exact = try checkDeviationArguments(agents: agents, episodes: episodes, steps: steps, nature: nature)
        let m = self.m, gamma = game.discount, tau = temperature
        var cache = ContextCache(deviation: true)
        // Control variate h(x) = V^{π*}_{μ*}(x): the martingale Σ_t γ^{t+1}(h(x_{t+1}) − E[h(x_{t+1}) | z_t])
        // has mean zero and is subtracted from each return.
        let star = try context(meanField: meanField, deviation: false).snapshot
        let pol = policy, options = valueOptions
        let h = try lift { () throws(MeanFieldError) in try star.policyValues(policy: pol, temperature: tau, options: options) }.values
        let plan = TaggedRunPlan(agents: agents, steps: steps, seed: seed, exact: exact, controlVariate: h)
        var tally = TaggedRunTally()
        var gains: [Double] = []
        gains.reserveCapacity(episodes)
        var baseSum = 0.0, devSum = 0.0
        for e in 0..<episodes {
            var initRandom = SplitMix64(seed: seed, streams: agents, e, -1, 0)
            let x0 = Categorical.index(weights: meanField, uniform: initRandom.openUnit())
            var c0 = [Int](repeating: 0, count: n)
            Sampling.multinomial(count: agents - 1, probabilities: meanField, into: &c0, random: &initRandom)
            var returns = [0.0, 0.0]
            for run in 0..<2 {
                returns[run] = try taggedRun(plan, deviating: run == 1, episode: e, from: x0, others: c0,
                                             cache: &cache, tally: &tally)
            }
            baseSum += returns[0]
            devSum += returns[1]
            gains.append(returns[1] - returns[0])
        }
        let count = Double(episodes)
        let mean = gains.reduce(0, +) / count
        var ss = 0.0
        for g in gains { ss += (g - mean) * (g - mean) }
        let se = (ss / (count - 1)).squareRoot() / count.squareRoot()
        let entropy = tau * log(Double(m))
        let rMin = tally.rMin, rMax = tally.rMax, errorSum = tally.errorSum
        let tail = rMax >= rMin ? pow(gamma, Double(steps)) * (rMax - rMin + entropy) / (1 - gamma) : 0
        return DeviationEstimate(agents: agents, episodes: episodes, steps: steps, gain: mean, standardError: se,
                                 gainLow: mean - Self.normalQuantile * se, gainHigh: mean + Self.normalQuantile * se,
                                 baselineReturn: baseSum / count, deviationReturn: devSum / count,
                                 meanFieldError: errorSum / (count * Double(steps)), truncationBound: tail,
                                 nature: exact == nil ? .meanField : .exact)
    }

    /// The argument checks of ``deviationGain(agents:episodes:steps:seed:nature:)``; the exact
    /// evaluation to take nature's rows from, if any.
    private func checkDeviationArguments(agents: Int, episodes: Int, steps: Int,
                                         nature: TaggedNature) throws(PopulationError) -> TwoStateEvaluation? {
        guard agents >= 1 else { throw .invalidArgument(field: .agents, message: "\(agents), expected at least 1") }
        guard episodes >= 2 else { throw .invalidArgument(field: .episodes, message: "\(episodes), expected at least 2") }
        guard steps >= 1 else { throw .invalidArgument(field: .steps, message: "\(steps), expected at least 1") }
        guard case let .exact(e) = nature else { return nil }
        guard e.agents == agents else {
            throw .invalidArgument(field: .nature, message: "an exact evaluation for N = \(e.agents), expected N = \(agents)")
        }
        guard n == 2, e.trueModel == trueModel else {
            throw .invalidArgument(field: .nature, message: "the exact evaluation is for another game or true model")
        }
        return e
    }

    /// What every tagged run of one estimate shares.
    struct TaggedRunPlan {
        let agents: Int
        let steps: Int
        let seed: UInt64
        /// Nature's rows for ``TaggedNature/exact(_:)``; `nil` for the mean-field worst case.
        let exact: TwoStateEvaluation?
        /// `h = V^{π*}_{μ*}`.
        let controlVariate: [Double]
    }

    /// The sums kept across runs: `‖μ^N_t − μ*‖₁` of the runs without deviation, and the reward range.
    struct TaggedRunTally {
        var errorSum = 0.0
        var rMin = Double.infinity
        var rMax = -Double.infinity
    }

    /// One `T`-step run of episode `e` from the tagged agent's state `x0` and the others'
    /// counts `c0`: its regularized discounted return minus the control variate.
    func taggedRun(_ plan: TaggedRunPlan, deviating: Bool, episode e: Int, from x0: Int, others c0: [Int],
                   cache: inout ContextCache, tally: inout TaggedRunTally) throws(PopulationError) -> Double {
        let n = self.n, m = self.m, gamma = game.discount, tau = temperature
        let pi = policy.probabilities, agents = plan.agents, seed = plan.seed, h = plan.controlVariate
        var x = x0, c = c0
        var discount = 1.0
        var total = 0.0
        var martingale = 0.0
        for t in 0..<plan.steps {
            var counts = c
            counts[x] += 1
            let ctx = try cache.get(counts, self)
            let snap = ctx.snapshot
            if !deviating {
                var d = 0.0
                for s in 0..<n { d += abs(Double(counts[s]) / Double(agents) - meanField[s]) }
                tally.errorSum += d
            }
            for r in snap.rewards {
                tally.rMin = min(tally.rMin, r)
                tally.rMax = max(tally.rMax, r)
            }
            let row = deviating ? ctx.deviationPolicy : pi
            total += discount * regularizedReward(policy: row, offset: x * m, rewards: snap.rewards,
                                                  rewardOffset: x * m, actions: m, temperature: tau)
            var tag = SplitMix64(seed: seed, streams: agents, e, t, 1)
            let a = Categorical.index(weights: Array(row[(x * m)..<((x + 1) * m)]), uniform: tag.openUnit())
            let (natureRow, expected) = taggedNature(plan, ctx, deviating: deviating, state: x, othersInStateOne: c[1], action: a)
            let next = Categorical.index(weights: natureRow, uniform: tag.openUnit())
            martingale += discount * gamma * (h[next] - expected)
            var modelRandom = SplitMix64(seed: seed, streams: agents, e, t, 2)
            let rows = populationRows(ctx, random: &modelRandom)
            var pop = SplitMix64(seed: seed, streams: agents, e, t, 0)
            c = advance(c, rows: rows, random: &pop)
            x = next
            discount *= gamma
        }
        return total - martingale
    }

    /// Nature's row for the tagged agent's action `a` in state `x`, and `E[h(x') | x]` over the
    /// tagged agent's policy there (the control variate's conditional mean).
    private func taggedNature(_ plan: TaggedRunPlan, _ ctx: Context, deviating: Bool, state x: Int,
                              othersInStateOne k: Int, action a: Int) -> (row: [Double], expected: Double) {
        let n = self.n, m = self.m, pi = policy.probabilities, h = plan.controlVariate
        var expected = 0.0
        var natureRow: [Double] = []
        for b in 0..<m {
            let row: [Double]
            if let exact = plan.exact {
                row = exact.natureRow(deviating: deviating, state: x, othersInStateOne: k, action: b)
            } else {
                row = (deviating ? ctx.deviationNature : ctx.baselineNature)[x * m + b]
            }
            if b == a { natureRow = row }
            let weight = (deviating ? ctx.deviationPolicy : pi)[x * m + b]
            guard weight > 0 else { continue }
            for t in 0..<n { expected += weight * row[t] * h[t] }
        }
        return (natureRow, expected)
    }
}
