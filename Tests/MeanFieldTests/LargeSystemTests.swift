import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// Value solves on systems with more than ``FrozenSystem/largeSystemEntries`` kernel entries
/// (Docs/Performance.md, section 10, "The Newton steps' targets and the kept first sweep"):
/// the Newton steps' BiCGSTAB target on the frozen residual
/// (``FrozenSystem/newtonResidualTarget(residual:tolerance:gamma:kernelEntries:)``) and the first
/// sweep a policy evaluation keeps for the next optimal-value solve (``ReusableSweep``), which on
/// these games is kept only when the evaluation returns it.
@Suite struct LargeSystemTests {
    /// 24,000 states, 5 actions, 8 successors: 24,000 · 5 · 9 = 1,080,000 kernel slots, above 2²⁰.
    static let n = 24_000, m = 5, k = 8

    static func game(set: AmbiguitySet = .totalVariation(), discount: Double = 0.9, seed: UInt64) throws -> MeanFieldGame {
        try TestGames.garnet(n: n, m: m, k: k, set: set, radius: 0.1, discount: discount, seed: seed)
    }

    static func randomMeanField(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        let mu = (0..<n).map { _ in rng.unit() + 0.01 }
        let total = mu.reduce(0, +)
        return mu.map { $0 / total }
    }

    static func bits(_ x: [Double]) -> [UInt64] { x.map(\.bitPattern) }

    /// `max_i |a_i − b_i| ≤ abs + rel · max(|a_i|, |b_i|)`.
    static func close(_ a: [Double], _ b: [Double], abs: Double, rel: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in Swift.abs(x - y) <= abs + rel * max(Swift.abs(x), Swift.abs(y)) }
    }

    @Test func targetIsNilOnSmallSystemsAndFollowsTheResidual() throws {
        #expect(FrozenSystem.newtonResidualTarget(residual: 1, tolerance: 1e-9, gamma: 0.9,
                                                  kernelEntries: FrozenSystem.largeSystemEntries) == nil)
        #expect(FrozenSystem.newtonResidualTarget(residual: 1, tolerance: 1e-9, gamma: 0,
                                                  kernelEntries: FrozenSystem.largeSystemEntries + 1) == nil)
        let entries = FrozenSystem.largeSystemEntries + 1
        let stop = 1e-9 * 0.1 / 0.9
        // Far from the stop: 10⁻³ of the residual; within 10⁴ · stop: a tenth of the stop.
        let far = try #require(FrozenSystem.newtonResidualTarget(residual: 1e-3, tolerance: 1e-9, gamma: 0.9, kernelEntries: entries))
        #expect(far == 1e-6)
        let near = try #require(FrozenSystem.newtonResidualTarget(residual: 0.9e4 * stop, tolerance: 1e-9, gamma: 0.9,
                                                                   kernelEntries: entries))
        #expect(abs(near - 0.1 * stop) <= 1e-12 * stop)
    }

    /// BiCGSTAB to a residual target: the true residual `‖c − (I − γP)W‖∞` of the answer meets it,
    /// and the answer is the dense-free reference (Gauss–Seidel to `10⁻¹³`) within
    /// `target / (1 − γ)` plus rounding (absolute `1e-12`, relative `1e-12`).
    @Test func residualTargetIsMet() throws {
        let game = try Self.game(seed: 1201)
        let snap = try game.snapshot(at: Self.randomMeanField(Self.n, seed: 1202))
        let v = (0..<Self.n).map { Double($0 % 17) * 0.3 }
        let sw = try snap.sweep(values: v, wantKernels: true, execution: .automatic)
        let kernels = try #require(sw.kernels)
        let policy = BestResponse.unchecked(qValues: sw.q, stateCount: Self.n, actionCount: Self.m, temperature: 0.2).probabilities
        let c = GameSnapshot.policyRewards(rewards: snap.rewards, policy: policy, stateCount: Self.n, actionCount: Self.m,
                                           temperature: 0.2, execution: .serial)
        let system = FrozenSystem(policy: policy, kernels: kernels, stateCount: Self.n, actionCount: Self.m, gamma: 0.9,
                                  rewards: c, execution: .automatic)
        let reference = system.gaussSeidel(from: v, errorTarget: 1e-13)
        for target in [1e-3, 1e-7, 1e-11] {
            let w = system.solve(from: v, residualTarget: target)
            var y = [Double](repeating: 0, count: Self.n)
            w.withUnsafeBufferPointer { wb in
                y.withUnsafeMutableBufferPointer { yb in
                    if let wp = wb.baseAddress, let yp = yb.baseAddress { system.apply(wp, into: yp) }
                }
            }
            var residual = 0.0
            for i in 0..<Self.n { residual = max(residual, abs(c[i] - y[i])) }
            #expect(residual <= target * (1 + 1e-9))
            #expect(Self.close(w, reference, abs: target / 0.1 + 1e-12, rel: 1e-12))
        }
    }

    /// Optimal and policy values solved with the Newton steps' new targets against plain robust
    /// value iteration (no Newton step, an independent path) at the same tolerance: both within
    /// their error bounds of the exact values, so within `2 · 1e-10` plus rounding.
    @Test(arguments: [ExecutionMode.serial, .parallel])
    func valuesMatchValueIteration(execution: ExecutionMode) throws {
        let game = try Self.game(discount: 0.6, seed: 1211)
        let snap = try game.snapshot(at: Self.randomMeanField(Self.n, seed: 1212))
        let newton = ValueSolverOptions(tolerance: 1e-10, execution: execution)
        var plain = newton
        plain.acceleration = .none
        let fast = try snap.optimalValues(temperature: 0.2, options: newton)
        let slow = try snap.optimalValues(temperature: 0.2, options: plain)
        #expect(fast.converged && slow.converged && fast.sweeps < slow.sweeps)
        #expect(Self.close(fast.values, slow.values, abs: 2e-10 + 1e-13, rel: 1e-13))
        let policy = try BestResponse.policy(qValues: fast.qValues, stateCount: Self.n, actionCount: Self.m, temperature: 0.2)
        let fastPi = try snap.policyValues(policy: policy, temperature: 0.2, options: newton)
        let slowPi = try snap.policyValues(policy: policy, temperature: 0.2, options: plain)
        #expect(fastPi.converged && slowPi.converged)
        #expect(Self.close(fastPi.values, slowPi.values, abs: 2e-10 + 1e-13, rel: 1e-13))
    }

    /// The evaluator's pairs at two mean fields, the second optimal-value solve's first sweep rebuilt
    /// from the first pair's policy evaluation (kept because that evaluation returned its first
    /// sweep): bit for bit the plain solves of the same values, and the kept kernels are the first
    /// pair's `V^π` kernels (no second set held). A policy evaluation that sweeps more than once
    /// keeps nothing.
    @Test func keptFirstSweepGivesThePlainSolves() throws {
        let game = try Self.game(seed: 1221)
        let tau = 0.2
        var evaluator = PairEvaluator(game: game, temperature: tau, population: .worstCase,
                                      valueOptions: ValueSolverOptions(execution: .automatic))
        evaluator.keepsOptimalKernels = false
        let mu0 = Self.randomMeanField(Self.n, seed: 1222), mu1 = Self.randomMeanField(Self.n, seed: 1223)
        let first = try evaluator.bestResponsePair(mu0)
        #expect(first.policyValues.sweeps == 1)
        let kept = try #require(evaluator.reusable)
        #expect(kept.kernels.probabilities.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } == first.kernelIdentity)
        #expect(evaluator.pool.reserved == first.kernelIdentity)
        let second = try evaluator.bestResponsePair(mu1)

        // The plain solves: V* at μ1 from V* at μ0, without pool or reuse.
        let snap1 = try game.snapshot(at: mu1)
        let plainOptimal = try snap1.solveValues(policy: nil, temperature: tau, warmStart: first.optimal.values,
                                                 options: ValueSolverOptions(execution: .automatic))
        #expect(Self.bits(second.optimal.values) == Self.bits(plainOptimal.values))
        #expect(Self.bits(second.optimal.qValues) == Self.bits(plainOptimal.qValues))
        #expect(second.optimal.sweeps == plainOptimal.sweeps)
        let plainPolicy = try snap1.solveValues(policy: second.policy.probabilities, temperature: tau,
                                                warmStart: plainOptimal.values, options: ValueSolverOptions(execution: .automatic))
        #expect(Self.bits(second.policyValues.values) == Self.bits(plainPolicy.values))
        try ReusableSweepTests.expectSameKernels(second.policyValues.kernelRows, plainPolicy.kernelRows)
        #expect(evaluator.pool.copiedOnWrite == 0)

        // A given policy far from the best response: its evaluation sweeps more than once, and the
        // kept sweep is dropped rather than held beside the returned one.
        let uniform = try Policy(stateCount: Self.n, actionCount: Self.m,
                                 probabilities: [Double](repeating: 1 / Double(Self.m), count: Self.n * Self.m))
        let snap0 = try game.snapshot(at: mu0)
        let optimal0 = try evaluator.optimal(snap0)
        let given = try evaluator.pair(snap0, optimal: optimal0, policy: uniform)
        #expect(given.policyValues.sweeps > 1)
        #expect(evaluator.reusable == nil && evaluator.pool.reserved == nil)
    }

    /// A whole Anderson solve at this size (lazy steps, loose early value solves, the new targets and
    /// the kept sweeps) converges, and its pair re-evaluated from scratch at the default value
    /// tolerance (`MeanFieldGame.evaluate`, no warm start, no pool) has exploitability and residual
    /// within the tolerance; serial and parallel solves are bit-identical.
    @Test func andersonSolveIsCertifiedFromScratch() throws {
        let game = try Self.game(seed: 1231)
        var options = EquilibriumOptions(method: .anderson, temperature: 0.2, tolerance: 1e-9, maxIterations: 100)
        options.values.execution = .parallel
        let result = try game.solveEquilibrium(options: options)
        #expect(result.converged)
        let check = try game.evaluate(policy: result.policy, meanField: result.meanField, temperature: 0.2)
        #expect(abs(check.exploitability) <= 1e-9)
        #expect(check.stationarityResidual <= 1e-9)
        options.values.execution = .serial
        let serial = try game.solveEquilibrium(options: options)
        #expect(Self.bits(serial.meanField) == Self.bits(result.meanField))
    }
}
