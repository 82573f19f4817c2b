import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The Newton polish (``EquilibriumMethod/newton``, Docs/Solvers.md, "newton"): its LU
/// factorization against the project's other dense solver, and its fixed points against
/// independent computations — bisection on the scalar fixed-point equation of two-state
/// games, Anderson and the damped fixed point on garnets — with every returned pair
/// re-checked from scratch by the public evaluation functions.
@Suite struct NewtonPolishTests {
    /// Random systems, some with zero diagonals (pivoting needed), of sizes 1 to 40: the LU
    /// solve agrees with ``DenseLinearSystem`` (in-place elimination, an independent code) and
    /// its residual is at rounding level; a singular matrix is refused.
    @Test func luSolvesRandomSystems() {
        var rng = SplitMix64(seed: 17)
        for trial in 0..<60 {
            let n = 1 + trial % 40
            var a = (0..<(n * n)).map { _ in Double.random(in: -1..<1, using: &rng) }
            if trial % 3 == 0, n >= 2 { for i in 0..<n { a[i * n + i] = 0 } }
            let b = (0..<n).map { _ in Double.random(in: -10..<10, using: &rng) }
            guard let lu = DenseLU(a, n: n) else {
                Issue.record("n = \(n): a random matrix was refused")
                continue
            }
            let x = lu.solve(b)
            var reference = b
            var copy = a
            #expect(DenseLinearSystem.solve(&copy, &reference, n: n))
            let scale = max(1, x.map(abs).max() ?? 0)
            #expect(isApproximatelyEqual(x, reference, absolute: 1e-9 * scale, relative: 1e-9), "n = \(n)")
            for i in 0..<n {
                var s = -b[i]
                for j in 0..<n { s += a[i * n + j] * x[j] }
                #expect(abs(s) <= 1e-10 * Double(n) * scale, "row \(i) of n = \(n): residual \(s)")
            }
        }
        // Rank 1: the second pivot is zero.
        #expect(DenseLU([1, 2, 2, 4], n: 2) == nil)
        #expect(DenseLU([0, 0, 0, 0], n: 2) == nil)
    }

    /// `g(x) = Φ((x, 1 − x), BR_τ)(0) − x` by the public functions, for the bisection reference.
    static func scalarResidual(_ game: MeanFieldGame, _ x: Double, temperature: Double,
                               population: PopulationModel) throws -> Double {
        let mu = [x, 1 - x]
        let policy = try game.bestResponse(meanField: mu, temperature: temperature)
        return try game.populationUpdate(meanField: mu, policy: policy, temperature: temperature, population: population)[0] - x
    }

    /// Bisection on `g` over `[lo, hi]` (a sign change required) to width 1e-15.
    static func bisect(_ game: MeanFieldGame, temperature: Double, population: PopulationModel,
                       lo: Double = 1e-9, hi: Double = 1 - 1e-9) throws -> Double? {
        var lo = lo, hi = hi
        var glo = try scalarResidual(game, lo, temperature: temperature, population: population)
        let ghi = try scalarResidual(game, hi, temperature: temperature, population: population)
        guard glo * ghi < 0 else { return nil }
        while hi - lo > 1e-15 {
            let mid = (lo + hi) / 2
            let g = try scalarResidual(game, mid, temperature: temperature, population: population)
            if (g < 0) == (glo < 0) {
                lo = mid
                glo = g
            } else {
                hi = mid
            }
        }
        return (lo + hi) / 2
    }

    /// Two-state games (congestion, and log rewards with a worst-case population in tv and
    /// linf): `newton` from several starts reaches the fixed point that bisection finds.
    @Test(arguments: [0.05, 0.3, 1.0])
    func twoStateFixedPointsMatchBisection(temperature: Double) throws {
        let games: [(MeanFieldGame, PopulationModel)] = [
            (try TestGames.twoStateCongestion(u: [1, 0.4], kappa: 2, discount: 0.9), .nominal),
            (try TestGames.twoStateCongestion(u: [0, 0], kappa: 0.5, discount: 0.5), .nominal),
            (try TestGames.twoStateLog(u: [1, 0.2], lambda: 0.3, discount: 0.9, set: .totalVariation(), radius: 0.05), .worstCase),
            (try TestGames.twoStateLog(u: [0.8, 0], lambda: 0.5, discount: 0.8, set: try AmbiguitySet(kind: .linf), radius: 0.1), .worstCase),
        ]
        for (index, (game, population)) in games.enumerated() {
            guard let x = try Self.bisect(game, temperature: temperature, population: population) else {
                Issue.record("game \(index): no sign change for bisection")
                continue
            }
            // A root, not a jump of g (nature's kernel switches where the two values tie).
            let g = try Self.scalarResidual(game, x, temperature: temperature, population: population)
            #expect(abs(g) <= 1e-12, "game \(index), τ = \(temperature): g = \(g) at the bisection point")
            for start in [[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]] {
                let result = try game.solveEquilibrium(options: .init(method: .newton, temperature: temperature, tolerance: 1e-11,
                                                                      population: population, initialMeanField: start))
                #expect(result.converged, "game \(index), τ = \(temperature), start \(start): \(result.message)")
                #expect(result.method == .newton)
                #expect(abs(result.meanField[0] - x) <= 1e-9, "game \(index): \(result.meanField[0]) against \(x)")
                try EquilibriumTests.checkIndependently(game, result, tolerance: 1e-11, temperature: temperature,
                                                        population: population)
            }
        }
    }

    /// Garnets (tv and l1 worst case, nominal): `newton` from Anderson's iterate after a few
    /// steps reaches the fixed point of Anderson run to 1e-12 and of the damped fixed point.
    @Test(arguments: [(UInt64(3), PopulationModel.worstCase), (11, .nominal), (29, .worstCase)])
    func garnetFixedPointsMatchOtherMethods(seed: UInt64, population: PopulationModel) throws {
        let game = try TestGames.garnet(n: 25, m: 3, k: 5, set: seed == 29 ? try AmbiguitySet(kind: .l1) : .totalVariation(), radius: 0.1, seed: seed)
        let reference = try game.solveEquilibrium(options: .init(method: .anderson, temperature: 0.3, tolerance: 1e-12,
                                                                 population: population))
        #expect(reference.converged)
        let damped = try game.solveEquilibrium(options: .init(method: .fixedPoint, temperature: 0.3, tolerance: 1e-11,
                                                              maxIterations: 5000, population: population))
        #expect(damped.converged)
        let rough = try game.solveEquilibrium(options: .init(method: .anderson, temperature: 0.3, maxIterations: 3,
                                                             population: population))
        let result = try game.solveEquilibrium(options: .init(method: .newton, temperature: 0.3, tolerance: 1e-11,
                                                              population: population, initialMeanField: rough.meanField))
        #expect(result.converged, "\(result.message)")
        #expect(result.iterations <= 10)
        #expect(isApproximatelyEqual(result.meanField, reference.meanField, absolute: 1e-9, relative: 0))
        #expect(isApproximatelyEqual(result.meanField, damped.meanField, absolute: 1e-8, relative: 0))
        try EquilibriumTests.checkIndependently(game, result, tolerance: 1e-11, temperature: 0.3, population: population)
    }

    /// The polish is for dense Jacobians: a game above ``NewtonPolish/stateLimit`` states is
    /// refused with an option error naming the method; `auto` never polishes there.
    @Test func largeGamesAreRefused() throws {
        let game = try TestGames.garnet(n: NewtonPolish.stateLimit + 1, m: 2, k: 3, set: .nominalOnly, radius: 0, seed: 5)
        #expect(throws: MeanFieldError.invalidOption(field: .method, message: "newton needs at most 1000 states (Jacobians by finite differences), the game has 1001")) {
            try game.solveEquilibrium(options: .init(method: .newton, temperature: 0.5))
        }
        #expect(!NewtonPolish.applies(stateCount: 1001, temperature: 0.5))
        #expect(!NewtonPolish.applies(stateCount: 20, temperature: 0))
        #expect(NewtonPolish.applies(stateCount: 1000, temperature: 1e-3))
    }
}
