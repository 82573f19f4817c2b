import Ambiguity
import Foundation
@testable import MeanField
import Testing
import TestSupport

/// The whole solve on two cores (Docs/Performance.md, "Two cores for the whole solve"):
/// blocked vector reductions, the Newton step's products, the grouped population step,
/// the parallel best response and policy rewards, and the recycled sweep buffers. Each is
/// compared with the plain serial computation on random games; small blocks
/// (``VectorBlocks/testBlock``) make small games take the multi-block paths.
@Suite struct ParallelSolveTests {
    /// Blocked sums and maxima: serial and parallel bit-identical; the sum within rounding
    /// of a plain loop (and equal to it with one block); the maximum exact.
    @Test(arguments: [1, 3, 7, 64])
    func blockedReductions(block: Int) {
        var rng = SplitMix64(seed: UInt64(90 + block))
        for n in [1, 2, 5, 63, 64, 65, 1000] {
            let x = (0..<n).map { _ in rng.unit() * 2 - 1 }
            let term: (Range<Int>) -> Double = { r in
                var s = 0.0
                for i in r { s += x[i] * x[i] }
                return s
            }
            let serial = VectorBlocks.sum(count: n, block: block, mode: .serial, term)
            let parallel = VectorBlocks.sum(count: n, block: block, mode: .parallel, term)
            #expect(serial == parallel)
            let plain = term(0..<n)
            #expect(isApproximatelyEqual(serial, plain, absolute: 0, relative: 1e-14))
            if n <= block { #expect(serial == plain) }
            let maxTerm: (Range<Int>) -> Double = { r in
                var m = 0.0
                for i in r { m = Swift.max(m, abs(x[i])) }
                return m
            }
            #expect(VectorBlocks.max(count: n, block: block, mode: .parallel, maxTerm) == maxTerm(0..<n))
            #expect(VectorBlocks.max(count: n, block: block, mode: .serial, maxTerm) == maxTerm(0..<n))
            // Each index visited exactly once, in blocks of the given length.
            var seen = [Int](repeating: 0, count: n)
            seen.withUnsafeMutableBufferPointer { sb in
                let out = UncheckedBox(sb)
                VectorBlocks.forEach(count: n, block: block, mode: .parallel) { r in
                    #expect(r.lowerBound % block == 0 && r.count <= block)
                    for i in r { out.value[i] += 1 }
                }
            }
            #expect(seen.allSatisfy { $0 == 1 })
        }
    }

    /// The Newton step's system: serial and parallel solves (small blocks) bit-identical,
    /// both within the error target of a dense LU solve of the merged chain; the product
    /// equals the merged chain's to rounding.
    @Test(arguments: 0..<4)
    func frozenSystemSerialParallel(variant: Int) throws {
        let n = 40 + 7 * variant, m = 3
        let game = try TestGames.garnet(n: n, m: m, k: 5 + variant, set: .totalVariation(), radius: 0.2 + 0.1 * Double(variant),
                                        seed: UInt64(500 + variant))
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        var rng = SplitMix64(seed: UInt64(600 + variant))
        let v = (0..<n).map { _ in Double(Int.random(in: 0...8, using: &rng)) / 2 }
        let sweep = try snap.sweep(values: v, wantKernels: true, execution: .serial)
        let kernels = try #require(sweep.kernels)
        // Policies with exact zeros (skipped actions) and a pure one.
        let tau = variant == 3 ? 0 : 0.3
        let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: tau)
        let c = (0..<n).map { _ in rng.unit() }
        let chain = TransitionMatrix(unchecked: policy.probabilities, kernelRows: kernels, stateCount: n, actionCount: m)
        let b = denseDiscountedSolve(chain, discount: snap.discount, rewards: c)
        let zero = [Double](repeating: 0, count: n)
        var results: [[Double]] = []
        for (mode, block) in [(ExecutionMode.serial, 5), (.parallel, 5), (.parallel, 1), (.serial, VectorBlocks.block)] {
            let system = FrozenSystem(policy: policy.probabilities, kernels: kernels, stateCount: n, actionCount: m,
                                      gamma: snap.discount, rewards: c, execution: mode, block: block)
            let w = system.solve(from: zero, errorTarget: 1e-11)
            #expect(maxAbsDifference(w, b) <= 2e-11)
            results.append(w)
            // The product against the merged chain's (I − γP)x.
            var y = [Double](repeating: 0, count: n)
            y.withUnsafeMutableBufferPointer { yb in
                guard let base = yb.baseAddress else { return }
                v.withUnsafeBufferPointer { vb in
                    guard let xb = vb.baseAddress else { return }
                    system.apply(xb, into: base)
                }
            }
            let px = chain.apply(v)
            for s in 0..<n {
                #expect(isApproximatelyEqual(y[s], v[s] - snap.discount * px[s], absolute: 1e-14, relative: 1e-14))
            }
        }
        #expect(results[0] == results[1])
        #expect(maxAbsDifference(results[0], results[3]) <= 2e-11)
    }

    /// A frozen system's inputs on a TV garnet of `n` states, `m` actions and `k` successors: the
    /// snapshot at the uniform law, the sweep's worst-case kernels at random values drawn from
    /// `rng`, and the policy of those values: softmax (`τ = 0.4`), pure for variant 1, and from
    /// variant 2 on with exact zeros on every third state's second action (the rest renormalized).
    static func systemInputs(n: Int, m: Int, k: Int, garnetSeed: UInt64, variant: Int,
                             rng: inout SplitMix64) throws -> (GameSnapshot, KernelRows, [Double]) {
        let game = try TestGames.garnet(n: n, m: m, k: k, set: .totalVariation(), radius: 0.15, seed: garnetSeed)
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        let v = (0..<n).map { _ in Double(Int.random(in: 0...6, using: &rng)) / 3 }
        let kernels = try #require(try snap.sweep(values: v, wantKernels: true, execution: .serial).kernels)
        let q = try snap.sweep(values: v, wantKernels: false, execution: .serial).q
        var policy = BestResponse.unchecked(qValues: q, stateCount: n, actionCount: m, temperature: variant == 1 ? 0 : 0.4)
            .probabilities
        if variant >= 2 {
            for s in stride(from: 0, to: n, by: 3) {
                policy[s * m + 1] = 0
                let total = (0..<m).reduce(0.0) { $0 + policy[s * m + $1] }
                for a in 0..<m { policy[s * m + a] /= total }
            }
        }
        return (snap, kernels, policy)
    }

    /// The Newton step's products with the weights computed once (``WeightedRows``, every
    /// small system) against the on-the-fly products (`weightedLimit: 0`, the path of large
    /// systems), which the test above checks against the merged chain: the same products and
    /// the same BiCGSTAB and Gauss–Seidel solutions bit for bit, serial and parallel (small
    /// blocks), with softmax policies, a pure one (skipped actions) and policies with exact zeros.
    @Test(arguments: 0..<4)
    func weightedProductsMatchOnTheFly(variant: Int) throws {
        let n = 37 + 11 * variant, m = 4
        var rng = SplitMix64(seed: UInt64(800 + variant))
        let (snap, kernels, policy) = try Self.systemInputs(n: n, m: m, k: 3 + 2 * variant, garnetSeed: UInt64(700 + variant),
                                                            variant: variant, rng: &rng)
        let c = (0..<n).map { _ in rng.unit() }
        let x = (0..<n).map { _ in rng.unit() * 4 - 2 }
        let zero = [Double](repeating: 0, count: n)
        for (mode, block) in [(ExecutionMode.serial, VectorBlocks.block), (.parallel, 5)] {
            let weighted = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount,
                                        rewards: c, execution: mode, block: block)
            let onTheFly = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount,
                                        rewards: c, execution: mode, block: block, weightedLimit: 0)
            #expect(weighted.weighted != nil && onTheFly.weighted == nil)
            #expect(LPSplitTests.product(weighted, x) == LPSplitTests.product(onTheFly, x))
            #expect(weighted.solve(from: zero, errorTarget: 1e-11) == onTheFly.solve(from: zero, errorTarget: 1e-11))
            #expect(weighted.gaussSeidel(from: zero, errorTarget: 1e-11) == onTheFly.gaussSeidel(from: zero, errorTarget: 1e-11))
        }
    }

    /// The weights merged by column (``WeightedRows/init(merging:kernels:stateCount:actionCount:mode:)``,
    /// forced on small systems through ``FrozenSystem/testMergedEntries``): every state's entries
    /// are the policy chain's row (``TransitionMatrix``), column for column and bit for bit; serial
    /// and parallel (small blocks) systems are the same bit for bit; their products agree with the
    /// unmerged ones to rounding, and their BiCGSTAB and Gauss–Seidel solutions with the unmerged
    /// solutions to the solves' accuracy. Softmax, pure and zero-holed policies.
    @Test(arguments: 0..<4)
    func mergedWeightsAreThePolicyChain(variant: Int) throws {
        let n = 37 + 11 * variant, m = 4
        var rng = SplitMix64(seed: UInt64(950 + variant))
        // At most 6 successors (7 with nature's state) in 4 actions: within the merge width.
        let (snap, kernels, policy) = try Self.systemInputs(n: n, m: m, k: 3 + variant, garnetSeed: UInt64(900 + variant),
                                                            variant: variant, rng: &rng)
        let chain = TransitionMatrix(unchecked: policy, kernelRows: kernels, stateCount: n, actionCount: m)
        let c = (0..<n).map { _ in rng.unit() }
        let x = (0..<n).map { _ in rng.unit() * 4 - 2 }
        let zero = [Double](repeating: 0, count: n)
        let plain = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount, rewards: c)
        var systems: [FrozenSystem] = []
        for (mode, block) in [(ExecutionMode.serial, VectorBlocks.block), (.parallel, 5)] {
            let merged = FrozenSystem.$testMergedEntries.withValue(0) {
                VectorBlocks.$testBlock.withValue(block == 5 ? 8 : nil) {
                    FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: m, gamma: snap.discount, rewards: c,
                                 execution: mode, block: block)
                }
            }
            let w = try #require(merged.weighted)
            for s in 0..<n {
                var entries: [Int: UInt64] = [:]
                for j in w.stateStart[s]..<w.stateStart[s + 1] { entries[Int(w.columns[j])] = w.weights[j].bitPattern }
                #expect(entries.count == w.stateStart[s + 1] - w.stateStart[s], "a column twice, state \(s)")
                var expected: [Int: UInt64] = [:]
                for j in chain.rowStart[s]..<chain.rowStart[s + 1] { expected[chain.columns[j]] = chain.probabilities[j].bitPattern }
                #expect(entries == expected, "state \(s)")
            }
            let (a, b) = (LPSplitTests.product(merged, x), LPSplitTests.product(plain, x))
            for s in 0..<n { #expect(abs(a[s] - b[s]) <= 1e-15 + 1e-14 * x.reduce(0) { max($0, abs($1)) }) }
            for (wa, wb) in [(merged.solve(from: zero, errorTarget: 1e-11), plain.solve(from: zero, errorTarget: 1e-11)),
                             (merged.gaussSeidel(from: zero, errorTarget: 1e-11), plain.gaussSeidel(from: zero, errorTarget: 1e-11))] {
                #expect(maxAbsDifference(wa, wb) <= 3e-11)
            }
            systems.append(merged)
        }
        #expect(systems[0].weighted?.weights == systems[1].weighted?.weights)
        #expect(systems[0].weighted?.columns == systems[1].weighted?.columns)
        #expect(LPSplitTests.product(systems[0], x) == LPSplitTests.product(systems[1], x))
    }

    /// Regression (review of 2026-12-07): the merge's threshold counts stored entries, not the
    /// sweep kernels' spare slot per row. Kernels with more slots than the threshold but exactly
    /// that many entries stay unmerged; one entry fewer in the threshold merges them.
    @Test func theMergeThresholdCountsStoredEntries() throws {
        var rng = SplitMix64(seed: 4711)
        let (snap, kernels, policy) = try Self.systemInputs(n: 40, m: 4, k: 3, garnetSeed: 4712, variant: 0, rng: &rng)
        let entries = kernels.entryCount
        #expect(kernels.indices.count > entries)
        let c = [Double](repeating: 1, count: 40)
        for (limit, merged) in [(entries, false), (entries - 1, true)] {
            let system = FrozenSystem.$testMergedEntries.withValue(limit) {
                FrozenSystem(policy: policy, kernels: kernels, stateCount: 40, actionCount: 4, gamma: snap.discount, rewards: c)
            }
            let columns = try #require(system.weighted).columns.count
            #expect((columns < entries) == merged, "limit \(limit): \(columns) of \(entries) entries")
        }
    }

    /// A garnet with a state of more than ``WeightedRows/mergeWidth`` distinct columns, merging
    /// forced: the system keeps every entry unmerged.
    @Test func wideStatesStayUnmerged() throws {
        // Wide states (4 actions of 12 successors among 400 states: more than 32 distinct columns
        // at some state): the unmerged rows.
        let wide = try TestGames.garnet(n: 400, m: 4, k: 12, set: .totalVariation(), radius: 0.15, seed: 990)
        let wideSnap = try wide.snapshot(at: [Double](repeating: 1 / 400.0, count: 400))
        let wideKernels = try #require(try wideSnap.sweep(values: [Double](repeating: 0, count: 400), wantKernels: true,
                                                          execution: .serial).kernels)
        let uniform = [Double](repeating: 0.25, count: 1600)
        let wideChain = TransitionMatrix(unchecked: uniform, kernelRows: wideKernels, stateCount: 400, actionCount: 4)
        #expect((0..<400).contains { wideChain.rowStart[$0 + 1] - wideChain.rowStart[$0] > WeightedRows.mergeWidth })
        let unmerged = FrozenSystem.$testMergedEntries.withValue(0) {
            FrozenSystem(policy: uniform, kernels: wideKernels, stateCount: 400, actionCount: 4, gamma: 0.9,
                         rewards: [Double](repeating: 0, count: 400))
        }
        // Every entry of every row (the sweep's kernels keep a spare slot per row).
        let entries = (0..<1600).reduce(0) { $0 + wideKernels.rowEnd[$1] - wideKernels.rowStart[$1] }
        #expect(unmerged.weighted?.columns.count == entries && entries > wideChain.columns.count)
    }

    /// The grouped population step: serial and parallel bit-identical for every number of
    /// groups, equal to the chain's step with one group and within rounding with more;
    /// states without mass are skipped.
    @Test(arguments: 0..<3)
    func groupedPopulationStep(variant: Int) throws {
        let n = 50 + 13 * variant, m = 4
        let game = try TestGames.garnet(n: n, m: m, k: 6, set: .totalVariation(), radius: 0.15, seed: UInt64(700 + variant))
        var rng = SplitMix64(seed: UInt64(800 + variant))
        var mu = (0..<n).map { _ in rng.unit() + 0.01 }
        mu[0] = 0
        mu[n - 1] = 0
        let total = mu.reduce(0, +)
        mu = mu.map { $0 / total }
        let snap = try game.snapshot(at: mu)
        let v = (0..<n).map { _ in rng.unit() * 5 }
        let sweep = try snap.sweep(values: v, wantKernels: true, execution: .serial)
        let kernels = try #require(sweep.kernels)
        let policy = BestResponse.unchecked(qValues: sweep.q, stateCount: n, actionCount: m, temperature: 0.4).probabilities
        let chain = TransitionMatrix(unchecked: policy, kernelRows: kernels, stateCount: n, actionCount: m).step(mu)
        for groups in [1, 2, 3, 4, 7, n] {
            let serial = TransitionMatrix.step(mu, policy: policy, kernelRows: kernels, stateCount: n, actionCount: m,
                                               execution: .serial, groups: groups)
            let parallel = TransitionMatrix.step(mu, policy: policy, kernelRows: kernels, stateCount: n, actionCount: m,
                                                 execution: .parallel, groups: groups)
            #expect(serial == parallel)
            if groups == 1 { #expect(serial == chain) }
            for t in 0..<n { #expect(isApproximatelyEqual(serial[t], chain[t], absolute: 1e-17, relative: 1e-14)) }
            #expect(abs(serial.reduce(0, +) - 1) <= 1e-14)
        }
    }

    /// Best responses (greedy with ties, softmax) and policy rewards: parallel blocks equal
    /// the serial loop bit for bit.
    @Test func bestResponseAndPolicyRewards() throws {
        var rng = SplitMix64(seed: 4242)
        let n = 97, m = 5
        // Ties: Q on a coarse grid.
        let q = (0..<(n * m)).map { _ in Double(Int.random(in: 0...4, using: &rng)) / 3 }
        for tau in [0, 0.2, 5] {
            let serial = BestResponse.unchecked(qValues: q, stateCount: n, actionCount: m, temperature: tau)
            let parallel = VectorBlocks.$testBlock.withValue(3) {
                BestResponse.unchecked(qValues: q, stateCount: n, actionCount: m, temperature: tau, execution: .parallel)
            }
            #expect(serial == parallel)
            #expect(serial == (try BestResponse.policy(qValues: q, stateCount: n, actionCount: m, temperature: tau)))
            let rewardsSerial = GameSnapshot.policyRewards(rewards: q, policy: serial.probabilities, stateCount: n,
                                                           actionCount: m, temperature: tau)
            let rewardsParallel = VectorBlocks.$testBlock.withValue(3) {
                GameSnapshot.policyRewards(rewards: q, policy: serial.probabilities, stateCount: n, actionCount: m,
                                           temperature: tau, execution: .parallel)
            }
            #expect(rewardsSerial == rewardsParallel)
            for s in 0..<n {
                var acc = 0.0
                for a in 0..<m where serial.probabilities[s * m + a] > 0 {
                    let p = serial.probabilities[s * m + a]
                    acc += p * (tau > 0 ? q[s * m + a] - tau * Foundation.log(p) : q[s * m + a])
                }
                #expect(isApproximatelyEqual(rewardsSerial[s], acc, absolute: 1e-15, relative: 1e-14))
            }
        }
    }

    /// A sweep written into a discarded sweep's buffers equals a sweep into new ones
    /// (values, kernels, state values), for both reductions; wrong-sized buffers are not used.
    @Test func recycledSweepBuffers() throws {
        let n = 45, m = 3
        let game = try TestGames.garnet(n: n, m: m, k: 6, set: .totalVariation(), radius: 0.3, seed: 91)
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        var rng = SplitMix64(seed: 92)
        let policy = BestResponse.unchecked(qValues: (0..<(n * m)).map { _ in rng.unit() }, stateCount: n, actionCount: m,
                                            temperature: 0.5).probabilities
        for reduction in [Reduction.softMax(temperature: 0.2), .policy(policy, temperature: 0.2)] {
            let first = (0..<n).map { _ in Double(Int.random(in: 0...5, using: &rng)) }
            let second = (0..<n).map { _ in rng.unit() * 3 }
            let fresh = try snap.sweep(values: second, wantKernels: true, execution: .serial, reduction: reduction)
            for mode in [ExecutionMode.serial, .parallel] {
                var spare = SweepBuffers(try snap.sweep(values: first, wantKernels: true, execution: mode, reduction: reduction))
                #expect(spare != nil)
                let reused = try snap.sweep(values: second, wantKernels: true, execution: mode, reduction: reduction,
                                            recycled: &spare)
                #expect(spare == nil)
                #expect(reused.q == fresh.q)
                #expect(reused.stateValues == fresh.stateValues)
                #expect(try #require(reused.kernels).rows == (try #require(fresh.kernels)).rows)
            }
        }
        // Buffers of another game's size are dropped, not written.
        let other = try TestGames.garnet(n: n + 1, m: m, k: 6, set: .totalVariation(), radius: 0.3, seed: 93)
        let otherSnap = try other.snapshot(at: [Double](repeating: 1 / Double(n + 1), count: n + 1))
        var wrong = SweepBuffers(try otherSnap.sweep(values: [Double](repeating: 0, count: n + 1), wantKernels: true,
                                                     execution: .serial))
        let v = (0..<n).map { Double($0 % 4) }
        let reused = try snap.sweep(values: v, wantKernels: true, execution: .serial, recycled: &wrong)
        let fresh = try snap.sweep(values: v, wantKernels: true, execution: .serial)
        #expect(reused.q == fresh.q)
        #expect(try #require(reused.kernels).rows == (try #require(fresh.kernels)).rows)
    }

    /// The sweep pool: at most ``SweepPool/capacity`` sets kept; buffers of a solution's
    /// kernels without `Q` (the dropped kernels of `V*`) give the same sweep as new buffers;
    /// buffers still held by a live sweep are copied on write, never overwritten; and value
    /// solves drawing on a pool of other sweeps' buffers return the same solution bit for bit.
    @Test func sweepPoolRecyclesWithoutSharing() throws {
        let n = 45, m = 3
        let game = try TestGames.garnet(n: n, m: m, k: 6, set: .totalVariation(), radius: 0.3, seed: 94)
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        var rng = SplitMix64(seed: 95)
        let a = (0..<n).map { _ in rng.unit() * 4 }, b = (0..<n).map { _ in rng.unit() * 4 }
        let reduction = Reduction.softMax(temperature: 0.2)
        let live = try snap.sweep(values: a, wantKernels: true, execution: .serial, reduction: reduction)
        let liveKernels = try #require(live.kernels)
        let liveRows = liveKernels.rows, liveQ = live.q
        let fresh = try snap.sweep(values: b, wantKernels: true, execution: .serial, reduction: reduction)
        var pool = SweepPool()
        pool.give(SweepBuffers(kernels: liveKernels, q: []))
        var recycled = pool.take()
        #expect(pool.buffers.isEmpty)
        let reused = try snap.sweep(values: b, wantKernels: true, execution: .serial, reduction: reduction, recycled: &recycled)
        #expect(recycled == nil)
        #expect(reused.q == fresh.q && reused.stateValues == fresh.stateValues)
        #expect(try #require(reused.kernels).rows == (try #require(fresh.kernels)).rows)
        #expect(try #require(live.kernels).rows == liveRows && live.q == liveQ)
        var full = SweepPool()
        for _ in 0..<3 { full.give(SweepBuffers(kernels: liveKernels, q: liveQ)) }
        full.give(nil)
        #expect(full.buffers.count == SweepPool.capacity)
        // Value solves with a pool of unrelated buffers, and with an empty one.
        let policy = BestResponse.unchecked(qValues: fresh.q, stateCount: n, actionCount: m, temperature: 0.2).probabilities
        for p in [nil, policy] as [[Double]?] {
            let options = ValueSolverOptions(execution: .serial)
            var junk = SweepPool()
            junk.give(SweepBuffers(try snap.sweep(values: a, wantKernels: true, execution: .serial)))
            junk.give(SweepBuffers(try snap.sweep(values: b, wantKernels: true, execution: .serial)))
            let plain = try snap.solveValues(policy: p, temperature: 0.2, warmStart: nil, options: options)
            var noReuse: ReusableSweep? = nil
            let pooled = try snap.solveValues(policy: p, temperature: 0.2, warmStart: nil, options: options, engine: nil, pool: &junk,
                                              reuse: &noReuse)
            #expect(pooled.values == plain.values && pooled.qValues == plain.qValues && pooled.sweeps == plain.sweeps)
            #expect(pooled.kernelRows.rows == plain.kernelRows.rows)
        }
    }

    /// Whole solves with small blocks (every parallel path multi-block): serial and
    /// parallel bit-identical, and the same equilibrium as the default blocks to tolerance.
    /// (EquilibriumTests.serialAndParallelRunsAreIdentical checks the default blocks
    /// through the public API only.)
    @Test(arguments: [(60, 4, 6, 0.2), (80, 3, 5, 0.05)])
    func smallBlockSolvesAreIdenticalAcrossModes(n: Int, m: Int, k: Int, temperature: Double) throws {
        let game = try TestGames.garnet(n: n, m: m, k: k, set: .totalVariation(), radius: 0.1, seed: UInt64(n + k))
        var serial = EquilibriumOptions(temperature: temperature)
        serial.execution = .serial
        var parallel = serial
        parallel.execution = .parallel
        let (a, b, groups) = try VectorBlocks.$testBlock.withValue(8) {
            (try game.solveEquilibrium(options: serial), try game.solveEquilibrium(options: parallel),
             TransitionMatrix.populationGroups(stateCount: n))
        }
        #expect(groups == 4)
        #expect(a.converged)
        expectIdentical(a, b)
        let plain = try game.solveEquilibrium(options: serial)
        #expect(plain.converged)
        #expect(maxAbsDifference(plain.meanField, a.meanField) <= 1e-7)
        let check = try game.evaluate(policy: a.policy, meanField: a.meanField, temperature: temperature)
        #expect(check.exploitability <= 2e-9 && check.stationarityResidual <= 2e-9)
    }
}
