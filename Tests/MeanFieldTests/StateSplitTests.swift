import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The Newton step's per-state work split with an idle LP worker (``StateSplit``) and the
/// flat Anderson least squares give the numbers of one thread and of the nested-array
/// code, bit for bit.
@Suite struct StateSplitTests {
    /// Whole LP-path equilibria: serial (one LP worker, nothing split) and parallel (one
    /// worker per core; with two or more cores the Newton steps are split) agree bit for bit,
    /// with the soft best response and the greedy one.
    @Test func lpEquilibriaAreIdenticalSerialAndParallel() throws {
        let sets: [AmbiguitySet] = [.totalVariation(), try AmbiguitySet(kind: .linf)]
        for (k, set) in sets.enumerated() {
            for tau in [0.2, 0.0] {
                let game = try TestGames.garnet(n: 40, m: 3, k: 5, set: set, radius: 0.1, seed: UInt64(90 + k))
                var results: [EquilibriumResult] = []
                for execution in [ExecutionMode.serial, .parallel] {
                    var options = EquilibriumOptions(temperature: tau, maxIterations: 200, inner: .lp)
                    options.execution = execution
                    results.append(try game.solveEquilibrium(options: options))
                }
                let (a, b) = (results[0], results[1])
                let label = "\(set.kind) τ=\(tau)"
                #expect(a.iterations == b.iterations, "\(label)")
                #expect(a.meanField.map(\.bitPattern) == b.meanField.map(\.bitPattern), "\(label)")
                #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "\(label)")
                #expect(a.optimalValues.map(\.bitPattern) == b.optimalValues.map(\.bitPattern), "\(label)")
                #expect(a.policy.probabilities.map(\.bitPattern) == b.policy.probabilities.map(\.bitPattern), "\(label)")
                #expect(a.exploitability.bitPattern == b.exploitability.bitPattern, "\(label)")
            }
        }
    }

    /// Random frozen systems (policies with zeros, self-loops, τ = 0 and τ > 0): the
    /// products, the best response, the policy's rewards and a whole BiCGSTAB solve with
    /// half the states on a worker thread equal one thread's, bit for bit.
    @Test func splitWorkEqualsOneThread() throws {
        var rng = SplitMix64(seed: 2212)
        let engine = LPRowEngine(rows: 60, actionCount: 3, workerCount: 2)
        for trial in 0..<12 {
            let n = 20, m = 3
            let (rewardTable, kernelTable) = TestGames.randomTables(n: n, m: m, k: 1 + trial % 6, seed: UInt64(40 + trial))
            let kernels = KernelRows(rows: kernelTable.flatMap { $0 })
            let rewards = rewardTable.flatMap { $0 }
            let q = TestGames.randomVector(n * m, scale: trial % 3 == 0 ? 1e3 : 1, rng: &rng)
            let tau = trial % 4 == 0 ? 0 : 0.05 * Double(trial)
            var given: [Double]? = nil
            if trial % 2 == 1 {
                var p = (0..<(n * m)).map { i in i % 4 == 0 ? 0 : rng.unit() + 0.01 }
                for s in 0..<n {
                    let total = p[(s * m)..<(s * m + m)].reduce(0, +)
                    for a in 0..<m { p[s * m + a] = total > 0 ? p[s * m + a] / total : 1.0 / Double(m) }
                }
                given = p
            }
            let policy = given ?? BestResponse.unchecked(qValues: q, stateCount: n, actionCount: m, temperature: tau).probabilities
            let c = GameSnapshot.policyRewards(rewards: rewards, policy: policy, stateCount: n, actionCount: m, temperature: tau)
            let one = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: 0.9, rewards: c)
            let start = TestGames.randomVector(n, scale: 2, rng: &rng)
            let reference = one.solve(from: start, errorTarget: 1e-11)
            let split = engine.withStateSplit(stateCount: n, entries: kernels.indices.count, execution: .parallel) { split in
                split.map { split in
                    let terms = GameSnapshot.newtonTerms(policy: given, q: q, rewards: rewards, actionCount: m,
                                                         temperature: tau, split: split)
                    let system = FrozenSystem(policy: terms.policy, kernels: kernels, stateCount: n, actionCount: m,
                                              gamma: 0.9, rewards: terms.rewards, split: split)
                    return (terms, system.solve(from: start, errorTarget: 1e-11))
                }
            }
            let (terms, solved) = try #require(split, "two workers split")
            #expect(terms.policy.map(\.bitPattern) == policy.map(\.bitPattern), "trial \(trial)")
            #expect(terms.rewards.map(\.bitPattern) == c.map(\.bitPattern), "trial \(trial)")
            #expect(solved.map(\.bitPattern) == reference.map(\.bitPattern), "trial \(trial)")
        }
        // The engine still sweeps after its worker served splits (its mailbox is clean).
        let game = try TestGames.garnet(n: 20, m: 3, k: 4, set: .totalVariation(), radius: 0.1, seed: 5)
        let snap = try game.snapshot(at: [Double](repeating: 1.0 / 20, count: 20))
        let v = TestGames.randomVector(20, scale: 1, rng: &rng)
        let fresh = LPRowEngine(rows: 60, actionCount: 3, workerCount: 1)
        let swept = try engine.sweep(snapshot: snap, values: v, wantKernels: true).sigma
        #expect(swept.map(\.bitPattern) == (try fresh.sweep(snapshot: snap, values: v, wantKernels: true).sigma).map(\.bitPattern))
    }

    /// Engines of one worker, and below the entry threshold under `.automatic`, do not split.
    @Test func splitsOnlyWithTwoWorkersAndEnoughEntries() {
        let single = LPRowEngine(rows: 60, actionCount: 3, workerCount: 1)
        #expect(single.withStateSplit(stateCount: 20, entries: 1 << 20, execution: .parallel) { $0 == nil })
        let two = LPRowEngine(rows: 60, actionCount: 3, workerCount: 2)
        #expect(two.withStateSplit(stateCount: 20, entries: LPRowEngine.splitEntryThreshold - 1, execution: .automatic) { $0 == nil })
        #expect(two.withStateSplit(stateCount: 20, entries: LPRowEngine.splitEntryThreshold, execution: .automatic) { $0 != nil })
        #expect(two.withStateSplit(stateCount: 20, entries: 10, execution: .parallel) { $0 != nil })
    }

    /// The flat least squares of Anderson's extrapolation against the nested-array code it
    /// replaced (``referenceLeastSquares``): the same coefficients and the same dropped
    /// columns, bit for bit, on random histories with dependent and tiny columns.
    @Test func flatLeastSquaresEqualsNestedArrays() {
        var rng = SplitMix64(seed: 2213)
        for trial in 0..<200 {
            let n = 1 + trial % 37, k = trial % 7
            var dF = (0..<k).map { _ in TestGames.randomVector(n, scale: trial % 5 == 0 ? 1e-6 : 1, rng: &rng) }
            if k >= 2, trial % 3 == 0 { dF[1] = dF[0].map { 2 * $0 } }  // dependent: dropped
            if k >= 1, trial % 11 == 0 { dF[k - 1] = [Double](repeating: 0, count: n) }
            var dX = (0..<k).map { _ in TestGames.randomVector(n, scale: 1, rng: &rng) }
            let f = TestGames.randomVector(n, scale: 1, rng: &rng)
            var dF2 = dF, dX2 = dX
            let flat = SolverRun.leastSquares(&dF, &dX, f)
            let nested = Self.referenceLeastSquares(&dF2, &dX2, f)
            #expect(flat.map(\.bitPattern) == nested.map(\.bitPattern), "trial \(trial)")
            #expect(dF == dF2 && dX == dX2, "trial \(trial)")
        }
    }

    /// The nested-array modified Gram–Schmidt least squares that `SolverRun.leastSquares`
    /// computed before it worked on one flat buffer (verbatim).
    static func referenceLeastSquares(_ dF: inout [[Double]], _ dX: inout [[Double]], _ f: [Double]) -> [Double] {
        while !dF.isEmpty {
            let k = dF.count
            var q = dF
            var r = [Double](repeating: 0, count: k * k)
            var ok = true
            var maxDiag = 0.0
            for j in 0..<k {
                for i in 0..<j {
                    var dot = 0.0
                    for t in q[j].indices { dot += q[i][t] * q[j][t] }
                    r[i * k + j] = dot
                    for t in q[j].indices { q[j][t] -= dot * q[i][t] }
                }
                var nrm = 0.0
                for t in q[j].indices { nrm += q[j][t] * q[j][t] }
                nrm = nrm.squareRoot()
                r[j * k + j] = nrm
                maxDiag = max(maxDiag, nrm)
                if !(nrm > 1e-10 * maxDiag) || !(nrm > 1e-300) {
                    ok = false
                    break
                }
                for t in q[j].indices { q[j][t] /= nrm }
            }
            if ok {
                var rhs = [Double](repeating: 0, count: k)
                for j in 0..<k {
                    var dot = 0.0
                    for t in f.indices { dot += q[j][t] * f[t] }
                    rhs[j] = dot
                }
                var g = [Double](repeating: 0, count: k)
                var j = k - 1
                while j >= 0 {
                    var s = rhs[j]
                    for i in (j + 1)..<max(j + 1, k) { s -= r[j * k + i] * g[i] }
                    g[j] = s / r[j * k + j]
                    j -= 1
                }
                if g.allSatisfy({ $0.isFinite }) { return g }
            }
            dF.removeFirst()
            dX.removeFirst()
        }
        return []
    }
}
