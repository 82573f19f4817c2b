import Ambiguity
@testable import MeanField
import Testing
import TestSupport

@Suite struct BellmanTests {
    /// Every set with a radius, for `n` states.
    static func sets(_ n: Int) throws -> [(AmbiguitySet, Double)] {
        let cost = try GroundCost((0..<n).map { s in (0..<n).map { t in Double(abs(s - t)) / Double(n) } })
        return [
            (.nominalOnly, 0), (.totalVariation(), 0.1), (.totalVariation(), 0.4),
            (.totalVariation(support: .nominal), 0.2),
            (try AmbiguitySet(kind: .l1, weights: (0..<n).map { 1 + Double($0 % 3) }), 0.3),
            (try AmbiguitySet(kind: .linf), 0.05),
            (try AmbiguitySet(kind: .wasserstein, cost: cost), 0.1),
            (try AmbiguitySet(kind: .kl), 0.2),
            (try AmbiguitySet(kind: .chi2), 0.3),
        ]
    }

    /// `‖TV₁ − TV₂‖∞ ≤ γ ‖V₁ − V₂‖∞` on random games, sets and temperatures.
    @Test(arguments: [0.0, 0.3])
    func contraction(temperature: Double) throws {
        var rng = SplitMix64(seed: 11)
        let sets = try Self.sets(12)
        for trial in 0..<18 {
            let (set, radius) = sets[trial % sets.count]
            let game = try TestGames.garnet(n: 12, m: 3, k: 4, set: set, radius: radius,
                                            discount: 0.85, seed: UInt64(100 + trial))
            let snap = try game.snapshot(at: [Double](repeating: 1.0 / 12, count: 12))
            for _ in 0..<5 {
                let v1 = TestGames.randomVector(12, scale: 10, rng: &rng)
                let v2 = TestGames.randomVector(12, scale: 10, rng: &rng)
                let t1 = try snap.bellman(values: v1, temperature: temperature)
                let t2 = try snap.bellman(values: v2, temperature: temperature)
                #expect(supNorm(t1, t2) <= 0.85 * supNorm(v1, v2) + 1e-12)
                let pol = Policy.uniform(stateCount: 12, actionCount: 3)
                let p1 = try snap.policyBellman(values: v1, policy: pol, temperature: temperature)
                let p2 = try snap.policyBellman(values: v2, policy: pol, temperature: temperature)
                #expect(supNorm(p1, p2) <= 0.85 * supNorm(v1, v2) + 1e-12)
            }
        }
    }

    /// Robust values lie below nominal ones and do not increase with ρ, for every set.
    @Test(arguments: 0..<9)
    func robustValueMonotoneInRadius(setIndex: Int) throws {
        let set = try Self.sets(15)[setIndex].0
        let (rewards, kernels) = TestGames.randomTables(n: 15, m: 3, k: 5, seed: 5)
        let mu = [Double](repeating: 1.0 / 15, count: 15)
        for tau in [0.0, 0.2] {
            let nominal = try MeanFieldGame(rewards: rewards, kernels: kernels, discount: 0.9)
                .optimalValues(meanField: mu, temperature: tau).values
            var previous = nominal
            for rho in [0.0, 0.05, 0.1, 0.3, 2.0] {
                let radii = [[Double]](repeating: [Double](repeating: rho, count: 3), count: 15)
                let game = try MeanFieldGame(rewards: rewards, kernels: kernels, radii: radii, discount: 0.9,
                                             ambiguity: set)
                let v = try game.optimalValues(meanField: mu, temperature: tau).values
                if rho == 0 || set.kind == .none { #expect(isApproximatelyEqual(v, nominal, absolute: 1e-10, relative: 1e-10)) }
                for s in 0..<15 {
                    #expect(v[s] <= nominal[s] + 1e-10)
                    #expect(v[s] <= previous[s] + 1e-10)
                }
                previous = v
            }
        }
    }

    /// Policy iteration (the default) and plain value iteration agree, and warm starts work.
    @Test func accelerationAgreesWithValueIteration() throws {
        let game = try TestGames.garnet(n: 25, m: 4, k: 6, set: .totalVariation(), radius: 0.15, seed: 3)
        let snap = try game.snapshot(at: [Double](repeating: 0.04, count: 25))
        for tau in [0.0, 0.25] {
            let pi = try snap.optimalValues(temperature: tau)
            let vi = try snap.optimalValues(temperature: tau, options: .init(acceleration: .none))
            #expect(pi.converged && vi.converged)
            #expect(supNorm(pi.values, vi.values) <= 1e-10)
            #expect(pi.sweeps < vi.sweeps)
            // Fixed point: TV = V.
            let tv = try snap.bellman(values: pi.values, temperature: tau)
            #expect(supNorm(tv, pi.values) <= 1e-11)
            // Warm start from the solution needs a single sweep.
            let warm = try snap.optimalValues(temperature: tau, warmStart: pi.values)
            #expect(warm.sweeps == 1)
        }
    }

    /// `V^π` is the fixed point of `T^π`, and equals `V*` for the best response.
    @Test func policyEvaluation() throws {
        let game = try TestGames.garnet(n: 20, m: 3, k: 5, set: .totalVariation(), radius: 0.2, seed: 9)
        let snap = try game.snapshot(at: [Double](repeating: 0.05, count: 20))
        var rng = SplitMix64(seed: 4)
        for tau in [0.0, 0.4] {
            let raw = (0..<60).map { _ in Double.random(in: 0.01..<1, using: &rng) }
            var probs = raw
            for s in 0..<20 {
                let sum = raw[(3 * s)..<(3 * s + 3)].reduce(0, +)
                for a in 0..<3 { probs[3 * s + a] = raw[3 * s + a] / sum }
            }
            let pol = try Policy(stateCount: 20, actionCount: 3, probabilities: probs)
            let v = try snap.policyValues(policy: pol, temperature: tau)
            let tv = try snap.policyBellman(values: v.values, policy: pol, temperature: tau)
            #expect(supNorm(tv, v.values) <= 1e-11)
            let opt = try snap.optimalValues(temperature: tau)
            for s in 0..<20 { #expect(v.values[s] <= opt.values[s] + 1e-10) }
            let br = try BestResponse.policy(qValues: opt.qValues, stateCount: 20, actionCount: 3, temperature: tau)
            let vbr = try snap.policyValues(policy: br, temperature: tau)
            #expect(supNorm(vbr.values, opt.values) <= 1e-10)
        }
    }

    @Test func greedyTieBreak() throws {
        let q = [1.0, 1.0 + 1e-13, 0.5,   // within 1e-12·(1+|max|): the first wins
                 1.0, 1.0 + 1e-9, 0.5,    // a real gap: the second wins
                 -3.0, -3.0, -3.0]        // exact ties: the first
        let p = try BestResponse.policy(qValues: q, stateCount: 3, actionCount: 3, temperature: 0)
        #expect(p.rows == [[1, 0, 0], [0, 1, 0], [1, 0, 0]])
    }

    @Test func softmaxIsStable() throws {
        let q = [1000.0, 1000.0, -1000.0]
        let p = try BestResponse.policy(qValues: q, stateCount: 1, actionCount: 3, temperature: 1e-3)
        #expect(p.probabilities == [0.5, 0.5, 0])
        let v = GameSnapshot.stateValues(q: q, stateCount: 1, actionCount: 3, temperature: 1e-3)
        #expect(isApproximatelyEqual(v[0], 1000 + 1e-3 * mathLog(2), absolute: 0, relative: 1e-14))
        let big = GameSnapshot.stateValues(q: [1e300, -1e300], stateCount: 1, actionCount: 2, temperature: 2)
        #expect(big[0] == 1e300)
    }

    /// Parallel and serial sweeps are bit-identical.
    @Test func parallelSweepIsBitIdentical() throws {
        let game = try TestGames.garnet(n: 500, m: 5, k: 8, set: .totalVariation(), radius: 0.1, seed: 21)
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / 500, count: 500))
        var rng = SplitMix64(seed: 2)
        let v = TestGames.randomVector(500, scale: 5, rng: &rng)
        let serial = try snap.robustQ(values: v, execution: .serial)
        let automatic = try snap.robustQ(values: v, execution: .automatic)
        let forced = try snap.robustQ(values: v, execution: .parallel)
        #expect(serial == automatic)
        #expect(serial == forced)
        let s1 = try snap.optimalValues(temperature: 0.2, options: .init(execution: .serial))
        let s2 = try snap.optimalValues(temperature: 0.2, options: .init(execution: .parallel))
        #expect(s1.values == s2.values)
        #expect(s1.qValues == s2.qValues)
        #expect(s1.worstCaseKernels == s2.worstCaseKernels)
    }

    /// The in-place sweep (none, tv, uniform l1) gives every row exactly what the
    /// per-row fast path gives against the sorted `V`, kernels included, serial or parallel;
    /// the population step computed without building the chain equals the chain's step bit
    /// for bit; the unmerged frozen Newton system has the solution of the merged one.
    @Test(arguments: [0, 1, 2, 3])
    func inPlaceSweepMatchesRows(variant: Int) throws {
        let n = 300, m = 4
        let sets: [AmbiguitySet] = [.nominalOnly, .totalVariation(), .totalVariation(support: .nominal),
                                    try AmbiguitySet(kind: .l1, weights: [Double](repeating: 2, count: n))]
        let set = sets[variant]
        #expect(set.writesRowsInPlace)
        let game = try TestGames.garnet(n: n, m: m, k: 6 + variant, set: set, radius: 0.15 + 0.2 * Double(variant),
                                        seed: UInt64(40 + variant))
        var rng = SplitMix64(seed: UInt64(7 + variant))
        var mu = TestGames.randomVector(n, scale: 1, rng: &rng).map { abs($0) + 0.01 }
        mu[3] = 0  // a state without mass: skipped by the population step
        let total = mu.reduce(0, +)
        mu = mu.map { $0 / total }
        let snap = try game.snapshot(at: mu)
        // Values with ties so the (V_t, t) tie-break matters.
        let v = (0..<n).map { _ in Double(Int.random(in: 0...20, using: &rng)) / 4 }
        for mode in [ExecutionMode.serial, .parallel] {
            let sweep = try Self.expectSweepMatchesRows(snap, values: v, mode: mode)
            let kernels = try #require(sweep.kernels)
            // Population step without the chain.
            let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: 0.3)
            let chain = TransitionMatrix(unchecked: policy.probabilities, kernelRows: kernels, stateCount: n, actionCount: m)
            #expect(TransitionMatrix.step(mu, policy: policy.probabilities, kernelRows: kernels, stateCount: n, actionCount: m)
                    == chain.step(mu))
            // Frozen system: BiCGSTAB (and Gauss–Seidel) on the unmerged rows against a dense solve of the merged chain.
            let c = (0..<n).map { _ in rng.unit() }
            let system = FrozenSystem(policy: policy.probabilities, kernels: kernels, stateCount: n, actionCount: m,
                                      gamma: snap.discount, rewards: c)
            let b = denseDiscountedSolve(chain, discount: snap.discount, rewards: c)
            let zero = [Double](repeating: 0, count: n)
            #expect(maxAbsDifference(system.solve(from: zero, errorTarget: 1e-11), b) <= 2e-11)
            #expect(maxAbsDifference(system.gaussSeidel(from: zero, errorTarget: 1e-11), b) <= 2e-11)
        }
    }

    /// Every set's sweep (in place, or generic with shared per-sweep work such as the
    /// Wasserstein envelopes) gives each row exactly the per-row fast path's result,
    /// kernels included, serial and parallel.
    @Test(arguments: 0..<9)
    func sweepMatchesRowsForEverySet(setIndex: Int) throws {
        let n = 60, m = 3
        let (set, radius) = try Self.sets(n)[setIndex]
        let game = try TestGames.garnet(n: n, m: m, k: 7, set: set, radius: radius, seed: UInt64(300 + setIndex))
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / Double(n), count: n))
        var rng = SplitMix64(seed: UInt64(17 + setIndex))
        // Ties in half of the states.
        let v = (0..<n).map { t in t % 2 == 0 ? Double(Int.random(in: 0...6, using: &rng)) : 6 * rng.unit() }
        for mode in [ExecutionMode.serial, .parallel] {
            _ = try Self.expectSweepMatchesRows(snap, values: v, mode: mode)
        }
    }

    /// Checks a sweep with kernels row by row against the per-row fast path (value
    /// and distribution, bit for bit), `robustQ` against its `Q`, and the state values
    /// (soft maximum, and a policy's values) against the reductions of that `Q`,
    /// whether or not the sweep fused them. Returns the sweep.
    static func expectSweepMatchesRows(_ snap: GameSnapshot, values v: [Double], mode: ExecutionMode) throws -> Sweep {
        let n = snap.stateCount, m = snap.actionCount, set = snap.ambiguity
        let sorted = SortedValues(v)
        let sweep = try snap.sweep(values: v, wantKernels: true, execution: mode)
        let kernels = try #require(sweep.kernels)
        for i in 0..<(n * m) {
            let (value, q) = set.worstCaseDistribution(nominal: snap.kernels[i], values: sorted, radius: snap.radii[i])
            #expect(sweep.q[i] == snap.rewards[i] + snap.discount * value, "\(set.kind) row \(i)")
            #expect(kernels.row(i) == q, "\(set.kind) row \(i)")
        }
        #expect(try snap.robustQ(values: v, execution: mode) == sweep.q)
        for tau in [0.0, 0.3] {
            let soft = GameSnapshot.stateValues(q: sweep.q, stateCount: n, actionCount: m, temperature: tau)
            #expect(try snap.bellman(values: v, temperature: tau, execution: mode) == soft, "\(set.kind) τ \(tau)")
            let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: 0.5).probabilities
            let fused = try snap.sweep(values: v, wantKernels: false, execution: mode, reduction: .policy(policy, temperature: tau))
            let expected = GameSnapshot.policyValues(q: sweep.q, policy: policy, stateCount: n, actionCount: m, temperature: tau)
            #expect((fused.stateValues ?? GameSnapshot.policyValues(q: fused.q, policy: policy, stateCount: n, actionCount: m,
                                                                     temperature: tau)) == expected, "\(set.kind) τ \(tau)")
        }
        return sweep
    }
}
