import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// Stationary laws out of reach: the lazy chain's step limit reported
/// (``TransitionMatrix/stationaryDistribution(from:lazyStepLimit:)``), and `auto`'s mirror
/// descent and fictitious play ending on a game whose stationary laws they cannot find
/// (``SolverRun/autoStationaryLaw(_:from:)``).
@Suite struct StationaryReachTests {
    /// A birth–death chain on `n` states: up with `up`, down with `down`, else stay (reflected at
    /// the ends). One strongly connected component, so above 600 states only the lazy chain
    /// solves it.
    static func line(states n: Int, up: Double, down: Double) throws -> TransitionMatrix {
        let kernels = (0..<n).map { s -> SparseDistribution in
            var p = [Double](repeating: 0, count: n)
            p[min(s + 1, n - 1)] += up
            p[max(s - 1, 0)] += down
            p[s] += 1 - up - down
            let idx = p.indices.filter { p[$0] > 0 }
            return SparseDistribution(indices: idx, probabilities: idx.map { p[$0] })
        }
        return try TransitionMatrix(policy: .uniform(stateCount: n, actionCount: 1), kernels: kernels)
    }

    /// The birth–death chain's law by detailed balance, `π(s+1)/π(s) = up/down`, normalized
    /// (an independent closed form), from the top state down (`up > down`: no overflow).
    static func lineLaw(states n: Int, up: Double, down: Double) -> [Double] {
        var w = [Double](repeating: 1, count: n)
        for s in stride(from: n - 2, through: 0, by: -1) { w[s] = w[s + 1] * down / up }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    @Test func aLazyLawWithinItsLimitIsTheLawAndOneBeyondItIsNil() throws {
        let n = 1000
        let uniform = [Double](repeating: 1 / Double(n), count: n)
        // Fast: a drift of 0.4 a step crosses the line in a few thousand lazy steps.
        let fast = try Self.line(states: n, up: 0.5, down: 0.1)
        let law = try #require(fast.stationaryDistribution(from: uniform, lazyStepLimit: 200_000))
        #expect(law == fast.stationaryDistribution(from: uniform))
        let exact = Self.lineLaw(states: n, up: 0.5, down: 0.1)
        #expect(zip(law, exact).allSatisfy { abs($0 - $1) <= 1e-12 + 1e-9 * $1 })
        #expect(fast.stationaryDistribution(from: uniform, lazyStepLimit: 100) == nil)
        // Slow: a drift of 0.003 a step needs some 6·10⁵ lazy steps to cross 1000 states; the
        // unlimited call stops at its 200 000 steps with a vector that is not the law.
        let slow = try Self.line(states: n, up: 0.004, down: 0.001)
        #expect(slow.stationaryDistribution(from: uniform, lazyStepLimit: .max) == nil)
        let stopped = slow.stationaryDistribution(from: uniform)
        let slowLaw = Self.lineLaw(states: n, up: 0.004, down: 0.001)
        var distance = 0.0
        for s in 0..<n { distance += abs(stopped[s] - slowLaw[s]) }
        #expect(distance > 1e-3)
    }

    /// The limit counts steps exactly: the smallest limit at which the fast line's law is found
    /// (searched by bisection) finds the unlimited call's law, and one step fewer finds none.
    /// And `auto`'s limit on a chain of more than 20,000 entries is `4·10⁹` entry updates, below
    /// the 200,000 steps of the unlimited call (review of 2026-12-06: the tests above only
    /// reach the 200,000 cap).
    @Test func theLimitCountsStepsAndAutosLimitFollowsTheChainsSize() throws {
        let n = 1000
        let uniform = [Double](repeating: 1 / Double(n), count: n)
        let fast = try Self.line(states: n, up: 0.5, down: 0.1)
        var low = 1, high = 200_000  // not found at `low`, found at `high`
        #expect(fast.stationaryDistribution(from: uniform, lazyStepLimit: low) == nil)
        while high - low > 1 {
            let mid = (low + high) / 2
            if fast.stationaryDistribution(from: uniform, lazyStepLimit: mid) == nil { low = mid } else { high = mid }
        }
        #expect(fast.stationaryDistribution(from: uniform, lazyStepLimit: high) == fast.stationaryDistribution(from: uniform))
        #expect(fast.stationaryDistribution(from: uniform, lazyStepLimit: high - 1) == nil)
        #expect(high > 100)
        // 20,000 states on a line: about 60,000 entries.
        let long = try Self.line(states: 20_000, up: 0.5, down: 0.1)
        #expect(long.entryCount > 20_000)
        let steps = SolverRun.autoLazySteps(long)
        #expect(steps == 4_000_000_000 / long.entryCount)
        #expect(steps < TransitionMatrix.lazyStepLimit)
        #expect(SolverRun.autoLazySteps(fast) == TransitionMatrix.lazyStepLimit)
    }

    /// `n` states on a line, two actions: drift left or right (with probability `move`, the
    /// other way with `move / 4`, else stay); the right end pays. Above 600 states the chain of
    /// any policy is one component that only the lazy chain solves; with `move = 0.004` at
    /// 1000 states it needs far more than its limit.
    static func lineGame(states n: Int, move: Double, hubs: Bool = false) throws -> MeanFieldGame {
        try MeanFieldGame(
            stateCount: n, actionCount: 2, discount: 0.9,
            reward: { s, a, _ in Double(s) / Double(n) - 0.01 * Double(a) },
            kernel: { s, a, _ in
                var p = [Double](repeating: 0, count: n)
                let ahead = a == 1 ? min(s + 1, n - 1) : max(s - 1, 0)
                let back = a == 1 ? max(s - 1, 0) : min(s + 1, n - 1)
                // With hubs half the mass jumps to one of ten fixed states: a fast-mixing chain.
                let jump = hubs ? 0.5 : 0
                p[ahead] += move * (1 - jump)
                p[back] += move / 4 * (1 - jump)
                p[s] += (1 - move - move / 4) * (1 - jump)
                if hubs { for h in 0..<10 { p[h * n / 10] += jump / 10 } }
                return SparseDistribution(dense: p)
            }, kernelDependsOnMeanField: false)
    }

    @Test func autosMirrorDescentEndsWhereItsLawIsOutOfReach() throws {
        let game = try Self.lineGame(states: 1000, move: 0.004)
        // τ = 0 with a budget too small for the continuation: the direct chain, whose first
        // phase at τ = 0 is mirror descent.
        let options = EquilibriumOptions(temperature: 0, tolerance: 1e-9, maxIterations: 100)
        let result = try game.solveEquilibrium(options: options)
        #expect(!result.converged)
        #expect(result.iterations == 1)
        #expect(result.method == .mirrorDescent)
        #expect(result.message.contains("mirror-descent stopped at iteration 0"))
        #expect(result.message.contains("fictitious play, which would follow, needs such laws too and was not tried"))
        #expect(result.message.contains("1000 states"))
        // The numbers reported are the recorded pair's, evaluated from scratch.
        let pair = try game.evaluate(policy: result.policy, meanField: result.meanField, temperature: 0)
        #expect(abs(pair.stationarityResidual - result.stationarityResidual) <= 1e-12)
        #expect(abs(pair.exploitability - result.exploitability) <= 1e-9 * (1 + abs(pair.exploitability)))
        #expect(max(result.exploitability, result.stationarityResidual) > options.tolerance)
    }

    @Test func explicitMethodsKeepTheUnlimitedLaw() throws {
        // The same game with `--method mirror-descent`: two iterations, the second from a law
        // of the full 200 000 lazy steps (not reached, returned as it stands).
        let game = try Self.lineGame(states: 1000, move: 0.004)
        var options = EquilibriumOptions(temperature: 0, tolerance: 1e-9, maxIterations: 2)
        options.method = .mirrorDescent
        let result = try game.solveEquilibrium(options: options)
        #expect(result.iterations == 2)
        #expect(result.message.contains("2 iterations used"))
    }

    @Test func autosFictitiousPlayEndsWhereItsLawIsOutOfReach() throws {
        let options = EquilibriumOptions(temperature: 0, tolerance: 1e-9, maxIterations: 100)
        var run = SolverRun(game: try Self.lineGame(states: 1000, move: 0.004), options: options, method: .auto)
        // As `auto` hands over to it (`mirrorThenFictitiousPlay`).
        run.switchMethod(to: .fictitiousPlay)
        let start = [Double](repeating: 1e-3, count: 1000)
        let ended = try run.fictitiousPlay(from: start, auto: true)
        #expect(!ended.converged)
        #expect(run.trace.count == 1)
        #expect(ended.method == .fictitiousPlay)
        #expect(ended.message.contains("fictitious-play stopped at iteration 0"))
        #expect(ended.message.contains("--method fictitious-play runs without the limit"))
    }

    /// Regression (review of 2026-12-06): on its last allowed iteration fictitious play fetched
    /// the law before the budget check, so a law out of reach cost up to the limit's work and
    /// named a next step the budget did not allow. The law is now fetched only where it is read.
    @Test func autosFictitiousPlayEndsOnItsBudgetWithoutTheLaw() throws {
        let options = EquilibriumOptions(temperature: 0, tolerance: 1e-9, maxIterations: 1)
        var run = SolverRun(game: try Self.lineGame(states: 1000, move: 0.004), options: options, method: .auto)
        run.switchMethod(to: .fictitiousPlay)
        let ended = try run.fictitiousPlay(from: [Double](repeating: 1e-3, count: 1000), auto: true)
        #expect(!ended.converged)
        #expect(run.trace.count == 1)
        #expect(ended.message.hasPrefix("not converged: 1 iterations used"))
        #expect(!ended.message.contains("stationary law"))
    }

    /// Regression (review of 2026-12-06): `auto`'s check of a converged `τ = 0` continuation
    /// stage built its pure candidate from the unlimited law of the best response's chain (up to
    /// 200,000 lazy steps, some 20 minutes at 10⁶ states, ending on a vector that is not the law).
    /// The candidate now needs its law within `auto`'s limit: none on the slow line, the
    /// unlimited call's law bit for bit on the fast one.
    @Test func theSettledBestResponseNeedsItsLawWithinReach() throws {
        let options = EquilibriumOptions(temperature: 0, tolerance: 1e-9, maxIterations: 100)
        let uniform = [Double](repeating: 1e-3, count: 1000)
        var slow = SolverRun(game: try Self.lineGame(states: 1000, move: 0.004), options: options, method: .auto)
        let stuck = try slow.evaluator.bestResponsePair(uniform)
        #expect(try slow.settledBestResponsePair(stuck) == nil)
        var fast = SolverRun(game: try Self.lineGame(states: 1000, move: 0.3, hubs: true), options: options, method: .auto)
        let moving = try fast.evaluator.bestResponsePair(uniform)
        let settled = try #require(try fast.settledBestResponsePair(moving))
        #expect(settled.meanField.map(\.bitPattern) == moving.stationaryDistribution().map(\.bitPattern))
    }

    @Test func aLawWithinReachIsTheUnlimitedOne() throws {
        // A fast-mixing 1000-state game: auto's law is the unlimited call's, bit for bit.
        let game = try Self.lineGame(states: 1000, move: 0.3, hubs: true)
        let options = EquilibriumOptions(temperature: 0.1, tolerance: 1e-9, maxIterations: 100)
        let run = SolverRun(game: game, options: options, method: .auto)
        let pair = try game.evaluate(policy: .uniform(stateCount: 1000, actionCount: 2),
                                     meanField: [Double](repeating: 1e-3, count: 1000), temperature: 0.1)
        let law = try #require(run.autoStationaryLaw(pair.transition, from: pair.meanField))
        #expect(law == pair.stationaryDistribution())
        #expect(SolverRun.autoLazySteps(pair.transition) == 200_000)
        // Small games: the unlimited law (every component has a direct solve).
        let small = try Self.lineGame(states: 600, move: 0.004)
        let smallPair = try small.evaluate(policy: .uniform(stateCount: 600, actionCount: 2),
                                           meanField: [Double](repeating: 1.0 / 600, count: 600), temperature: 0.1)
        let smallRun = SolverRun(game: small, options: options, method: .auto)
        #expect(smallRun.autoStationaryLaw(smallPair.transition, from: smallPair.meanField) == smallPair.stationaryDistribution())
    }
}
