import Foundation
import GameFiles
import MeanField
import Randomness
import Testing
import TestSupport

/// Coarse-to-fine starts (``CoarseStart``; Docs/Solvers.md, "Coarse-to-fine starts").
@Suite struct CoarseStartTests {
    @Test func levelsHalveEachSideDownToTheCoarsest() {
        #expect(CoarseStart.levels(below: [300, 300]) == [[38, 38], [75, 75], [150, 150]])
        #expect(CoarseStart.levels(below: [200, 200]) == [[50, 50], [100, 100]])
        #expect(CoarseStart.levels(below: [100, 100]) == [[50, 50]])
        #expect(CoarseStart.levels(below: [64, 64]).isEmpty)
        #expect(CoarseStart.levels(below: [1, 10_000]) == [[1, 2500], [1, 5000]])
        #expect(CoarseStart.levels(below: [12, 8], coarsest: 30) == [[6, 4]])
        #expect(CoarseStart.levels(below: [5, 5, 5], coarsest: 20) == [[2, 2, 2], [3, 3, 3]])
        #expect(CoarseStart.levels(below: [1, 1], coarsest: 0).isEmpty)
    }

    /// Against a brute force written differently: for each coarse cell, the fine cells whose
    /// coordinates halve to it, found by scanning the whole fine grid by coordinates.
    @Test(arguments: [([3, 2], [5, 4]), ([3, 2], [6, 4]), ([4, 4], [8, 7]), ([2, 3, 2], [3, 5, 4]), ([1, 5], [1, 9])])
    func spreadKeepsMassAndSharesEachCellEqually(from: [Int], to: [Int]) throws {
        var rng = SplitMix64(seed: 11)
        let n = from.reduce(1, *)
        var coarse = (0..<n).map { _ in Double(rng.next() % 1000) + 1 }
        let total = coarse.reduce(0, +)
        coarse = coarse.map { $0 / total }
        let fine = try #require(CoarseStart.spread(coarse, from: from, to: to))
        #expect(fine.count == to.reduce(1, *))
        #expect(abs(fine.reduce(0, +) - 1) <= 1e-15)
        func coordinates(_ index: Int, _ shape: [Int]) -> [Int] {
            var rest = index
            return shape.map { side in defer { rest /= side }; return rest % side }
        }
        for c in 0..<n {
            let cc = coordinates(c, from)
            let members = (0..<fine.count).filter { f in zip(coordinates(f, to), cc).allSatisfy { $0 / 2 == $1 } }
            #expect(!members.isEmpty)
            for f in members { #expect(abs(fine[f] - coarse[c] / Double(members.count)) <= 1e-18) }
        }
    }

    @Test func spreadRefusesShapesThatDoNotFit() {
        #expect(CoarseStart.spread([1], from: [1, 1], to: [3, 1]) == nil)
        #expect(CoarseStart.spread([0.5, 0.5], from: [2, 1], to: [2]) == nil)
        #expect(CoarseStart.spread([1], from: [2, 1], to: [2, 2]) == nil)
        #expect(CoarseStart.spread([1], from: [1, 1], to: [0, 1]) == nil)
    }

    /// The crowd grid at 12×8 with a coarse level of 6×4: the level converges, the start has the
    /// fine grid's size and mass 1, and the fine solve from it converges to a pair that the
    /// public evaluation confirms; it is the same equilibrium as from the uniform start. The
    /// start's options carry the shorter frozen-policy images of a coarse start.
    @Test func crowdGridStartsFromItsCoarseLevel() throws {
        var overrides = GameOverrides()
        overrides.parameters = [ParameterOverride(name: "width", shape: [], elements: [12]),
                                ParameterOverride(name: "height", shape: [], elements: [8])]
        let file = try GameFile.load(path: Paths.example("crowd-grid.yaml"), overrides: overrides)
        #expect(file.gridParameters == ["width", "height"])
        let start = try #require(try CoarseStart.start(for: file, overrides: overrides, coarsest: 30))
        #expect(start.levels.map(\.shape) == [[6, 4]])
        #expect(start.levels.allSatisfy { $0.converged })
        #expect(start.meanField.count == 96)
        #expect(abs(start.meanField.reduce(0, +) - 1) <= 1e-12)
        let game = try file.makeGame()
        let options = CoarseStart.options(file.equilibriumOptions, startingFrom: start.meanField)
        #expect(options.initialMeanField == start.meanField)
        #expect(options.frozenPolicyStepMultiple == EquilibriumOptions.frozenPolicyCoarseStartStepFactor)
        #expect(file.equilibriumOptions.frozenPolicyStepMultiple == EquilibriumOptions.frozenPolicyStepFactor)
        #expect(options.frozenPolicyFromStart && !file.equilibriumOptions.frozenPolicyFromStart)
        let fromCoarse = try game.solveEquilibrium(options: options)
        #expect(fromCoarse.converged, "\(fromCoarse.message)")
        let check = try game.evaluate(policy: fromCoarse.policy, meanField: fromCoarse.meanField, temperature: 0.2)
        #expect(check.exploitability <= 1e-8 && check.stationarityResidual <= 1e-8)
        let fromUniform = try game.solveEquilibrium(options: file.equilibriumOptions)
        #expect(fromUniform.converged)
        let distance = zip(fromCoarse.meanField, fromUniform.meanField).map { abs($0 - $1) }.reduce(0, +)
        #expect(distance <= 1e-6, "ℓ1 distance \(distance)")
        // No coarser level below the threshold: the file's own start.
        let none = try CoarseStart.start(for: file, overrides: overrides)
        #expect(none == nil)
    }

    @Test func gridsNotSizedByParametersAreRefused() throws {
        let file = try GameFile.load(path: Paths.example("four-rooms.yaml"))
        #expect(throws: CoarseStart.Failure.self) { try CoarseStart.start(for: file, overrides: GameOverrides()) }
        let plain = try GameFile.load(path: Paths.example("lasry-lions.yaml"))
        #expect(plain.gridParameters == nil)
        do {
            _ = try CoarseStart.start(for: plain, overrides: GameOverrides())
            Issue.record("expected a failure")
        } catch {
            #expect(error.description.hasPrefix("states.grid:"))
        }
    }
}
