import Ambiguity
@testable import MeanField
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Anderson on lazy population steps (`G(μ) = μ L^k`, `L = (I + P)/2`), against
/// independent computations: dense matrix powers, the stationary law of a dense linear
/// solve, the one-step map's equilibrium, and every returned pair re-evaluated from scratch.
@Suite struct AndersonStepsTests {
    /// `μ L^k` by dense row-vector products with `L = (I + P)/2` built entry by entry.
    static func denseLazyPower(_ mu: [Double], _ p: [[Double]], steps: Int) -> [Double] {
        let n = p.count
        var x = mu
        for _ in 0..<steps {
            var y = [Double](repeating: 0, count: n)
            for s in 0..<n {
                for t in 0..<n { y[t] += x[s] * ((s == t ? 0.5 : 0) + 0.5 * p[s][t]) }
            }
            x = y
        }
        return x
    }

    static func randomDistribution(_ n: Int, _ rng: inout SplitMix64) -> [Double] {
        var mu = (0..<n).map { _ in rng.next() % 4 == 0 ? 0 : rng.unit() }
        mu[Int(rng.next() % UInt64(n))] += 0.1
        let total = mu.reduce(0, +)
        return mu.map { $0 / total }
    }

    /// `k` lazy steps of random chains (closed classes, periodic cycles, leaks of 0.3 and
    /// 1e-12, zeros in `μ`) equal the dense powers; serial and parallel runs are bit-identical.
    @Test func lazyStepsEqualDensePowers() throws {
        let seed = TestSeed()
        var rng = seed.generator
        for trial in 0..<40 {
            let n = 2 + Int(rng.next() % 40)
            let leak = trial % 2 == 0 ? 0.3 : 1e-12
            let p = StationaryTests.randomChain(&rng, states: n, leak: leak)
            let chain = try StationaryTests.matrix(p)
            let mu = Self.randomDistribution(n, &rng)
            let map = LazyPopulationSteps(chain)
            for steps in [0, 1, 2, 7, 64] {
                let got = map.apply(mu, steps: steps, execution: .serial)
                let want = Self.denseLazyPower(mu, p, steps: steps)
                #expect(isApproximatelyEqual(got, want, absolute: 1e-15, relative: 1e-12),
                        "n = \(n), k = \(steps): max error \(maxAbsDifference(got, want)), \(seed)")
                let parallel = VectorBlocks.$testBlock.withValue(3) { map.apply(mu, steps: steps, execution: .parallel) }
                #expect(parallel == got, "n = \(n), k = \(steps), \(seed)")
            }
        }
    }

    /// Lazy steps that stop once a step moves `ν` by at most a threshold, against dense
    /// powers: they stop at the first such step of the dense movements (to rounding), the
    /// result is within `(k − j)·threshold` of `μ L^k` (a step of the non-expanding `L`
    /// moves `ν` no more than the step before), serial and parallel runs (small blocks) stop
    /// at the same step bit for bit, and a negative threshold gives `μ L^k` exactly.
    @Test func stoppedStepsStayWithinTheirBound() throws {
        let seed = TestSeed()
        var rng = seed.generator
        for trial in 0..<30 {
            let n = 2 + Int(rng.next() % 40)
            let p = StationaryTests.randomChain(&rng, states: n, leak: trial % 2 == 0 ? 0.3 : 1e-12)
            let map = LazyPopulationSteps(try StationaryTests.matrix(p))
            let mu = Self.randomDistribution(n, &rng)
            let k = 64
            let full = map.apply(mu, steps: k, execution: .serial)
            let unstopped = map.apply(mu, steps: k, stopChange: -1, execution: .serial)
            #expect(unstopped.image == full && unstopped.steps == k)
            var dense = [mu]
            for j in 1...k { dense.append(Self.denseLazyPower(dense[j - 1], p, steps: 1)) }
            for threshold in [1e-2, 1e-5, 1e-9, 1e-13] {
                let (image, taken) = map.apply(mu, steps: k, stopChange: threshold, execution: .serial)
                let label = "n = \(n), threshold \(threshold), \(taken) steps, \(seed)"
                #expect(taken >= 1 && taken <= k, "\(label)")
                if taken < k { #expect(Simplex.l1(dense[taken], dense[taken - 1]) <= threshold + 1e-14, "\(label)") }
                if taken > 1 { #expect(Simplex.l1(dense[taken - 1], dense[taken - 2]) > threshold - 1e-14, "\(label)") }
                #expect(Simplex.l1(image, full) <= Double(k - taken) * threshold + 1e-13, "\(label)")
                #expect(isApproximatelyEqual(image, dense[taken], absolute: 1e-15, relative: 1e-12), "\(label)")
                // The stop sums the movement by blocks: the same blocks give the same stop.
                let (serial, parallel) = VectorBlocks.$testBlock.withValue(3) {
                    (map.apply(mu, steps: k, stopChange: threshold, execution: .serial),
                     map.apply(mu, steps: k, stopChange: threshold, execution: .parallel))
                }
                #expect(parallel.image == serial.image && parallel.steps == serial.steps, "\(label)")
            }
        }
    }

    /// The column form built straight from a policy and kernel rows (worst-case rows with
    /// gaps between slots, policies with exact zeros and pure rows, 1 to 9 groups, serial
    /// and parallel) equals the serial counting sort of the row-sorted chain entry for
    /// entry, and so do its lazy steps.
    @Test(arguments: 0..<6)
    func parallelColumnBuildEqualsTheSortedChain(variant: Int) throws {
        let n = 30 + 11 * variant, m = 2 + variant % 3
        let game = try TestGames.garnet(n: n, m: m, k: 3 + variant, set: .totalVariation(), radius: 0.05 * Double(variant),
                                        seed: UInt64(700 + variant))
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        var rng = SplitMix64(seed: UInt64(710 + variant))
        let v = (0..<n).map { _ in Double(Int.random(in: 0...5, using: &rng)) }
        let kernels = try #require(try snap.sweep(values: v, wantKernels: true, execution: .serial).kernels)
        let rowSets: [KernelRows] = [kernels, snap.layout.rows]
        for (r, rows) in rowSets.enumerated() {
            var policy = BestResponse.unchecked(qValues: (0..<(n * m)).map { _ in rng.unit() }, stateCount: n, actionCount: m,
                                                temperature: variant % 2 == 0 ? 0.3 : 0).probabilities
            for i in policy.indices where i % 7 == 3 && policy[i] < 0.5 { policy[i] = 0 }
            let chain = TransitionMatrix(unchecked: policy, kernelRows: rows, stateCount: n, actionCount: m)
            let reference = LazyPopulationSteps(chain)
            let mu = Self.randomDistribution(n, &rng)
            let want = reference.apply(mu, steps: 5, execution: .serial)
            for (mode, groups) in [(ExecutionMode.serial, nil), (.serial, 3), (.parallel, nil), (.parallel, 2), (.parallel, 9),
                                   (.automatic, nil)] as [(ExecutionMode, Int?)] {
                let built = LazyPopulationSteps(policy: policy, kernelRows: rows, stateCount: n, actionCount: m,
                                                execution: mode, groups: groups)
                let label = "variant \(variant), rows \(r), \(mode) \(groups.map(String.init) ?? "default")"
                // The arrays have room for every kernel entry; entries past the last column are never read.
                let total = reference.columnStart[n]
                #expect(built.columnStart == reference.columnStart, "\(label)")
                #expect(built.sources.count >= total && Array(built.sources[0..<total]) == reference.sources, "\(label)")
                #expect(built.weights.count >= total && Array(built.weights[0..<total]) == reference.weights, "\(label)")
                let got = VectorBlocks.$testBlock.withValue(4) { built.apply(mu, steps: 5, execution: mode) }
                #expect(got == want, "\(label)")
            }
        }
    }

    /// The chain built in recycled buffers (``ChainBuffers``: those of chains of other
    /// policies, other kernels, another game size, and of the same game with more entries)
    /// equals the column form of the row-sorted chain entry for entry, and its steps are
    /// bit-identical; the buffers' entries past the last column are never read.
    @Test(arguments: 0..<4)
    func recycledChainBuffersGiveTheSameChain(variant: Int) throws {
        let m = 2 + variant % 3
        var spare = ChainBuffers()
        var rng = SplitMix64(seed: UInt64(900 + variant))
        for (round, n) in [40, 40, 57, 40, 40, 23].enumerated() {
            let game = try TestGames.garnet(n: n, m: m, k: 2 + (round + variant) % 5, set: .totalVariation(),
                                            radius: 0.1 * Double(round % 3), seed: UInt64(920 + 10 * variant + round))
            let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
            let v = (0..<n).map { _ in Double(Int.random(in: 0...4, using: &rng)) }
            let rows = round % 2 == 0 ? snap.layout.rows : try #require(try snap.sweep(values: v, wantKernels: true, execution: .serial).kernels)
            var policy = BestResponse.unchecked(qValues: (0..<(n * m)).map { _ in rng.unit() }, stateCount: n, actionCount: m,
                                                temperature: round % 3 == 0 ? 0 : 0.4).probabilities
            for i in policy.indices where i % 5 == 2 && policy[i] < 0.5 { policy[i] = 0 }
            let reference = LazyPopulationSteps(TransitionMatrix(unchecked: policy, kernelRows: rows, stateCount: n, actionCount: m))
            let mode: ExecutionMode = round % 2 == 0 ? .parallel : .serial
            let built = LazyPopulationSteps(policy: policy, kernelRows: rows, stateCount: n, actionCount: m, execution: mode,
                                            groups: 1 + round % 3, recycling: &spare)
            let label = "variant \(variant), round \(round), n \(n)"
            let total = reference.columnStart[n]
            #expect(built.columnStart == reference.columnStart, "\(label)")
            #expect(built.sources.count >= total && Array(built.sources[0..<total]) == reference.sources, "\(label)")
            #expect(built.weights.count >= total
                    && Array(built.weights[0..<total]).map(\.bitPattern) == reference.weights.map(\.bitPattern), "\(label)")
            let mu = Self.randomDistribution(n, &rng)
            let want = reference.apply(mu, steps: 6, execution: .serial)
            let got = VectorBlocks.$testBlock.withValue(4) { built.apply(mu, steps: 6, execution: mode) }
            #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "\(label)")
            built.recycle(into: &spare)
        }
    }

    /// Whole Anderson solves on lazy steps with small blocks (parallel column build,
    /// multi-block steps): serial and parallel runs return the same pair bit for bit.
    @Test func lazyStepSolvesAreIdenticalAcrossModes() throws {
        let game = try TestGames.garnet(n: 90, m: 4, k: 6, set: .totalVariation(), radius: 0.1, seed: 77)
        var serial = EquilibriumOptions(method: .anderson, temperature: 0.2, tolerance: 1e-10, maxIterations: 300)
        serial.andersonSteps = 9
        serial.execution = .serial
        var parallel = serial
        parallel.execution = .parallel
        let (a, b) = try VectorBlocks.$testBlock.withValue(8) {
            (try game.solveEquilibrium(options: serial), try game.solveEquilibrium(options: parallel))
        }
        #expect(a.converged, "\(a.message)")
        #expect(a.meanField == b.meanField)
        #expect(a.policy.probabilities == b.policy.probabilities)
        #expect(a.iterations == b.iterations)
        try Self.recheck(game, a, temperature: 0.2, tolerance: 1e-10, "garnet 90, k = 9")
    }

    /// The stationary law `ν` of an irreducible chain (a dense solve of `ν(I − P) = 0`,
    /// `Σν = 1`, by Gaussian elimination with partial pivoting) is a fixed point of `L^k`,
    /// and a mean field that is not stationary is moved by it.
    @Test func fixedPointsAreTheStationaryLaws() throws {
        let seed = TestSeed()
        var rng = seed.generator
        for _ in 0..<30 {
            let n = 2 + Int(rng.next() % 30)
            var p = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for s in 0..<n {
                p[s][(s + 1) % n] = 0.2 + rng.unit()  // a cycle through every state: irreducible
                for t in 0..<n where rng.next() % 3 == 0 { p[s][t] += rng.unit() }
                let total = p[s].reduce(0, +)
                for t in 0..<n { p[s][t] /= total }
            }
            let nu = Self.stationaryBySolve(p)
            let map = LazyPopulationSteps(try StationaryTests.matrix(p))
            for steps in [1, 5, 64] {
                let image = map.apply(nu, steps: steps, execution: .serial)
                #expect(Simplex.l1(image, nu) <= 1e-13, "k = \(steps): \(Simplex.l1(image, nu)), \(seed)")
            }
            let mu = Self.randomDistribution(n, &rng)
            let moved = Simplex.l1(map.apply(mu, steps: 5, execution: .serial), mu)
            let oneStep = Simplex.l1(Self.denseLazyPower(mu, p, steps: 1), mu)
            #expect(Simplex.l1(mu, nu) < 1e-9 || (moved > 0 && oneStep > 0), "\(seed)")
        }
    }

    /// `ν(I − P) = 0` with the last equation replaced by `Σν = 1`, by dense elimination.
    static func stationaryBySolve(_ p: [[Double]]) -> [Double] {
        let n = p.count
        // Transposed system: A[t][s] = (I − P)[s][t]; row n−1 is all ones.
        var a = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for t in 0..<n {
            for s in 0..<n { a[t][s] = (s == t ? 1 : 0) - p[s][t] }
        }
        for s in 0..<n { a[n - 1][s] = 1 }
        a[n - 1][n] = 1
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) } ?? col
            a.swapAt(col, pivot)
            for r in 0..<n where r != col {
                let f = a[r][col] / a[col][col]
                if f != 0 { for c in col...n { a[r][c] -= f * a[col][c] } }
            }
        }
        return (0..<n).map { a[$0][n] / a[$0][$0] }
    }

    /// A `side × side` crowd grid (the model of `Examples/crowd-grid.yaml`: moves to the
    /// four neighbours or stay, succeeding with probability `0.9 exp(−0.5 N μ(target))`,
    /// reward `−0.1 d(s) − 0.05 [a ≠ stay] − 0.01 N μ(s)` with two corner exits).
    static func crowdGrid(side: Int, radius: Double) throws -> MeanFieldGame {
        let n = side * side
        let dx = [0, 0, -1, 1, 0], dy = [-1, 1, 0, 0, 0]
        @Sendable func target(_ s: Int, _ a: Int) -> Int {
            let x = s % side + dx[a], y = s / side + dy[a]
            return x >= 0 && x < side && y >= 0 && y < side ? x + side * y : s
        }
        return try MeanFieldGame(
            stateCount: n, actionCount: 5, discount: 0.9,
            ambiguity: radius > 0 ? .totalVariation(support: .nominal) : .nominalOnly,
            reward: { s, a, mu in
                let x = s % side, y = s / side
                let d = min(x + y, 2 * (side - 1) - x - y)
                return -0.1 * Double(d) - 0.05 * (a == 4 ? 0 : 1) - 0.01 * Double(n) * mu[s]
            },
            kernel: { s, a, mu in
                let t = target(s, a)
                let go = 0.9 * exp(-0.5 * Double(n) * mu[t])
                if t == s { return SparseDistribution(indices: [s], probabilities: [1]) }
                return t < s ? SparseDistribution(indices: [t, s], probabilities: [go, 1 - go])
                    : SparseDistribution(indices: [s, t], probabilities: [1 - go, go])
            },
            radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
    }

    /// Re-evaluates the returned pair from scratch and checks the tolerance.
    static func recheck(_ game: MeanFieldGame, _ result: EquilibriumResult, temperature: Double, tolerance: Double,
                        _ label: String) throws {
        let pair = try game.evaluate(policy: result.policy, meanField: result.meanField, temperature: temperature)
        #expect(pair.stationarityResidual <= tolerance, "\(label): residual \(pair.stationarityResidual)")
        #expect(pair.exploitability <= tolerance, "\(label): exploitability \(pair.exploitability)")
    }

    /// Anderson on `k` lazy steps and on the one-step map reach the same equilibrium
    /// (robust and nominal crowd grids, a robust garnet), each re-checked from scratch.
    @Test(arguments: [2, 9, 64])
    func lazyStepsReachTheOneStepEquilibrium(steps: Int) throws {
        let cases: [(String, MeanFieldGame)] = [
            ("grid 6x6 tv", try Self.crowdGrid(side: 6, radius: 0.05)),
            ("grid 7x7 nominal", try Self.crowdGrid(side: 7, radius: 0)),
            ("garnet 40 tv", try TestGames.garnet(n: 40, m: 3, k: 4, set: .totalVariation(), radius: 0.1, seed: 5)),
        ]
        for (label, game) in cases {
            var options = EquilibriumOptions(method: .anderson, temperature: 0.5, tolerance: 1e-10, maxIterations: 400)
            options.andersonSteps = 1
            let one = try game.solveEquilibrium(options: options)
            options.andersonSteps = steps
            let lazy = try game.solveEquilibrium(options: options)
            #expect(one.converged && lazy.converged, "\(label), k = \(steps): \(one.message) / \(lazy.message)")
            try Self.recheck(game, lazy, temperature: 0.5, tolerance: 1e-10, "\(label), k = \(steps)")
            // Both within 1e-10 of stationarity for a contraction-like map: the mean fields agree closely.
            #expect(Simplex.l1(one.meanField, lazy.meanField) <= 1e-7,
                    "\(label), k = \(steps): ‖μ₁ − μ_k‖₁ = \(Simplex.l1(one.meanField, lazy.meanField))")
        }
    }

    /// The automatic choice: the one-step map below 300 states, `min(64, ⌈√n⌉)` lazy steps
    /// from there on (1024 before the 384-state crowd grid's cells, Docs/Solvers.md); an
    /// explicit count wins; a negative one is refused.
    @Test func automaticStepCount() throws {
        let options = EquilibriumOptions()
        #expect(options.populationSteps(stateCount: 1) == 1)
        #expect(options.populationSteps(stateCount: 280) == 1)  // crowd-grid-small
        #expect(options.populationSteps(stateCount: 299) == 1)
        #expect(options.populationSteps(stateCount: 300) == 18)
        #expect(options.populationSteps(stateCount: 384) == 20)  // crowd-grid
        #expect(options.populationSteps(stateCount: 1023) == 32)
        #expect(options.populationSteps(stateCount: 1024) == 32)
        #expect(options.populationSteps(stateCount: 1025) == 33)
        #expect(options.populationSteps(stateCount: 2500) == 50)
        #expect(options.populationSteps(stateCount: 4096) == 64)
        #expect(options.populationSteps(stateCount: 1_000_000) == 64)
        var fixed = options
        fixed.andersonSteps = 3
        #expect(fixed.populationSteps(stateCount: 10) == 3)
        fixed.andersonSteps = -1
        let game = try TestGames.lasryLions()
        #expect {
            _ = try game.solveEquilibrium(options: fixed)
        } throws: { error in
            guard case let MeanFieldError.invalidOption(field, _) = error else { return false }
            return field == .andersonSteps
        }
    }

    /// A 32×32 crowd grid (1024 states: automatic lazy steps, `k = 32`) converges with
    /// `auto`, and its pair passes the from-scratch check.
    @Test func automaticStepsOnA1024StateGrid() throws {
        let game = try Self.crowdGrid(side: 32, radius: 0)
        let options = EquilibriumOptions(method: .auto, temperature: 0.2, tolerance: 1e-8, maxIterations: 400)
        #expect(options.populationSteps(stateCount: game.stateCount) == 32)
        let result = try game.solveEquilibrium(options: options)
        #expect(result.converged, "\(result.message)")
        #expect(result.switches.isEmpty, "\(result.switches)")
        try Self.recheck(game, result, temperature: 0.2, tolerance: 1e-8, "32x32")
    }
    /// With lazy steps Anderson keeps at least 30 columns and its phase may use all but the
    /// last of `maxIterations` (three stalls still hand over); on the one-step map the memory
    /// is the option's and the phase `min(200, maxIterations/2)`.
    @Test func lazyStepsMemoryAndBudget() throws {
        var options = EquilibriumOptions()
        #expect(options.andersonMemory(populationSteps: 1) == 10)
        #expect(options.andersonMemory(populationSteps: 2) == 30)
        #expect(options.andersonMemory(populationSteps: 64) == 30)
        options.andersonMemory = 45
        #expect(options.andersonMemory(populationSteps: 1) == 45)
        #expect(options.andersonMemory(populationSteps: 64) == 45)
        let small = try Self.crowdGrid(side: 6, radius: 0), large = try Self.crowdGrid(side: 32, radius: 0)
        for (maxIterations, oneStep, lazy) in [(1000, 200, 999), (60, 30, 59), (4, 2, 3), (3, 3, 3)] {
            let o = EquilibriumOptions(method: .anderson, temperature: 0.2, maxIterations: maxIterations)
            #expect(SolverRun(game: small, options: o, method: .anderson).directAndersonBudget == oneStep)
            #expect(SolverRun(game: large, options: o, method: .anderson).directAndersonBudget == lazy)
            var fixed = o
            fixed.andersonSteps = 1
            #expect(SolverRun(game: large, options: fixed, method: .anderson).directAndersonBudget == oneStep)
        }
    }

    /// Regression: the phase budget `min(200, maxIterations/2)` handed large grids over to the
    /// stationary-law methods while Anderson's residual still fell. The robust 32×32 grid
    /// with `maxIterations: 60` needs more than the old budget of 30 and now converges in
    /// Anderson's phase, with no switch, and its pair passes the from-scratch check.
    @Test func lazyStepsPhaseRunsPastTheOldBudget() throws {
        let game = try Self.crowdGrid(side: 32, radius: 0.05)
        let options = EquilibriumOptions(method: .auto, temperature: 0.2, tolerance: 1e-8, maxIterations: 60)
        let result = try game.solveEquilibrium(options: options)
        #expect(result.converged, "\(result.message)")
        #expect(result.iterations > 30, "\(result.iterations) iterations: the old budget was not reached")
        #expect(result.switches.isEmpty, "\(result.switches)")
        try Self.recheck(game, result, temperature: 0.2, tolerance: 1e-8, "32x32 tv")
    }

    /// The steady-progress rule that lets a lazy-steps Anderson phase go on past its third
    /// stall (``SteadyProgress``; Docs/Solvers.md, "anderson"): steady during the first 100
    /// iterations whatever happens; afterwards only while the best residual is below half of
    /// its value 100 iterations earlier, checked against a plain recomputation on three
    /// histories (halving every 60 iterations, flat, and halving then flat).
    @Test func steadyProgressNeedsTheBestResidualToHalveOverAWindow() {
        let histories: [[Double]] = [
            (0..<400).map { pow(0.5, Double($0) / 60) },
            [Double](repeating: 1e-7, count: 400),
            (0..<400).map { pow(0.5, Double(min($0, 150)) / 30) },
        ]
        for (index, history) in histories.enumerated() {
            var progress = SteadyProgress()
            for (k, best) in history.enumerated() {
                progress.record(best)
                let expected = k < SteadyProgress.window || best < 0.5 * history[k - SteadyProgress.window]
                #expect(progress.isSteady == expected, "history \(index), iteration \(k)")
            }
        }
        var flat = SteadyProgress()
        for _ in 0..<150 { flat.record(1e-7) }
        #expect(!flat.isSteady)
        var halving = SteadyProgress()
        for k in 0..<400 { halving.record(pow(0.5, Double(k) / 60)) }
        #expect(halving.isSteady)
    }

    /// Regression (the frozen stage's stall count): the best residual falling 4 % per iteration
    /// (`0.96^25 ≈ 0.36`, a gain of 64 % in 25 iterations, no single step gaining 10 %) stalled
    /// the per-step count at iteration 25; counted since the count's start it is a gain every
    /// third iteration and never a stall. Both counts against a plain recomputation of their
    /// rules on random histories with ties, flat stretches and jumps, and the per-step gains
    /// always restart the cumulative count too (so games whose phases never stalled keep their path).
    @Test func frozenStageCountsGainsSinceTheStallCountsStart() {
        var perStep = StallCount(cumulative: false, best: 1)
        var sinceStart = StallCount(cumulative: true, best: 1)
        var best = 1.0
        for k in 1...60 {
            perStep.tick()
            sinceStart.tick()
            let next = best * 0.96
            perStep.improved(from: best, to: next)
            sinceStart.improved(from: best, to: next)
            best = next
            #expect(perStep.iterations == k, "per step, iteration \(k)")
            #expect(sinceStart.iterations < 3, "since the start, iteration \(k)")
        }
        #expect(perStep.iterations >= StallCount.window)

        let seed = TestSeed()
        var rng = seed.generator
        for trial in 0..<200 {
            var a = StallCount(cumulative: false, best: 1)
            var b = StallCount(cumulative: true, best: 1)
            var bestNorm = 1.0, sincePlain = 0, sinceRef = 0, reference = 1.0
            for k in 0..<300 {
                a.tick(); b.tick(); sincePlain += 1; sinceRef += 1
                let u = Double(rng.next() % 1000) / 1000
                let norm: Double = switch rng.next() % 4 {
                case 0: bestNorm                         // a tie with the best
                case 1: bestNorm * (0.85 + 0.3 * u)       // around the best, sometimes a 10 % step
                case 2: bestNorm * (0.97 + 0.05 * u)      // small gains or losses
                default: bestNorm * (1 + u)               // worse
                }
                if k % 50 == 49 {                        // a restart of the phase
                    a.restart(best: bestNorm); b.restart(best: bestNorm)
                    sincePlain = 0; sinceRef = 0; reference = bestNorm
                }
                if norm < bestNorm {
                    a.improved(from: bestNorm, to: norm)
                    b.improved(from: bestNorm, to: norm)
                    if norm < 0.9 * bestNorm { sincePlain = 0 }
                    if norm < 0.9 * reference { sinceRef = 0; reference = norm }
                    bestNorm = norm
                }
                #expect(a.iterations == sincePlain, "\(seed), trial \(trial) step \(k)")
                #expect(b.iterations == sinceRef, "\(seed), trial \(trial) step \(k)")
                #expect(b.iterations <= a.iterations, "\(seed), trial \(trial) step \(k)")
            }
        }
    }

    /// The bound that lets Anderson skip the image of a converged pair:
    /// `‖μ L^j − μ‖₁ ≤ (j/2)‖μP − μ‖₁` for every `j`, against dense powers of random chains.
    @Test func lazyImageResidualIsBoundedByTheOneStepResidual() throws {
        let seed = TestSeed()
        var rng = seed.generator
        for trial in 0..<30 {
            let n = 2 + Int(rng.next() % 30)
            let p = StationaryTests.randomChain(&rng, states: n, leak: trial % 2 == 0 ? 0.3 : 1e-12)
            let mu = Self.randomDistribution(n, &rng)
            var onestep = [Double](repeating: 0, count: n)
            for s in 0..<n { for t in 0..<n { onestep[t] += mu[s] * p[s][t] } }
            let r = Simplex.l1(onestep, mu)
            for j in [1, 2, 5, 17, 64] {
                let image = Self.denseLazyPower(mu, p, steps: j)
                #expect(Simplex.l1(image, mu) <= 0.5 * Double(j) * r + 1e-14, "n = \(n), j = \(j), \(seed)")
            }
        }
    }

    /// On lazy steps (a 1,100-state garnet: 34 automatic steps, stopped early) Anderson's
    /// pairs before the last are evaluated with looser value solves; the converged result,
    /// and the last pair of a spent budget, are evaluated to the requested value tolerance:
    /// their values and exploitability agree with a from-scratch evaluation (value tolerance
    /// `1e-12`) to `1e-11`, where a pair of the loose solves (`1e-6`) would not.
    @Test func lazyStepResultsAreEvaluatedInFull() throws {
        let game = try TestGames.garnet(n: 1100, m: 3, k: 5, set: .totalVariation(), radius: 0.1, seed: 41)
        for maxIterations in [400, 3] {
            let options = EquilibriumOptions(method: .anderson, temperature: 0.2, tolerance: 1e-10, maxIterations: maxIterations)
            #expect(options.populationSteps(stateCount: game.stateCount) == 34)
            let result = try game.solveEquilibrium(options: options)
            let label = "maxIterations \(maxIterations): \(result.message)"
            #expect(result.converged == (maxIterations == 400), "\(label)")
            let fresh = try game.evaluate(policy: result.policy, meanField: result.meanField, temperature: 0.2)
            #expect(isApproximatelyEqual(result.values, fresh.policyValues.values, absolute: 1e-11, relative: 0), "\(label)")
            #expect(isApproximatelyEqual(result.optimalValues, fresh.optimal.values, absolute: 1e-11, relative: 0), "\(label)")
            #expect(abs(result.exploitability - fresh.exploitability) <= 1e-11, "\(label)")
            #expect(abs(result.stationarityResidual - fresh.stationarityResidual) <= 1e-11, "\(label)")
            if maxIterations == 400 { try Self.recheck(game, result, temperature: 0.2, tolerance: 1e-10, "garnet 1100") }
        }
    }
}
