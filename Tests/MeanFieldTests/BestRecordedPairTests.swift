import Ambiguity
import MeanField
import Testing
import TestSupport

/// An unconverged solve returns the trace's best pair at the requested `τ` (lowest
/// `max(E, r)`), evaluated again from scratch, when it beats the last pair
/// (Docs/Solvers.md, "When a solve does not converge").
@Suite struct BestRecordedPairTests {
    static func score(_ e: Double, _ r: Double) -> Double { max(e, r) }

    /// Every method on short budgets: the returned pair is, up to the value tolerance, the best
    /// of its trace; the public evaluation of the returned pair reproduces its numbers; and a
    /// pair other than the last is returned, with a message naming it, on some of these runs.
    @Test func unconvergedSolvesReturnTheBestRecordedPair() throws {
        let games = [try TestGames.lasryLions(),
                     try TestGames.garnet(n: 30, m: 3, k: 5, set: .totalVariation(), radius: 0.2, seed: 13)]
        var swapped = 0
        for game in games {
            for method in [EquilibriumMethod.fixedPoint, .anderson, .mirrorDescent, .fictitiousPlay, .auto] {
                for budget in [2, 5, 12] {
                    let tau = 0.05
                    let result = try game.solveEquilibrium(options: .init(method: method, temperature: tau,
                                                                          damping: 1, tolerance: 1e-13, maxIterations: budget))
                    let label = "\(method) budget \(budget): \(result.message)"
                    #expect(!result.converged, "\(label)")
                    #expect(result.iterations == budget && result.trace.count == budget, "\(label)")
                    // Independent evaluation of the returned pair (fresh value solves to 1e-12).
                    let check = try game.evaluate(policy: result.policy, meanField: result.meanField, temperature: tau)
                    #expect(abs(check.exploitability - result.exploitability) <= 1e-9 + 1e-9 * abs(check.exploitability), "\(label)")
                    #expect(abs(check.stationarityResidual - result.stationarityResidual) <= 1e-12 + 1e-9 * check.stationarityResidual,
                            "\(label)")
                    let atTau = result.trace.filter { $0.temperature == tau }
                    let best = atTau.map { Self.score($0.exploitability, $0.stationarityResidual) }.min() ?? .infinity
                    let returned = Self.score(result.exploitability, result.stationarityResidual)
                    #expect(returned <= best + 1e-9 + 1e-6 * best, "\(label)")
                    guard let last = result.trace.last else { continue }
                    let lastScore = Self.score(last.exploitability, last.stationarityResidual)
                    if result.message.contains("returned instead") {
                        swapped += 1
                        #expect(lastScore > returned, "\(label)")
                        #expect(result.message.contains("evaluated again from scratch"), "\(label)")
                    } else {
                        #expect(lastScore <= best + 1e-9 + 1e-6 * best, "\(label)")
                    }
                }
            }
        }
        #expect(swapped >= 3, "only \(swapped) runs returned an earlier pair")
    }

    /// A converged solve is untouched: it returns its last pair, as before.
    @Test func convergedSolvesReturnTheirLastPair() throws {
        let game = try TestGames.lasryLions()
        let result = try game.solveEquilibrium(options: .init(temperature: 0.5))
        #expect(result.converged)
        #expect(result.trace.last?.exploitability == result.exploitability)
        #expect(result.trace.last?.stationarityResidual == result.stationarityResidual)
        #expect(!result.message.contains("returned instead"))
    }
}
