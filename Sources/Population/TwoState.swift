import Ambiguity
import Foundation
import MeanField

/// The exact deviator problem of a two-state game with `N` agents (Docs/Population.md).
///
/// The tagged agent's state is `z = (s, k)`: its own state `s ∈ {0, 1}` and the number `k`
/// of the other `N − 1` agents in state 1, so `μ^N(1) = (k + s)/N`. The others play `π*`
/// and move independently under the true model at `μ^N`, so `k' = Bin(k, 1 − P(1→0)) +
/// Bin(N − 1 − k, P(0→1))` with `P(s→t) = Σ_a π*(a|s) K(t|s, a, μ^N)`. Nature chooses the
/// tagged agent's own next-state law in `U(s, a, μ^N)` against its continuation values
/// `Ŵ_z(s') = E[W(s', k') | z]`, rectangular in `(z, a)`: a finite robust MDP on `2N`
/// states, solved by robust value iteration with safeguarded frozen-kernel (Newton-like) steps.
public struct TwoStateEvaluation: Sendable {
    /// `N`.
    public let agents: Int
    /// `T`, the horizon of the truncated values.
    public let steps: Int
    /// The true model that moves the others.
    public let trueModel: TrueModel
    /// `W^{π*}(z)`: the tagged agent's robust value when it plays `π*`, at index `s·N + k`.
    public let baselineValues: [Double]
    /// `W^σ(z)` for the deviation `σ(·|s, k) = BR_τ(μ^N)(·|s)`, at index `s·N + k`.
    public let deviationValues: [Double]
    /// `W*(z)`: the tagged agent's robust optimal value (best deviation of all), at `s·N + k`.
    public let optimalValues: [Double]
    /// `Σ_z ν₀(z)[W^σ − W^{π*}](z)`: the exact gain of the Monte Carlo deviation,
    /// `ν₀ = μ* ⊗ Bin(N − 1, μ*(1))`.
    public let deviationGain: Double
    /// `Σ_z ν₀(z)[W* − W^{π*}](z) ≥ 0`: the exact `ε_N` (optimal deviation).
    public let optimalGain: Double
    /// The same as ``deviationGain`` for the `T`-step returns with nature's stationary
    /// kernels frozen: exactly what ``FinitePopulation/deviationGain(agents:episodes:steps:seed:nature:)``
    /// estimates with ``TaggedNature/exact(_:)``.
    public let truncatedGain: Double
    /// The largest error bound `‖TW − W‖∞ γ/(1 − γ)` of the three value solves.
    public let errorBound: Double
    /// Nature's probability of state 1 for the tagged agent, at `(s·N + k)·m + a`.
    let baselineRows: [Double]
    let deviationRows: [Double]

    /// The tagged agent's next-state law `[q(0), q(1)]` chosen by nature.
    public func natureRow(deviating: Bool, state: Int, othersInStateOne k: Int, action: Int) -> [Double] {
        let m = baselineRows.count / (2 * agents)
        let q1 = (deviating ? deviationRows : baselineRows)[(state * agents + k) * m + action]
        return [1 - q1, q1]
    }

    /// `W(s, k)` of the three value functions: `(π*, σ, optimal)`.
    public func values(state: Int, othersInStateOne k: Int) -> (baseline: Double, deviation: Double, optimal: Double) {
        let z = state * agents + k
        return (baselineValues[z], deviationValues[z], optimalValues[z])
    }
}

/// The probabilities of `Bin(n, p)` from the first index with a non-negligible term
/// (`≥ 1e-20` of the mode's).
func binomialPMF(_ n: Int, _ p: Double) -> (start: Int, values: [Double]) {
    if n <= 0 || !(p > 0) { return (0, [1]) }
    if p >= 1 { return (n, [1]) }
    let q = 1 - p
    let mode = min(n, Int((Double(n) + 1) * p))
    let fm = exp(logBinomialPMF(n, mode, p))
    var below: [Double] = []
    var f = fm, k = mode
    while k > 0 {
        let ratio: Double = Double(k) / Double(n - k + 1) * (q / p)
        f *= ratio
        k -= 1
        if f < fm * 1e-20 { break }
        below.append(f)
    }
    var values = Array(below.reversed())
    values.append(fm)
    f = fm
    k = mode
    while k < n {
        let ratio: Double = Double(n - k) / Double(k + 1) * (p / q)
        f *= ratio
        k += 1
        if f < fm * 1e-20 { break }
        values.append(f)
    }
    return (mode - below.count, values)
}

extension FinitePopulation {
    /// The exact evaluation of the deviator's problem for a two-state game (Docs/Population.md).
    ///
    /// - Parameters:
    ///   - agents: `N ≥ 1`.
    ///   - steps: `T ≥ 1`, the horizon of ``TwoStateEvaluation/truncatedGain``.
    ///   - tolerance: the sup-norm accuracy of the value functions (default `1e-11`).
    /// - Complexity: `N + 1` mean-field value solves, then `O(N·w)` per robust sweep on
    ///   `2N` states, with `w = O(√N)` the width of the others' count distribution.
    /// - Throws: ``PopulationError/invalidArgument(field:message:)`` when the game does not
    ///   have two states, the true model is ``TrueModel/random`` (the others' kernel is then
    ///   random, not a function of the state), or an argument is out of range;
    ///   ``PopulationError/game(_:)`` when a solve fails.
    public func exactTwoState(agents: Int, steps: Int, tolerance: Double = 1e-11) throws(PopulationError) -> TwoStateEvaluation {
        try checkTwoStateArguments(agents: agents, steps: steps, tolerance: tolerance)
        let N = agents
        // One context per count j = k + s of agents in state 1.
        var contexts: [Context] = []
        contexts.reserveCapacity(N + 1)
        for j in 0...N { contexts.append(try context(counts: [N - j, j], deviation: true)) }
        let mdp = TaggedTwoStateMDP(population: self, agents: N, contexts: contexts)
        let base = try mdp.solve(fixed: mdp.baselinePolicy, tolerance: tolerance)
        let dev = try mdp.solve(fixed: mdp.deviationPolicy, tolerance: tolerance)
        let opt = try mdp.solve(fixed: nil, tolerance: tolerance)
        // T-step values with nature's final rows frozen.
        var baseT = [Double](repeating: 0, count: mdp.Z), devT = baseT
        for _ in 0..<steps {
            baseT = mdp.frozenSweep(baseT, rows: base.rows, policy: mdp.baselinePolicy)
            devT = mdp.frozenSweep(devT, rows: dev.rows, policy: mdp.deviationPolicy)
        }
        // ν₀ = μ* ⊗ Bin(N − 1, μ*(1)).
        let initial = binomialPMF(N - 1, meanField[1])
        let mass = initial.values.reduce(0, +)
        var gain = 0.0, optimalGain = 0.0, truncated = 0.0
        for s in 0..<2 {
            for (i, p) in initial.values.enumerated() {
                let z = s * N + initial.start + i
                let weight = meanField[s] * p / mass
                gain += weight * (dev.values[z] - base.values[z])
                optimalGain += weight * (opt.values[z] - base.values[z])
                truncated += weight * (devT[z] - baseT[z])
            }
        }
        return TwoStateEvaluation(agents: N, steps: steps, trueModel: trueModel,
                                  baselineValues: base.values, deviationValues: dev.values, optimalValues: opt.values,
                                  deviationGain: gain, optimalGain: optimalGain, truncatedGain: truncated,
                                  errorBound: max(base.bound, dev.bound, opt.bound),
                                  baselineRows: base.rows, deviationRows: dev.rows)
    }

    /// The argument checks of ``exactTwoState(agents:steps:tolerance:)``.
    private func checkTwoStateArguments(agents: Int, steps: Int, tolerance: Double) throws(PopulationError) {
        guard n == 2 else { throw .invalidArgument(field: .game, message: "\(n) states, the exact evaluation needs 2") }
        guard trueModel != .random else {
            throw .invalidArgument(field: .trueModel, message: "random has no exact evaluation (the others' kernel is random)")
        }
        guard agents >= 1 else { throw .invalidArgument(field: .agents, message: "\(agents), expected at least 1") }
        guard steps >= 1 else { throw .invalidArgument(field: .steps, message: "\(steps), expected at least 1") }
        guard tolerance.isFinite, tolerance > 0 else {
            throw .invalidArgument(field: .tolerance, message: "\(tolerance), expected a finite number > 0")
        }
    }
}

/// The tagged agent's robust MDP of ``FinitePopulation/exactTwoState(agents:steps:tolerance:)``
/// on the `Z = 2N` states `z = s·N + k`: the others' count law per `z`, the policies, and the
/// robust and frozen sweeps with the safeguarded solve.
struct TaggedTwoStateMDP {
    let N: Int
    let m: Int
    let Z: Int
    let gamma: Double
    let tau: Double
    let set: AmbiguitySet
    /// One context per count `j = k + s` of agents in state 1.
    let contexts: [FinitePopulation.Context]
    /// The law of `k'` from `z`: `probs[z][i]` is the probability of `k' = starts[z] + i`.
    let starts: [Int]
    let probs: [[Double]]
    /// `π*` on every `z`, row-major.
    let baselinePolicy: [Double]
    /// `σ(·|s, k) = BR_τ(μ^N)(·|s)` on every `z`, row-major.
    let deviationPolicy: [Double]

    init(population: FinitePopulation, agents N: Int, contexts: [FinitePopulation.Context]) {
        let m = population.m
        let pi = population.policy.probabilities
        self.N = N
        self.m = m
        self.Z = 2 * N
        self.gamma = population.game.discount
        self.tau = population.temperature
        self.set = population.game.ambiguity
        self.contexts = contexts
        (starts, probs) = Self.othersLaw(agents: N, actions: m, policy: pi, contexts: contexts)
        deviationPolicy = (0..<(2 * N)).flatMap { z -> [Double] in
            let s = z / N, k = z % N
            return Array(contexts[k + s].deviationPolicy[(s * m)..<((s + 1) * m)])
        }
        baselinePolicy = (0..<(2 * N)).flatMap { z -> [Double] in
            let s = z / N
            return Array(pi[(s * m)..<((s + 1) * m)])
        }
    }

    /// The others' transition: the distribution of `k'` per `z`, the convolution of
    /// `Bin(k, 1 − P(1→0))` and `Bin(N − 1 − k, P(0→1))`.
    static func othersLaw(agents N: Int, actions m: Int, policy pi: [Double],
                          contexts: [FinitePopulation.Context]) -> (starts: [Int], probs: [[Double]]) {
        var starts = [Int](repeating: 0, count: 2 * N)
        var probs = [[Double]](repeating: [], count: 2 * N)
        for s in 0..<2 {
            for k in 0..<N {
                let ctx = contexts[k + s]
                var p01 = 0.0, p10 = 0.0
                for a in 0..<m {
                    p01 += pi[a] * ctx.populationRows[a][1]
                    p10 += pi[m + a] * ctx.populationRows[m + a][0]
                }
                let stay = binomialPMF(k, min(1, max(0, 1 - p10)))
                let arrive = binomialPMF(N - 1 - k, min(1, max(0, p01)))
                var conv = [Double](repeating: 0, count: stay.values.count + arrive.values.count - 1)
                for (i, x) in stay.values.enumerated() {
                    for (j, y) in arrive.values.enumerated() { conv[i + j] += x * y }
                }
                let total = conv.reduce(0, +)
                starts[s * N + k] = stay.start + arrive.start
                probs[s * N + k] = conv.map { $0 / total }
            }
        }
        return (starts, probs)
    }

    /// `(Ŵ_z(0), Ŵ_z(1))`: the continuation values of `w` averaged over the others' `k'`.
    func continuation(_ w: [Double], _ z: Int) -> (Double, Double) {
        let st = starts[z]
        var w0 = 0.0, w1 = 0.0
        for (i, p) in probs[z].enumerated() {
            w0 += p * w[st + i]
            w1 += p * w[N + st + i]
        }
        return (w0, w1)
    }

    /// One robust sweep: the new values, nature's rows and the policy used (`fixed`, or the
    /// soft (hard at `τ = 0`) best response to the robust `q`).
    func robustSweep(_ w: [Double], fixed: [Double]?) -> (values: [Double], rows: [Double], policy: [Double]) {
        var out = [Double](repeating: 0, count: Z)
        var rows = [Double](repeating: 0, count: Z * m)
        var used = [Double](repeating: 0, count: Z * m)
        var q = [Double](repeating: 0, count: m)
        for z in 0..<Z {
            let s = z / N, k = z % N
            let snap = contexts[k + s].snapshot
            let (w0, w1) = continuation(w, z)
            let sorted = SortedValues([w0, w1])
            for a in 0..<m {
                let i = s * m + a
                let wc = set.worstCaseDistribution(nominal: snap.kernel(i), values: sorted, radius: snap.radii[i])
                var q1 = 0.0
                for (t, p) in zip(wc.distribution.indices, wc.distribution.probabilities) where t == 1 { q1 = p }
                rows[z * m + a] = q1
                q[a] = snap.rewards[i] + gamma * wc.value
            }
            out[z] = reduce(q, z: z, fixed: fixed, used: &used)
        }
        return (out, rows, used)
    }

    /// State `z`'s value from its robust `q`: under the `fixed` policy, or the best
    /// response (written into `used`).
    private func reduce(_ q: [Double], z: Int, fixed: [Double]?, used: inout [Double]) -> Double {
        if let fixed {
            var v = 0.0
            for a in 0..<m {
                let p = fixed[z * m + a]
                used[z * m + a] = p
                if p > 0 { v += p * (q[a] - tau * log(p)) }
            }
            return v
        }
        var best = -Double.infinity
        for a in 0..<m where q[a] > best { best = q[a] }
        if tau == 0 {
            let threshold = best - BestResponse.tieTolerance * (1 + abs(best))
            if let a = (0..<m).first(where: { q[$0] >= threshold }) { used[z * m + a] = 1 }
            return best
        }
        var sum = 0.0
        for a in 0..<m { sum += exp((q[a] - best) / tau) }
        for a in 0..<m { used[z * m + a] = exp((q[a] - best) / tau) / sum }
        return best + tau * log(sum)
    }

    /// One sweep with nature's rows and the policy frozen (a linear map).
    func frozenSweep(_ w: [Double], rows: [Double], policy: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: Z)
        for z in 0..<Z {
            let s = z / N, k = z % N
            let snap = contexts[k + s].snapshot
            let (w0, w1) = continuation(w, z)
            var v = 0.0
            for a in 0..<m {
                let p = policy[z * m + a]
                guard p > 0 else { continue }
                let q1 = rows[z * m + a]
                v += p * (snap.rewards[s * m + a] - tau * log(p) + gamma * ((1 - q1) * w0 + q1 * w1))
            }
            out[z] = v
        }
        return out
    }

    static func supDistance(_ x: [Double], _ y: [Double]) -> Double {
        var d = 0.0
        for i in x.indices { d = max(d, abs(x[i] - y[i])) }
        return d
    }

    /// Robust value iteration with safeguarded frozen-kernel steps: 60 frozen sweeps give a
    /// candidate, kept when its residual contracts by `γ`, else one plain robust sweep.
    func solve(fixed: [Double]?, tolerance: Double) throws(PopulationError) -> (values: [Double], rows: [Double], policy: [Double], bound: Double) {
        let factor = gamma / (1 - gamma)
        var w = [Double](repeating: 0, count: Z)
        var sweep = robustSweep(w, fixed: fixed)
        var res = Self.supDistance(sweep.values, w)
        for _ in 0..<100_000 {
            guard res.isFinite else { throw .game(.numerical("the exact two-state evaluation produced a non-finite value")) }
            var scale = 1.0
            for x in sweep.values { scale = max(scale, abs(x)) }
            if res * factor <= tolerance * scale || res <= 4 * Double.ulpOfOne * scale {
                return (sweep.values, sweep.rows, sweep.policy, res * factor)
            }
            var candidate = sweep.values
            for _ in 0..<60 { candidate = frozenSweep(candidate, rows: sweep.rows, policy: sweep.policy) }
            let trial = robustSweep(candidate, fixed: fixed)
            let trialRes = Self.supDistance(trial.values, candidate)
            if trialRes <= gamma * res {
                w = candidate
                sweep = trial
                res = trialRes
            } else {
                w = sweep.values
                sweep = robustSweep(w, fixed: fixed)
                res = Self.supDistance(sweep.values, w)
            }
        }
        throw .game(.numerical("the exact two-state evaluation did not converge"))
    }
}
