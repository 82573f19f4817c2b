import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The Newton–Krylov variant of the Newton polish (``newtonKrylovPolish(from:local:)``,
/// Docs/Solvers.md, "newton"): GMRES against the project's dense solver, its fixed points
/// against bisection (two-state games) and Anderson to 1e-12 (garnets), every returned pair
/// re-checked from scratch; and `auto`'s gate on the residual a polish may start from.
@Suite struct NewtonKrylovTests {
    /// GMRES run to `n` vectors on random systems (sizes 1 to 30, some nearly singular by a
    /// scaled column) agrees with ``DenseLinearSystem`` (a different code: elimination).
    @Test func gmresSolvesRandomSystems() throws {
        var rng = SplitMix64(seed: 23)
        for trial in 0..<45 {
            let n = 1 + trial % 30
            var a = (0..<(n * n)).map { _ in Double.random(in: -1..<1, using: &rng) }
            for i in 0..<n { a[i * n + i] += trial % 2 == 0 ? 2 : 0 }
            if trial % 5 == 0 { for i in 0..<n { a[i * n] *= 1e-4 } }
            let b = (0..<n).map { _ in Double.random(in: -10..<10, using: &rng) }
            var reference = b
            var copy = a
            guard DenseLinearSystem.solve(&copy, &reference, n: n) else { continue }
            var space = try #require(KrylovSpace(b))
            while space.columns.count < n {
                let v = space.basis[space.basis.count - 1]
                let image = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * v[$1] } }
                if !space.extend(image) { break }
            }
            let x = try #require(space.solution())
            let scale = max(1, reference.map(abs).max() ?? 0)
            #expect(isApproximatelyEqual(x, reference, absolute: 1e-7 * scale, relative: 1e-7), "n = \(n), trial \(trial)")
            #expect(space.residual <= 1e-8 * KrylovSpace.norm(b), "n = \(n): GMRES residual \(space.residual)")
        }
        #expect(KrylovSpace([0, 0, 0]) == nil)
    }

    /// A best-response pair at `mu` from a fresh run of `game` (the polish's start).
    static func run(_ game: MeanFieldGame, temperature: Double, population: PopulationModel,
                    tolerance: Double = 1e-11) -> SolverRun {
        SolverRun(game: game, options: EquilibriumOptions(method: .newton, temperature: temperature, tolerance: tolerance,
                                                          population: population), method: .newton)
    }

    /// The two-state games of ``NewtonPolishTests/twoStateFixedPointsMatchBisection(temperature:)``:
    /// Newton–Krylov steps (GMRES on directional differences, scaled by the masses) from three
    /// starts reach the root that bisection finds.
    @Test(arguments: [0.05, 0.3, 1.0])
    func twoStateFixedPointsMatchBisection(temperature: Double) throws {
        let games: [(MeanFieldGame, PopulationModel)] = [
            (try TestGames.twoStateCongestion(u: [1, 0.4], kappa: 2, discount: 0.9), .nominal),
            (try TestGames.twoStateLog(u: [1, 0.2], lambda: 0.3, discount: 0.9, set: .totalVariation(), radius: 0.05), .worstCase),
            (try TestGames.twoStateLog(u: [0.8, 0], lambda: 0.5, discount: 0.8, set: try AmbiguitySet(kind: .linf), radius: 0.1), .worstCase),
        ]
        for (index, (game, population)) in games.enumerated() {
            let x = try #require(try NewtonPolishTests.bisect(game, temperature: temperature, population: population))
            for start in [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]] {
                var run = Self.run(game, temperature: temperature, population: population)
                let p = try run.evaluator.bestResponsePair(start)
                guard case let .finished(result) = try run.newtonKrylovPolish(from: p, local: false) else {
                    Issue.record("game \(index), τ = \(temperature), start \(start): the polish stopped")
                    continue
                }
                #expect(result.converged, "game \(index), τ = \(temperature), start \(start): \(result.message)")
                #expect(result.message.contains("Newton–Krylov"))
                #expect(abs(result.meanField[0] - x) <= 1e-9, "game \(index): \(result.meanField[0]) against \(x)")
                try EquilibriumTests.checkIndependently(game, result, tolerance: 1e-11, temperature: temperature,
                                                        population: population)
            }
        }
    }

    /// Garnets of 40 states (tv and l1 worst case, nominal): Newton–Krylov steps from
    /// Anderson's iterate after three steps reach the fixed point of Anderson run to 1e-12.
    @Test(arguments: [(UInt64(5), PopulationModel.worstCase), (13, .nominal), (31, .worstCase)])
    func garnetFixedPointsMatchAnderson(seed: UInt64, population: PopulationModel) throws {
        let set = seed == 31 ? try AmbiguitySet(kind: .l1) : AmbiguitySet.totalVariation()
        let game = try TestGames.garnet(n: 40, m: 3, k: 5, set: set, radius: 0.1, seed: seed)
        let reference = try game.solveEquilibrium(options: .init(method: .anderson, temperature: 0.3, tolerance: 1e-12,
                                                                 population: population))
        #expect(reference.converged)
        let rough = try game.solveEquilibrium(options: .init(method: .anderson, temperature: 0.3, maxIterations: 3,
                                                             population: population))
        var run = Self.run(game, temperature: 0.3, population: population)
        let p = try run.evaluator.bestResponsePair(rough.meanField)
        #expect(p.stationarityResidual > 1e-6)
        guard case let .finished(result) = try run.newtonKrylovPolish(from: p, local: true) else {
            Issue.record("seed \(seed): the polish stopped")
            return
        }
        #expect(result.converged, "\(result.message)")
        #expect(result.iterations <= 10)
        #expect(isApproximatelyEqual(result.meanField, reference.meanField, absolute: 1e-9, relative: 0))
        try EquilibriumTests.checkIndependently(game, result, tolerance: 1e-11, temperature: 0.3, population: population)
    }

    /// `auto`'s gate (regression, the crowd-grid-small cell tv 0.05 at τ = 0.001 of
    /// Docs/Solvers.md): after a polish that stopped from residual `r`, a later one is tried
    /// from a pair below `r / 100` (it was forbidden by a limit of one failed polish per solve),
    /// and not from one above; at another temperature the gate starts afresh (regression,
    /// Bench-MFG four rooms tv 0.05 at τ = 0.001).
    @Test func aStoppedPolishLowersTheGate() throws {
        let game = try TestGames.garnet(n: 30, m: 3, k: 4, set: .totalVariation(), radius: 0.1, seed: 7)
        let options = EquilibriumOptions(method: .auto, temperature: 0.3, tolerance: 1e-11)
        let close = try game.solveEquilibrium(options: .init(method: .anderson, temperature: 0.3, tolerance: 1e-7))
        let far = try game.solveEquilibrium(options: .init(method: .anderson, temperature: 0.3, maxIterations: 2))
        var run = SolverRun(game: game, options: options, method: .auto)
        let rFar = try run.evaluator.bestResponsePair(far.meanField).stationarityResidual
        let rClose = try run.evaluator.bestResponsePair(close.meanField).stationarityResidual
        #expect(rFar > 1e-6 && rClose < 1e-6, "\(rFar), \(rClose)")
        run.newtonGate.stopped(from: 1e-4, at: 0.3)  // as after a polish that stopped from 1e-4
        #expect(abs(run.newtonGate.threshold - 1e-6) <= 1e-18)
        guard case .exhausted = try run.newtonAfterStall(from: far.meanField) else {
            Issue.record("a polish from \(rFar) above the gate ran")
            return
        }
        #expect(run.trace.isEmpty)
        guard case let .finished(result) = try run.newtonAfterStall(from: close.meanField) else {
            Issue.record("the polish from \(rClose) below the gate did not finish")
            return
        }
        #expect(result.converged && result.method == .newton, "\(result.message)")
        try EquilibriumTests.checkIndependently(game, result, tolerance: 1e-11, temperature: 0.3)
        // The gate is per temperature: a stop at one stage does not close another's.
        var gate = NewtonPolish.Gate()
        gate.stopped(from: 1e-5, at: 1)
        let sameStage = gate.admits(1e-6, at: 1)
        let otherStage = gate.admits(1e-6, at: 0.1)
        let tooFar = gate.admits(2e-3, at: 0.1)
        #expect(!sameStage && otherStage && !tooFar)
        #expect(gate.threshold == NewtonPolish.startResidual)
    }
}
