import GameFiles
@testable import MeanField
import Testing
import TestSupport

/// The frozen-policy steps' chain rewritten in place (``FrozenChain``) on the crowd grid, whose
/// keyed rows share their states between mean fields: the images and whole solves are those of
/// the refreshes that sweep and build a chain, bit for bit, and the in-place path did run.
@Suite struct FrozenChainSolveTests {
    static func crowdGrid(width: Int, height: Int) throws -> (GameFile, MeanFieldGame) {
        var overrides = GameOverrides()
        overrides.parameters = [ParameterOverride(name: "width", shape: [], elements: [Double(width)]),
                                ParameterOverride(name: "height", shape: [], elements: [Double(height)])]
        let file = try GameFile.load(path: Paths.example("crowd-grid.yaml"), overrides: overrides)
        return (file, try file.makeGame())
    }

    /// A random mean field (entries in `[0.01, 1]`, normalized) and the pair of its best response.
    static func randomPair(_ game: MeanFieldGame, rng: inout some RandomNumberGenerator) throws -> ([Double], PairEvaluation) {
        var mu = (0..<game.stateCount).map { _ in Double.random(in: 0.01...1, using: &rng) }
        let total = mu.reduce(0, +)
        mu = mu.map { $0 / total }
        let policy = try game.bestResponse(meanField: mu, temperature: 0.2)
        return (mu, try game.evaluate(policy: policy, meanField: mu, temperature: 0.2))
    }

    /// Anderson's options for the images: worst-case population, 6 lazy steps, a refresh every 3.
    static func imageOptions(_ execution: ExecutionMode) -> EquilibriumOptions {
        var options = EquilibriumOptions(method: .anderson, temperature: 0.2, tolerance: 1e-10, maxIterations: 100)
        options.population = .worstCase
        options.andersonSteps = 6
        options.frozenPolicyRefresh = 3
        options.execution = execution
        return options
    }

    /// Frozen-policy images from random mean fields (refreshing every 3 steps, serial and on
    /// forced parallel blocks): the in-place chain gives the same image bit for bit, and holds a
    /// structure afterwards (the sweep-and-build path holds none).
    @Test(arguments: [ExecutionMode.serial, .parallel])
    func imagesAreTheSameBitForBit(execution: ExecutionMode) throws {
        let seed = TestSeed()
        var rng = seed.generator
        let (_, game) = try Self.crowdGrid(width: 12, height: 10)
        for _ in 0..<4 {
            let (mu, pair) = try Self.randomPair(game, rng: &rng)
            var images: [[Double]] = []
            for inPlace in [true, false] {
                var options = Self.imageOptions(execution)
                options.frozenChainInPlace = inPlace
                var run = SolverRun(game: game, options: options, method: .anderson)
                images.append(try VectorBlocks.$testBlock.withValue(8) { try run.frozenPolicyImage(pair, lazySteps: 6) })
                #expect((run.evaluator.frozenChain != nil) == inPlace, "in place: \(inPlace), \(seed)")
                #expect(!run.evaluator.frozenRowsVary && run.evaluator.frozenRowsSeen == nil)
            }
            #expect(images[0].map(\.bitPattern) == images[1].map(\.bitPattern), "\(seed)")
            #expect(Simplex.l1(images[0], mu) > 0)
        }
    }

    /// The in-place chain's steps by tiles (``LazyPopulationSteps/applyByTiles(_:steps:stopChange:relativeStop:execution:scratch:)``,
    /// forced on the 24×20 grid with blocks of 8 states and tiles of 208: two tiles, the second of 272 states):
    /// the images are those of the step-by-step loop bit for bit, serial and parallel, and the
    /// tiles did run.
    @Test(arguments: [ExecutionMode.serial, .parallel])
    func tiledImagesAreTheSameBitForBit(execution: ExecutionMode) throws {
        let seed = TestSeed()
        var rng = seed.generator
        let (_, game) = try Self.crowdGrid(width: 24, height: 20)
        for _ in 0..<3 {
            let (mu, pair) = try Self.randomPair(game, rng: &rng)
            var images: [[Double]] = [], groups: [Int] = []
            for tiled in [true, false] {
                var options = Self.imageOptions(execution)
                options.tiledSteps = tiled
                var run = SolverRun(game: game, options: options, method: .anderson)
                images.append(try VectorBlocks.$testBlock.withValue(8) {
                    try LazyPopulationSteps.$testTileStates.withValue(208) { try run.frozenPolicyImage(pair, lazySteps: 6) }
                })
                groups.append(run.evaluator.stepScratch.groups)
            }
            #expect(images[0].map(\.bitPattern) == images[1].map(\.bitPattern), "\(seed)")
            #expect(groups[0] > 0 && groups[1] == 0, "\(groups)")
        }
    }

    /// The 70×70 grid (4,900 states: the frozen-policy stage from iteration 40) solved with
    /// and without the in-place chain: the same result bit for bit.
    @Test func solvesAreTheSameBitForBit() throws {
        let (file, game) = try Self.crowdGrid(width: 70, height: 70)
        var results: [EquilibriumResult] = []
        for inPlace in [true, false] {
            var options = file.equilibriumOptions
            options.frozenChainInPlace = inPlace
            results.append(try game.solveEquilibrium(options: options))
        }
        let (a, b) = (results[0], results[1])
        #expect(a.converged && a.message.contains("frozen-policy"), "\(a.message)")
        #expect(a.iterations == b.iterations && a.message == b.message)
        #expect(a.meanField.map(\.bitPattern) == b.meanField.map(\.bitPattern))
        #expect(a.policy.probabilities.map(\.bitPattern) == b.policy.probabilities.map(\.bitPattern))
    }
}
