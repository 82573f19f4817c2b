import Ambiguity
import Foundation
import MeanField
import Randomness

/// Lipschitz constants of a game in `μ` (all in the L1 norm on `μ`), estimated numerically,
/// and the other numbers the non-asymptotic bound on `ε_N` uses (Docs/Theory.md,
/// "Finite populations").
///
/// Each constant is the largest finite-difference quotient over sampled pairs `(μ, μ')` in the
/// neighbourhood `‖μ − μ*‖₁ ≤ δ` (at two step sizes): an estimate from below of the local
/// constant (the true constants can be infinite: with the worst-case population the kernel
/// jumps when two states' values swap order), so the bound built on them is an estimate too,
/// not a bound, and the argument behind it holds on
/// the event that `μ^N_t` stays in the neighbourhood (Docs/Theory.md, "Finite populations").
public struct LipschitzConstants: Sendable, Hashable {
    /// `L_r`: `|r(s,a,μ) − r(s,a,μ')| ≤ L_r ‖μ − μ'‖₁`.
    public let reward: Double
    /// `L_P`: `‖P̂(·|s,a,μ) − P̂(·|s,a,μ')‖₁ ≤ L_P ‖μ − μ'‖₁` (reported; `L_σ` subsumes it).
    public let kernel: Double
    /// `L_ρ`: `|ρ(s,a,μ) − ρ(s,a,μ')| ≤ L_ρ ‖μ − μ'‖₁` (reported; `L_σ` subsumes it).
    public let radius: Double
    /// `L_σ`: `|σ_{U(s,a,μ)}(V) − σ_{U(s,a,μ')}(V)| ≤ L_σ span(V) ‖μ − μ'‖₁`, over the test vectors
    /// `V` (indicators, the equilibrium values, random vectors). For `tv`, `L_σ ≤ L_P/2 + L_ρ`.
    public let robustExpectation: Double
    /// `L_K`: the same as `L_P` for the true model's kernel (`K_{μ,V^{π*}_μ}` or `P̂`).
    public let populationKernel: Double
    /// `L_Φ`: `‖Φ(μ) − Φ(μ')‖₁ ≤ L_Φ ‖μ − μ'‖₁` for `Φ(μ) = Σ_s μ(s) Σ_a π*(a|s) K(·|s,a,μ)`.
    public let populationMap: Double
    /// `S = (max r − min r + τ log m)/(1 − γ)` at `μ*`: a bound on the span of every value function.
    public let valueSpan: Double
    /// `max(0, E(π*, μ*))`, the exploitability of the mean-field pair.
    public let exploitability: Double
    /// `‖Φ(μ*) − μ*‖₁` for the true model.
    public let stationarityResidual: Double
    /// The number of sampled pairs.
    public let pairs: Int
    /// `δ`, the L1 radius of the neighbourhood of `μ*` the pairs were sampled in.
    public let neighborhood: Double
}

extension FinitePopulation {
    /// Estimates the constants of ``LipschitzConstants`` by finite differences over `samples`
    /// pairs of mean fields in `‖μ − μ*‖₁ ≤ neighborhood` (deterministic for a seed).
    ///
    /// - Parameters:
    ///   - samples: pairs, `≥ 1`.
    ///   - neighborhood: `δ ∈ (0, 2]` (2 is the whole simplex).
    ///   - seed: the random seed.
    /// - Throws: ``PopulationError/invalidArgument(field:message:)`` for `samples < 1` or a bad `δ`,
    ///   ``PopulationError/game(_:)`` when the game is invalid at a sampled `μ` or a solve fails.
    public func lipschitzConstants(samples: Int = 24, neighborhood: Double = 0.25,
                                   seed: UInt64 = 1) throws(PopulationError) -> LipschitzConstants {
        guard samples >= 1 else { throw .invalidArgument(field: .samples, message: "\(samples), expected at least 1") }
        guard neighborhood.isFinite, neighborhood > 0, neighborhood <= 2 else {
            throw .invalidArgument(field: .neighborhood, message: "\(neighborhood), expected a number in (0, 2]")
        }
        let n = self.n, m = self.m, gamma = game.discount, tau = temperature
        var random = SplitMix64(seed: seed, streams: 7, 7)
        let star = try context(meanField: meanField, deviation: false)
        let snapStar = star.snapshot
        let options = valueOptions, pol = policy, mu = meanField
        let vpi = try lift { () throws(MeanFieldError) in try snapStar.policyValues(policy: pol, temperature: tau, options: options) }
        let vopt = try lift { () throws(MeanFieldError) in try snapStar.optimalValues(temperature: tau, options: options) }
        let sortedTests = testVectors(vpi.values, vopt.values, random: &random).map { SortedValues($0) }
        // The random model has no kernel function; use the nominal rows for its constants.
        let model = trueModel == .random
            ? try FinitePopulation(game: game, meanField: meanField, policy: policy, temperature: tau,
                                   trueModel: .nominal, valueOptions: valueOptions)
            : self
        var maxima = LipschitzMaxima()
        for i in 0..<samples {
            // ‖(1 − λ)μ* + λν − μ*‖₁ = λ‖ν − μ*‖₁ ≤ 2λ, so λ ≤ δ/2 stays in the neighbourhood.
            let lambda = (i % 2 == 0 ? 0.25 : 1) * neighborhood / 2 * random.openUnit()
            let base = zip(mu, dirichlet(&random)).map { (1 - lambda) * $0 + lambda * $1 }
            let step = (i / 2) % 2 == 0 ? 1e-3 : 0.05 * neighborhood
            let target = zip(mu, dirichlet(&random)).map { (1 - neighborhood / 2) * $0 + neighborhood / 2 * $1 }
            let moved = zip(base, target).map { (1 - step) * $0 + step * $1 }
            var d = 0.0
            for s in 0..<n { d += abs(base[s] - moved[s]) }
            guard d > 1e-12 else { continue }
            maxima.pairs += 1
            let c1 = try model.context(meanField: base, deviation: false)
            let c2 = try model.context(meanField: moved, deviation: false)
            model.compare(c1, base, c2, moved, distance: d, tests: sortedTests, into: &maxima)
        }
        let rewards = snapStar.rewards
        let span = ((rewards.max() ?? 0) - (rewards.min() ?? 0) + tau * log(Double(m))) / (1 - gamma)
        var exploitability = 0.0
        for s in 0..<n { exploitability += mu[s] * (vopt.values[s] - vpi.values[s]) }
        let starModel = try model.context(meanField: meanField, deviation: false)
        let fStar = model.populationMap(starModel, meanField)
        var residual = 0.0
        for t in 0..<n { residual += abs(fStar[t] - meanField[t]) }
        return LipschitzConstants(reward: maxima.reward, kernel: maxima.kernel, radius: maxima.radius,
                                  robustExpectation: maxima.robustExpectation,
                                  populationKernel: maxima.populationKernel, populationMap: maxima.populationMap, valueSpan: span,
                                  exploitability: max(0, exploitability), stationarityResidual: residual, pairs: maxima.pairs,
                                  neighborhood: neighborhood)
    }

    /// The largest quotients seen so far, one per constant of ``LipschitzConstants``.
    struct LipschitzMaxima {
        var reward = 0.0, kernel = 0.0, radius = 0.0, robustExpectation = 0.0
        var populationKernel = 0.0, populationMap = 0.0
        var pairs = 0
    }

    /// A uniform point of the simplex: `n` exponentials, normalized.
    private func dirichlet(_ random: inout SplitMix64) -> [Double] {
        var x = (0..<n).map { _ in -log(random.openUnit()) }
        let sum = x.reduce(0, +)
        for i in x.indices { x[i] /= sum }
        return x
    }

    /// The test vectors `V` of `L_σ`, each of span 1: the indicators, the equilibrium values
    /// `V^{π*}` and `V*` (when not constant) and three random vectors.
    private func testVectors(_ vpi: [Double], _ vopt: [Double], random: inout SplitMix64) -> [[Double]] {
        let n = self.n
        func unitSpan(_ v: [Double]) -> [Double]? {
            guard let lo = v.min(), let hi = v.max(), hi - lo > 0 else { return nil }
            return v.map { ($0 - lo) / (hi - lo) }
        }
        var tests: [[Double]] = (0..<n).map { t in (0..<n).map { $0 == t ? 1.0 : 0.0 } }
        if let v = unitSpan(vpi) { tests.append(v) }
        if let v = unitSpan(vopt) { tests.append(v) }
        for _ in 0..<3 { if let v = unitSpan((0..<n).map { _ in random.openUnit() }) { tests.append(v) } }
        return tests
    }

    /// `Φ(μ) = Σ_s μ(s) Σ_a π*(a|s) K(·|s,a,μ)` with the context's true-model rows.
    func populationMap(_ ctx: Context, _ mu: [Double]) -> [Double] {
        let n = self.n, m = self.m, pi = policy.probabilities
        var out = [Double](repeating: 0, count: n)
        for s in 0..<n where mu[s] > 0 {
            for a in 0..<m {
                let w = mu[s] * pi[s * m + a]
                guard w > 0 else { continue }
                for t in 0..<n { out[t] += w * ctx.populationRows[s * m + a][t] }
            }
        }
        return out
    }

    /// Updates `maxima` with the quotients of one pair `(μ₁, μ₂)` at L1 distance `d`.
    private func compare(_ c1: Context, _ mu1: [Double], _ c2: Context, _ mu2: [Double], distance d: Double,
                         tests: [SortedValues], into maxima: inout LipschitzMaxima) {
        let n = self.n, m = self.m, set = game.ambiguity
        let s1 = c1.snapshot, s2 = c2.snapshot
        for row in 0..<(n * m) {
            maxima.reward = max(maxima.reward, abs(s1.rewards[row] - s2.rewards[row]) / d)
            maxima.radius = max(maxima.radius, abs(s1.radii[row] - s2.radii[row]) / d)
            let p1 = s1.kernel(row).dense(count: n), p2 = s2.kernel(row).dense(count: n)
            var dp = 0.0, dk = 0.0
            for t in 0..<n {
                dp += abs(p1[t] - p2[t])
                dk += abs(c1.populationRows[row][t] - c2.populationRows[row][t])
            }
            maxima.kernel = max(maxima.kernel, dp / d)
            maxima.populationKernel = max(maxima.populationKernel, dk / d)
            for v in tests {
                let a = set.worstCaseValue(nominal: s1.kernel(row), values: v, radius: s1.radii[row])
                let b = set.worstCaseValue(nominal: s2.kernel(row), values: v, radius: s2.radii[row])
                maxima.robustExpectation = max(maxima.robustExpectation, abs(a - b) / d)
            }
        }
        let f1 = populationMap(c1, mu1), f2 = populationMap(c2, mu2)
        var df = 0.0
        for t in 0..<n { df += abs(f1[t] - f2[t]) }
        maxima.populationMap = max(maxima.populationMap, df / d)
    }

    /// The non-asymptotic bound on `ε_N` of Docs/Theory.md ("Finite populations"), evaluated with
    /// the given constants. With the sampled constants of ``lipschitzConstants(samples:neighborhood:seed:)``
    /// (lower estimates of the true ones, which can be infinite) the result is an **estimate**, not
    /// a bound; it is a bound only when every constant passed is a proved upper bound and `μ^N_t`
    /// stays in the neighbourhood:
    ///
    ///     ε_N ≤ E(π*, μ*) + 2 (L_r + γ L_σ S) Σ_t γ^t ē_t,
    ///     Σ_t γ^t ē_t ≤ e₀/(1 − γL_Φ) + γη/((1 − γ)(1 − γL_Φ)) + 2/(N(1 − γ)),
    ///
    /// with `e₀ = Σ_s √(μ*(s)(1 − μ*(s))/(N − 1))` and
    /// `η = √((n − 1)/(N − 1)) + 2L_K/N + ‖Φ(μ*) − μ*‖₁`.
    ///
    /// - Returns: `nil` when `γ L_Φ ≥ 1` (the argument needs the population map to contract
    ///   faster than the discount) or the true model is ``TrueModel/random``.
    public func boundEstimate(agents: Int, constants c: LipschitzConstants) -> Double? {
        guard trueModel != .random, agents >= 1 else { return nil }
        let gamma = game.discount
        let contraction = gamma * c.populationMap
        guard contraction < 1 else { return nil }
        let nd = Double(agents)
        var sum: Double
        if agents == 1 {
            sum = 2 / (1 - gamma)
        } else {
            let others = nd - 1
            var e0 = 0.0
            for x in meanField { e0 += (x * (1 - x) / others).squareRoot() }
            let noise = (Double(game.stateCount - 1) / others).squareRoot()
            let eta = noise + 2 * c.populationKernel / nd + c.stationarityResidual
            sum = e0 / (1 - contraction)
            sum += gamma * eta / ((1 - gamma) * (1 - contraction))
            sum += 2 / (nd * (1 - gamma))
        }
        let slope = c.reward + gamma * c.robustExpectation * c.valueSpan
        return c.exploitability + 2 * slope * sum
    }
}
