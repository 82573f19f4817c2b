import Ambiguity
import Foundation
import GameFiles
import MeanField
import Testing
import TestSupport

/// Every bundled example loads, solves with its own `solver` block to its own
/// tolerance, and the returned pair is re-checked through the public API.
@Suite struct ExamplesTests {
    /// The examples that must be bundled.
    static let required = ["beach-bar.yaml", "congestion.yaml", "four-rooms.yaml", "lasry-lions.yaml",
                           "rock-paper-scissors.yaml", "sis-epidemic.yaml", "two-state.json"]

    /// Every game file in `Examples/` (YAML or JSON), plus the required ones.
    static var gameFiles: [String] {
        let listed = ((try? FileManager.default.contentsOfDirectory(atPath: Paths.examples.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
        return Array(Set(listed).union(required)).sorted()
    }

    struct Solved {
        let file: GameFile
        let game: MeanFieldGame
        let result: EquilibriumResult
    }

    static func solve(_ name: String, overrides: GameOverrides = GameOverrides()) throws -> Solved {
        let file = try GameFile.load(path: Paths.example(name), overrides: overrides)
        let game = try file.makeGame()
        do {
            return Solved(file: file, game: game, result: try game.solveEquilibrium(options: file.equilibriumOptions))
        } catch {
            throw file.explain(error)
        }
    }

    /// Recomputes exploitability and residual of the returned pair from scratch.
    static func recheck(_ solved: Solved, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (file, game, result) = (solved.file, solved.game, solved.result)
        let tolerance = file.solver.tolerance, tau = file.solver.temperature
        let converged = result.converged, message = result.message
        #expect(converged, "\(file.name): \(message)", sourceLocation: sourceLocation)
        let mu = result.meanField
        #expect(abs(mu.reduce(0, +) - 1) < 1e-9 && mu.allSatisfy { $0 >= 0 }, sourceLocation: sourceLocation)
        // Independent recomputation; the slack covers the inner value solves' own error (1e-12).
        let evaluation = try game.evaluate(policy: result.policy, meanField: mu, temperature: tau, population: file.population)
        let e = evaluation.exploitability, residual = evaluation.stationarityResidual
        #expect(e <= tolerance + 1e-10 && e >= -1e-10, "\(file.name): exploitability \(e)", sourceLocation: sourceLocation)
        #expect(residual <= tolerance + 1e-10, "\(file.name): residual \(residual)", sourceLocation: sourceLocation)
        let separately = try game.stationarityResidual(policy: result.policy, meanField: mu, temperature: tau,
                                                       population: file.population)
        // Both are L1 norms of unit-mass vectors: rounding is ~1e-15 absolute, so a residual
        // near 1e-11 is compared relatively (the former max(1, |a|, |b|) scale made this vacuous).
        #expect(isApproximatelyEqual(separately, residual, absolute: 1e-14, relative: 1e-6),
                "\(file.name): residual \(separately) vs \(residual)", sourceLocation: sourceLocation)
        let exploitability = try game.exploitability(policy: result.policy, meanField: mu, temperature: tau)
        #expect(exploitability <= tolerance + 1e-10, sourceLocation: sourceLocation)
        // The returned policy is (numerically) the best response at μ.
        let br = try game.bestResponse(meanField: mu, temperature: tau)
        let gap = br.maxDifference(result.policy)
        #expect(gap < 1e-4, "\(file.name): policy differs from BR(μ) by \(gap)", sourceLocation: sourceLocation)
    }

    @Test func requiredExamplesExist() {
        for name in Self.required {
            #expect(FileManager.default.fileExists(atPath: Paths.example(name)), "missing Examples/\(name)")
        }
    }

    @Test(arguments: ExamplesTests.gameFiles)
    func exampleSolvesWithItsOwnSettings(_ name: String) throws {
        let solved = try Self.solve(name)
        try Self.recheck(solved)
        #expect(solved.result.iterations <= solved.file.solver.maxIterations)
        #expect(solved.result.trace.count == solved.result.iterations)
    }

    /// Each example starts with a comment block (what, where from, parameters, equilibrium).
    @Test(arguments: ExamplesTests.gameFiles.filter { !$0.hasSuffix(".json") })
    func exampleIsDocumented(_ name: String) throws {
        let text = try String(contentsOfFile: Paths.example(name), encoding: .utf8)
        let comment = text.split(separator: "\n", omittingEmptySubsequences: false).prefix { $0.hasPrefix("#") }
        #expect(comment.count >= 10, "\(name) needs a comment block at the top")
        let block = comment.joined(separator: "\n").lowercased()
        #expect(block.contains("equilibrium") && block.contains("parameters"))
        let file = try GameFile.load(path: Paths.example(name))
        #expect(file.summary?.isEmpty == false)
    }

    /// Issue 19 (Docs/Theory.md, "Solvers"): the coordination game has three equilibria, so no map
    /// of the mean field — damped or not — is a contraction, and the slope of the equilibrium map at
    /// the interior one is above 1, so every damped iteration `(1 − α)x + αF(x)` is repelled from it.
    @Test func coordinationGameHasThreeEquilibria() throws {
        let file = try GameFile.load(path: Paths.example("coordination.yaml"))
        let game = try file.makeGame()
        let tau = file.solver.temperature
        #expect(tau == 0.1 && file.discount == 0.9)
        // F(x) = Φ(μ, BR_τ(μ))(right) for μ = (1 − x, x); the chain goes where the action says, so F is
        // also the stationary distribution of the best response's chain.
        func f(_ x: Double) throws -> Double {
            let mu = [1 - x, x]
            let br = try game.bestResponse(meanField: mu, temperature: tau)
            return try game.populationUpdate(meanField: mu, policy: br, temperature: tau, population: file.population)[1]
        }
        let grid = [0.0] + (0..<100).map { (Double($0) + 0.5) / 100 } + [1.0]
        let g = try grid.map { try f($0) - $0 }
        var roots: [Double] = []
        for i in 1..<grid.count where (g[i - 1] > 0) != (g[i] > 0) {
            var lo = grid[i - 1], hi = grid[i]
            let loPositive = g[i - 1] > 0
            for _ in 0..<60 {
                let mid = (lo + hi) / 2
                if (try f(mid) - mid > 0) == loPositive { lo = mid } else { hi = mid }
            }
            roots.append((lo + hi) / 2)
        }
        #expect(roots.count == 3, "\(roots)")
        // Closed form: x = logistic(γκ(2x − 1)/τ) = logistic(9(2x − 1)).
        for x in roots {
            #expect(abs(x - 1 / (1 + exp(-9 * (2 * x - 1)))) < 1e-12, "\(x)")
            let mu = [1 - x, x]
            let br = try game.bestResponse(meanField: mu, temperature: tau)
            let e = try game.evaluate(policy: br, meanField: mu, temperature: tau, population: file.population)
            #expect(abs(e.exploitability) < 1e-10 && e.stationarityResidual < 1e-10, "x \(x): \(e.exploitability), \(e.stationarityResidual)")
        }
        #expect(abs(roots[1] - 0.5) < 1e-12 && abs(roots[0] + roots[2] - 1) < 1e-12 && roots[2] > 0.9998)
        // F'(1/2) = γκ/(2τ) = 4.5: the Lipschitz constant of the damped map near 1/2 is 1 − α + 4.5α > 1.
        let h = 1e-6
        let slope = (try f(0.5 + h) - f(0.5 - h)) / (2 * h)
        #expect(abs(slope - 4.5) < 1e-4, "\(slope)")
    }

    @Test func lasryLionsMatchesTheKnownEquilibrium() throws {
        let solved = try Self.solve("lasry-lions.yaml")
        let mu = solved.result.meanField
        #expect(solved.file.set == .none && solved.file.solver.temperature == 0.5)
        let rounded = mu.map { ($0 * 1e4).rounded() / 1e4 }
        #expect(rounded[3] == 0.3511)
        #expect(rounded[2] == 0.2762 && rounded[4] == 0.2762)
        #expect(rounded[1] == 0.0472 && rounded[5] == 0.0472)
        #expect(abs(mu[0] - mu[6]) < 1e-9 && abs(mu[1] - mu[5]) < 1e-9 && abs(mu[2] - mu[4]) < 1e-9)
        // The kernel written as one expression is the clipped move-then-noise chain.
        let snap = try solved.game.snapshot(at: mu)
        #expect(isApproximatelyEqual(LoaderTests.row(snap, 0, 0), [0.975, 0.025, 0, 0, 0, 0, 0], absolute: 1e-14, relative: 1e-14))
        #expect(isApproximatelyEqual(LoaderTests.row(snap, 5, 2), [0, 0, 0, 0, 0, 0.025, 0.975], absolute: 1e-14, relative: 1e-14))
        #expect(isApproximatelyEqual(LoaderTests.row(snap, 3, 1), [0, 0, 0.025, 0.95, 0.025, 0, 0], absolute: 1e-14, relative: 1e-14))
        #expect(isApproximatelyEqual(snap.rewards[snap.row(0, 1)], -27 - 40 * mu[0], absolute: 0, relative: 1e-14))
        #expect(isApproximatelyEqual(snap.rewards[snap.row(3, 2)], -2 - 40 * mu[3], absolute: 0, relative: 1e-14))
    }

    /// The documented effect of robustness in the SIS example: nature raises prevalence.
    @Test func sisRobustPrevalenceExceedsNominal() throws {
        let robust = try Self.solve("sis-epidemic.yaml")
        let nominal = try Self.solve("sis-epidemic.yaml", overrides: GameOverrides(set: AmbiguityKind.none))
        try Self.recheck(nominal)
        #expect(robust.file.set == .kl && nominal.file.set == .none)
        #expect(robust.result.meanField[1] > nominal.result.meanField[1] + 0.01)
        #expect(abs(robust.result.meanField[1] - 0.58) < 0.01)
        #expect(robust.game.kernelsDependOnMeanField)
    }

    /// The documented beach-bar shape: a bump at the bar, and nature's spike far from it.
    @Test func beachBarPeaksAtTheBar() throws {
        let solved = try Self.solve("beach-bar.yaml")
        let mu = solved.result.meanField
        #expect(mu[10] > mu[9] && mu[10] > mu[11])
        #expect(mu[10] > 1.5 * mu[3])
        // Spots 0 and 20 are the two farthest from the bar and tie in value (the ring is
        // symmetric about 10); nature's index tie-break picks one, and round-off decides which.
        #expect([0, 20].contains(mu.firstIndex(of: mu.max()!)))
        #expect(mu.allSatisfy { $0 > 0 })
    }

    /// Four rooms: no mass in walls at equilibrium; the goal cell is the densest.
    @Test func fourRoomsAvoidsWallsAndFavoursTheGoal() throws {
        let file = try GameFile.load(path: Paths.example("four-rooms.yaml"))
        let game = try file.makeGame()
        #expect(file.stateCount == 121 && file.actionCount == 5 && file.set == .wasserstein && file.support == .nominal)
        let cost = try #require(game.ambiguity.cost)
        #expect(cost[0, 120] == 20 && cost[12, 14] == 2 && cost[5, 16] == 1)
        // Every row is a probability vector with no mass on wall cells from open cells.
        let snap = try game.snapshot(at: uniform(121))
        let walls: Set<Int> = [5, 16, 38, 49, 55, 57, 58, 59, 60, 71, 72, 73, 75, 76, 82, 104, 115]
        for s in 0..<121 where !walls.contains(s) {
            for a in 0..<5 {
                let row = snap.kernels[snap.row(s, a)]
                #expect(row.indices.allSatisfy { !walls.contains($0) }, "s=\(s), a=\(a)")
            }
        }
        // Moving up from the top-left corner is blocked (stay), with slip 0.2 spread over four moves.
        #expect(isApproximatelyEqual(LoaderTests.row(snap, 0, 0)[0], 0.8 + 0.05 * 2, absolute: 0, relative: 1e-14))
        #expect(isApproximatelyEqual(LoaderTests.row(snap, 0, 0)[1], 0.05, absolute: 0, relative: 1e-14))
        // Moving right from (0, 4) runs into the wall at (0, 5).
        #expect(isApproximatelyEqual(LoaderTests.row(snap, 4, 3)[4], 0.8 + 0.05 * 2, absolute: 0, relative: 1e-14))
    }
}

/// The tolerance helper compares small numbers relatively: the former `isClose(a, b, rel:)`
/// scaled by `max(1, |a|, |b|)`, so two residuals near 1e-11 always "agreed" at rel 1e-6.
@Suite("Tolerance helper")
struct ToleranceHelperTests {
    @Test func smallNumbersAreComparedRelatively() {
        #expect(!isApproximatelyEqual(1e-11, 2e-11, absolute: 1e-14, relative: 1e-6))
        #expect(isApproximatelyEqual(1e-11, 1e-11 * (1 + 1e-7), absolute: 0, relative: 1e-6))
        #expect(isApproximatelyEqual(1e-16, 0, absolute: 1e-15, relative: 0))
        #expect(!isApproximatelyEqual(1e-16, 0, absolute: 0, relative: 1e-3))
        #expect(isApproximatelyEqual(1e300, 1e300 * (1 + 1e-13), absolute: 0, relative: 1e-12))
        #expect(isApproximatelyEqual(.infinity, .infinity, absolute: 0, relative: 0))
        #expect(!isApproximatelyEqual(.nan, .nan, absolute: 1, relative: 1))
        #expect(!isApproximatelyEqual([0, 1], [0, 1, 2], absolute: 1, relative: 1))
        #expect(isApproximatelyEqual([0, 0.5], [1e-17, 0.5], absolute: 1e-15, relative: 1e-15))
    }
}
