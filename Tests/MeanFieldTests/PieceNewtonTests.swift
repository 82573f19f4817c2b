import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The piece Newton stage of `auto` (Solver+PieceNewton.swift, Docs/Solvers.md, "The piece Newton
/// stage"): the frozen worst case against the certified closed form on both sides of a switch,
/// the piece map against the solver's own evaluation inside its piece, and the stage's fixed
/// point on a two-state game with a switch against bisection on the scalar equation.
@Suite struct PieceNewtonTests {
    /// Random tv rows (1–6 successors of 8 states, both supports, random values and radii): the
    /// structure read from the certified worst case (``AmbiguitySet/worstCase(nominal:values:radius:)``)
    /// reproduces it, and across the nearest switch the structure ``FrozenRow/nearestSwitch(nominal:radius:values:)``
    /// names is the closed form's at the radius past the switch.
    @Test func frozenRowsMatchTheClosedFormOnBothSides() throws {
        var rng = SplitMix64(seed: 41)
        var crossed = 0
        for trial in 0..<400 {
            let n = 8, k = 1 + trial % 6
            let support: SupportRestriction = trial % 2 == 0 ? .nominal : .simplex
            let set = try AmbiguitySet(kind: .tv, support: support)
            var states = Array(0..<n)
            states.shuffle(using: &rng)
            let chosen = states.prefix(k).sorted()
            var weights = chosen.map { _ in Double.random(in: 0.05..<1, using: &rng) }
            let total = weights.reduce(0, +)
            weights = weights.map { $0 / total }
            let p = SparseDistribution(indices: chosen, probabilities: weights)
            let v = (0..<n).map { _ in Double.random(in: -1..<1, using: &rng) }
            let rho = Double.random(in: 0.01..<0.7, using: &rng)
            let dense = p.dense(count: n)
            let q = try set.worstCase(nominal: dense, values: v, radius: rho).distribution
            let frozen = FrozenRow(nominal: p, worstCase: SparseDistribution(dense: q))
            let kernel = frozen.kernel(nominal: p, radius: rho).dense(count: n)
            #expect(isApproximatelyEqual(kernel, q, absolute: 1e-15, relative: 0), "trial \(trial)")
            guard let (margin, across, direction) = frozen.nearestSwitch(nominal: p, radius: rho, values: v) else { continue }
            #expect(margin >= -1e-15, "trial \(trial): margin \(margin)")
            let past = rho + direction * (margin + 1e-7)
            guard past > 0 else { continue }
            let qPast = try set.worstCase(nominal: dense, values: v, radius: past).distribution
            // Only where no second switch lies within 1e-7 of the first.
            let second = FrozenRow(nominal: p, worstCase: SparseDistribution(dense: qPast))
            guard second.receiver == across.receiver, Set(second.emptied) == Set(across.emptied) || second.partial == across.partial else { continue }
            #expect(second.receiver == across.receiver && Set(second.emptied) == Set(across.emptied) && second.partial == across.partial,
                    "trial \(trial): \(second) against \(across)")
            #expect(isApproximatelyEqual(across.kernel(nominal: p, radius: past).dense(count: n), qPast, absolute: 1e-15, relative: 0))
            crossed += 1
        }
        #expect(crossed >= 150, "\(crossed) switches crossed")
    }

    /// Inside its piece the piece map is the solver's population map: on tv garnets (worst-case
    /// and nominal population) `Φ` of the start's own piece equals the best-response pair's
    /// population update at the start and at a nearby mean field in the same piece.
    @Test func pieceMapIsThePopulationMapInsideItsPiece() throws {
        for population in [PopulationModel.worstCase, .nominal] {
            let game = try TestGames.garnet(n: 30, m: 3, k: 4, set: try AmbiguitySet(kind: .tv, support: .nominal), radius: 0.1)
            var run = NewtonKrylovTests.run(game, temperature: 0.3, population: population)
            var rng = SplitMix64(seed: 5)
            var mu = (0..<30).map { _ in Double.random(in: 0.5..<1, using: &rng) }
            Simplex.project(&mu)
            let p = try run.evaluator.bestResponsePair(mu)
            let snap = try game.snapshot(at: mu)
            let plan = PieceNewton.Plan(snapshot: snap, worstCase: p.policyValues.kernelRows, values: p.policyValues.values)
            let map = PieceMap(game: game, rows: plan.base, temperature: 0.3, population: population)
            let image = try map.image(mu, warm: p.optimal.values)
            #expect(isApproximatelyEqual(image.update, p.populationUpdate, absolute: 1e-12, relative: 0))
            #expect(isApproximatelyEqual(image.values, p.optimal.values, absolute: 1e-11, relative: 1e-13))
        }
    }

    /// A two-state game with a switch: from the hall (state 1) the move to the exit (state 0)
    /// succeeds with `go = 0.9 exp(−c μ(0))`, and nature (tv, radius 0.05, support nominal) takes
    /// `min(ρ, go)` of it, so the inflow `max(go − ρ, 0)` has a kink at `go = ρ`. From starts just
    /// past the kink (the move emptied: the start's own piece has no inflow), the stage rejects
    /// that piece's solution and accepts the other's, which is the root bisection finds.
    @Test func stageFindsTheFixedPointAcrossASwitch() throws {
        let c = 6.0, rho = 0.05
        let game = try Self.exitHall(c: c, radius: rho)
        let tau = 0.1
        let root = try #require(try NewtonPolishTests.bisect(game, temperature: tau, population: .worstCase))
        let kink = mathLog(0.9 / rho) / c
        #expect(root < kink)
        for offset in [1e-5, 3e-4] {
            var options = EquilibriumOptions(method: .auto, temperature: tau, tolerance: 1e-11, population: .worstCase)
            options.maxIterations = 100
            var run = SolverRun(game: game, options: options, method: .anderson)
            let start = try run.evaluator.bestResponsePair([kink + offset, 1 - kink - offset])
            let result = try #require(try run.pieceNewtonStage(from: start))
            #expect(result.converged && result.method == .pieceNewton, "\(result.message)")
            #expect(abs(result.meanField[0] - root) <= 1e-9, "\(result.meanField[0]) against \(root)")
            #expect(result.trace.count == 2, "the start's piece rejected, the other accepted")
            #expect(result.trace.allSatisfy { $0.method == .pieceNewton })
            #expect(result.trace[0].stationarityResidual > 1e-3)
            #expect(result.message.contains("the piece Newton stage (4 rows near a switch"), "\(result.message)")
        }
    }

    /// The exit–hall game of ``stageFindsTheFixedPointAcrossASwitch()``: actions stay (0) and move
    /// (1); from the exit both leave to the hall with probability 0.3; rewards `1 − 2 μ(0)` at the
    /// exit, 0 (stay) and −0.05 (move) in the hall.
    static func exitHall(c: Double, radius: Double) throws -> MeanFieldGame {
        try MeanFieldGame(
            stateCount: 2, actionCount: 2, discount: 0.9, ambiguity: try AmbiguitySet(kind: .tv, support: .nominal),
            reward: { s, a, mu in s == 0 ? 1 - 2 * mu[0] : (a == 1 ? -0.05 : 0) },
            kernel: { s, a, mu in
                if s == 0 { return SparseDistribution(indices: [0, 1], probabilities: [0.7, 0.3]) }
                guard a == 1 else { return SparseDistribution(indices: [1], probabilities: [1]) }
                let go = 0.9 * mathExp(-c * mu[0])
                return SparseDistribution(indices: [0, 1], probabilities: [go, 1 - go])
            },
            radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
    }

    /// `piece-newton` labels records but cannot be requested.
    @Test func pieceNewtonCannotBeRequested() throws {
        let game = try Self.exitHall(c: 6, radius: 0.05)
        #expect(!EquilibriumMethod.allCases.contains(.pieceNewton))
        #expect(throws: MeanFieldError.self) { try game.solveEquilibrium(options: EquilibriumOptions(method: .pieceNewton)) }
    }
}
