import Ambiguity
import MeanField
import Testing
import TestSupport

@Suite struct VerificationTests {
    /// `inner: lp` reaches the same equilibrium as the closed forms, and the verification
    /// re-solves every inner problem of the final iterate (2 value functions × n·m rows).
    @Test func lpInnerMatchesClosedForm() throws {
        let game = try TestGames.garnet(n: 8, m: 2, k: 3, set: .totalVariation(), radius: 0.15, seed: 17)
        let closed = try game.solveEquilibrium(options: .init(temperature: 0.3, verify: true))
        #expect(closed.converged)
        let report = try #require(closed.verification)
        #expect(report.problems == 2 * 8 * 2)
        #expect(report.maxDisagreement <= 1e-9)
        let lp = try game.solveEquilibrium(options: .init(temperature: 0.3, inner: .lp))
        #expect(lp.converged)
        #expect(lp.verification == nil)
        #expect(isApproximatelyEqual(lp.meanField, closed.meanField, absolute: 1e-7, relative: 1e-7))
    }

    @Test(arguments: [AmbiguityKind.l1, .linf, .kl, .chi2])
    func verificationOfOtherSets(kind: AmbiguityKind) throws {
        let game = try TestGames.garnet(n: 6, m: 2, k: 3, set: AmbiguitySet(kind: kind), radius: 0.1, seed: 23)
        let result = try game.solveEquilibrium(options: .init(temperature: 0.5, verify: true))
        #expect(result.converged)
        let report = try #require(result.verification)
        #expect(report.problems == 2 * 6 * 2)
        #expect(report.maxDisagreement <= 1e-7)
        try EquilibriumTests.checkIndependently(game, result, tolerance: 1e-9, temperature: 0.5)
    }
}
