import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The first sweep of a value solve rebuilt from an earlier sweep at the same values
/// (``ReusableSweep``, Docs/Performance.md, section 4, "Fourth round"): at another mean field
/// (other rewards) it must be the fresh sweep bit for bit — `Q`, the fused state values of both
/// reductions and the kernels — and it must not be used for other values, other radii or sets
/// that do not write rows in place.
@Suite struct ReusableSweepTests {
    static func bits(_ x: [Double]) -> [UInt64] { x.map(\.bitPattern) }

    static func expectSameKernels(_ a: KernelRows?, _ b: KernelRows?) throws {
        let a = try #require(a), b = try #require(b)
        #expect(a.rowStart == b.rowStart && a.rowEnd == b.rowEnd)
        for i in 0..<a.rowStart.count {
            #expect(Array(a.indices[a.rowStart[i]..<a.rowEnd[i]]) == Array(b.indices[b.rowStart[i]..<b.rowEnd[i]]))
            #expect(bits(Array(a.probabilities[a.rowStart[i]..<a.rowEnd[i]]))
                    == bits(Array(b.probabilities[b.rowStart[i]..<b.rowEnd[i]])))
        }
    }

    /// TV (simplex and nominal support) and the nominal set; values with ties; the kept sweep at
    /// the uniform mean field, the rebuilt one at a random mean field (rewards `R − 0.5·μ(s)`).
    @Test(arguments: 0..<3)
    func rebuiltSweepIsTheFreshSweep(variant: Int) throws {
        let n = 31 + 6 * variant, m = 3
        let set: AmbiguitySet = [.totalVariation(), .totalVariation(support: .nominal), .nominalOnly][variant]
        let game = try TestGames.garnet(n: n, m: m, k: 4 + variant, set: set, radius: 0.2, seed: UInt64(910 + variant))
        var rng = SplitMix64(seed: UInt64(920 + variant))
        var mu = (0..<n).map { _ in rng.unit() + 0.01 }
        let total = mu.reduce(0, +)
        mu = mu.map { $0 / total }
        let kept = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        let next = try game.snapshot(at: mu)
        #expect(ReusableSweep.applies(to: kept))
        let v = (0..<n).map { _ in Double(Int.random(in: 0...5, using: &rng)) / 2 }
        var spare: SweepBuffers? = nil
        let first = try kept.sweep(values: v, wantKernels: true, execution: .serial, reduction: .softMax(temperature: 0.3),
                                   recycled: &spare, wantWorstValues: true)
        let worst = try #require(first.worstValues)
        // σ is what the sweep added to the rewards.
        for i in 0..<(n * m) { #expect((kept.rewards[i] + kept.discount * worst[i]).bitPattern == first.q[i].bitPattern) }
        let reusable = try #require(ReusableSweep(snapshot: kept, values: v, sweep: first))
        let policy = BestResponse.unchecked(qValues: first.q, stateCount: n, actionCount: m, temperature: 0.3).probabilities
        for reduction in [Reduction.softMax(temperature: 0.3), .softMax(temperature: 0), .policy(policy, temperature: 0.3)] {
            let fresh = try next.sweep(values: v, wantKernels: true, execution: .serial, reduction: reduction)
            let rebuilt = try #require(reusable.sweep(for: next, values: v, reduction: reduction))
            #expect(Self.bits(rebuilt.q) == Self.bits(fresh.q))
            #expect(Self.bits(try #require(rebuilt.stateValues)) == Self.bits(try #require(fresh.stateValues)))
            try Self.expectSameKernels(rebuilt.kernels, fresh.kernels)
        }
        // One bit of one value different: not reused.
        var w = v
        w[n / 2] = w[n / 2].nextUp
        #expect(reusable.sweep(for: next, values: w, reduction: .softMax(temperature: 0.3)) == nil)
        // Other radii: not reused.
        let wider = try TestGames.garnet(n: n, m: m, k: 4 + variant, set: set, radius: 0.25, seed: UInt64(910 + variant))
        #expect(reusable.sweep(for: try wider.snapshot(at: mu), values: v, reduction: .softMax(temperature: 0.3)) == nil)
    }

    /// The sweep reuse and the sweep pool together (the value solve of `PairEvaluator`, merged
    /// from two branches on 2026-12-03): a policy evaluation that keeps its first sweep, then an
    /// optimal-value solve at another mean field starting at the same values (its first sweep
    /// rebuilt), both drawing on a pool that holds other sweeps' buffers of the same size, return
    /// the plain solves' solutions bit for bit; the pool is fed by the discarded sweeps.
    @Test(arguments: [ExecutionMode.serial, .parallel])
    func reuseAndPoolTogetherGiveThePlainSolves(execution: ExecutionMode) throws {
        let n = 40, m = 3
        let game = try TestGames.garnet(n: n, m: m, k: 5, set: .totalVariation(), radius: 0.2, seed: 940)
        var rng = SplitMix64(seed: 941)
        var mu = (0..<n).map { _ in rng.unit() + 0.01 }
        let total = mu.reduce(0, +)
        mu = mu.map { $0 / total }
        let kept = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        let next = try game.snapshot(at: mu)
        let options = ValueSolverOptions(execution: execution)
        let optimal = try kept.solveValues(policy: nil, temperature: 0.3, warmStart: nil, options: options)
        let v = optimal.values
        let policy = BestResponse.unchecked(qValues: optimal.qValues, stateCount: n, actionCount: m, temperature: 0.3).probabilities
        let plainPolicy = try kept.solveValues(policy: policy, temperature: 0.3, warmStart: v, options: options)
        let plainNext = try next.solveValues(policy: nil, temperature: 0.3, warmStart: v, options: options)
        var pool = SweepPool()
        pool.give(SweepBuffers(try kept.sweep(values: (0..<n).map { _ in rng.unit() }, wantKernels: true, execution: .serial)))
        pool.give(SweepBuffers(try next.sweep(values: (0..<n).map { _ in rng.unit() }, wantKernels: true, execution: .serial)))
        var reuse: ReusableSweep? = nil
        let pooledPolicy = try kept.solveValues(policy: policy, temperature: 0.3, warmStart: v, options: options, engine: nil,
                                                pool: &pool, reuse: &reuse, keepFirst: true)
        let kept1 = try #require(reuse)
        #expect(kept1.sweep(for: next, values: v, reduction: .softMax(temperature: 0.3)) != nil)
        // The kept first sweep's kernels never go back to the pool (a later sweep would copy
        // them on write): the pool holds only sets of its own.
        let keptID = kept1.kernels.probabilities.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        #expect(keptID != nil && pool.reserved == keptID)
        #expect(pool.buffers.allSatisfy { $0.identity != keptID })
        let pooledNext = try next.solveValues(policy: nil, temperature: 0.3, warmStart: v, options: options, engine: nil,
                                              pool: &pool, reuse: &reuse)
        for (a, b) in [(pooledPolicy, plainPolicy), (pooledNext, plainNext)] {
            #expect(Self.bits(a.values) == Self.bits(b.values) && Self.bits(a.qValues) == Self.bits(b.qValues))
            #expect(a.sweeps == b.sweeps && a.errorBound.bitPattern == b.errorBound.bitPattern)
            try Self.expectSameKernels(a.kernelRows, b.kernelRows)
        }
        #expect(plainNext.sweeps > 1)
        #expect(!pool.buffers.isEmpty)
        #expect(pool.buffers.allSatisfy { $0.identity != keptID })
    }

    /// Regression (2026-12-03, found by callgrind: 2.9 M instructions of `memcpy` in a 200-state
    /// solve): the first sweep that a policy evaluation keeps for the next solve (``ReusableSweep``),
    /// and the next optimal-value solve's first sweep rebuilt from it, went back to the pool once the
    /// solve moved past them, so the next sweep that took that set copied all three kernel buffers
    /// on write (16 times in the CLI's 200-state solve). A whole Anderson solve of that size must
    /// not copy any set it takes from the pool, and must return the public solve's pair bit for bit.
    /// A second defect (2026-12-04, CI's sanitizer run, which builds without optimization): Anderson's
    /// first pair was also held by a local for the whole phase, so the set recycled from it was
    /// still shared and copied once; this test failed in debug builds only.
    @Test(arguments: [ExecutionMode.serial, .parallel])
    func noSweepCopiesAPooledSet(execution: ExecutionMode) throws {
        let game = try TestGames.garnet(n: 200, m: 5, k: 10, set: .totalVariation(), radius: 0.1, seed: 950)
        var options = EquilibriumOptions(method: .anderson, temperature: 0.2, tolerance: 1e-9, maxIterations: 200)
        options.values.execution = execution
        var run = SolverRun(game: game, options: options, method: .anderson)
        let result = try run.anderson()
        #expect(result.converged)
        #expect(run.evaluator.pool.copiedOnWrite == 0)
        let plain = try game.solveEquilibrium(options: options)
        #expect(Self.bits(result.meanField) == Self.bits(plain.meanField))
        #expect(result.exploitability.bitPattern == plain.exploitability.bitPattern)
    }

    /// Sets whose sweep is not written in place keep nothing.
    @Test func otherSetsKeepNothing() throws {
        let n = 12
        for (set, radius) in try BellmanTests.sets(n) where !set.writesRowsInPlace {
            let game = try TestGames.garnet(n: n, m: 2, k: 4, set: set, radius: radius, seed: 930)
            let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
            #expect(!ReusableSweep.applies(to: snap))
        }
    }
}
