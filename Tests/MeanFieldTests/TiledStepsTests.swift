import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The lazy population steps by tiles (``LazyPopulationSteps/applyByTiles(_:steps:stopChange:relativeStop:execution:scratch:)``)
/// against the step-by-step loop on random local chains: the same image and step count bit for
/// bit, for every count of steps (one group, several, a short last one), the stop rule met inside
/// a group and at its end, relative stops, serial and parallel, reaches from 0 to the most a tile
/// allows, and one scratch shared by chains of different sizes.
@Suite struct TiledStepsTests {
    /// A chain on `n` states whose rows reach at most `reach` states away (a random subset of
    /// `s − reach … s + reach` within the range, `s` itself always), with a random policy over
    /// `m = 3` actions.
    static func localChain(n: Int, reach: Int, rng: inout SplitMix64) -> LazyPopulationSteps {
        let m = 3
        var kernels: [SparseDistribution] = []
        for s in 0..<n {
            for _ in 0..<m {
                var targets = [s]
                for t in max(0, s - reach)...min(n - 1, s + reach) where t != s && rng.unit() < 0.4 { targets.append(t) }
                targets.sort()
                let weights = targets.map { _ in rng.unit() + 0.05 }
                let total = weights.reduce(0, +)
                kernels.append(SparseDistribution(indices: targets, probabilities: weights.map { $0 / total }))
            }
        }
        var policy: [Double] = []
        for _ in 0..<n {
            let w = (0..<m).map { _ in rng.unit() }
            let total = w.reduce(0, +)
            policy += w.map { $0 / total }
        }
        var chain = LazyPopulationSteps(TransitionMatrix(unchecked: policy, kernels: kernels, stateCount: n, actionCount: m))
        chain.reach = LazyPopulationSteps.reach(columnStart: chain.columnStart, sources: chain.sources, stateCount: n)
        return chain
    }

    static func randomLaw(_ n: Int, rng: inout SplitMix64) -> [Double] {
        let x = (0..<n).map { _ in rng.unit() < 0.2 ? 0 : rng.unit() }
        let total = x.reduce(0, +)
        return x.map { $0 / total }
    }

    @Test(arguments: [ExecutionMode.serial, .parallel])
    func tilesGiveTheStepByStepImages(execution: ExecutionMode) throws {
        var rng = SplitMix64(seed: 4242)
        let scratch = StepScratch()
        var tiledGroups = 0
        // Blocks of 8 states, tiles of 128: a group of g steps tiles while (2g + 2)·reach + 16 ≤ 128
        // (every group up to reach 5; at reach 6, groups of up to 8 steps).
        try VectorBlocks.$testBlock.withValue(8) {
            try LazyPopulationSteps.$testTileStates.withValue(128) {
                for (n, reach) in [(300, 0), (301, 1), (517, 3), (640, 4), (256, 2), (300, 5), (400, 6)] {
                    let chain = Self.localChain(n: n, reach: reach, rng: &rng)
                    let farthest = try #require(chain.reach)
                    #expect(farthest <= reach && (reach == 0 || farthest > 0))
                    let mu = Self.randomLaw(n, rng: &rng)
                    // Changes of the plain run's steps, to place stops inside and at the end of groups.
                    var changes: [Double] = []
                    var nu = mu
                    for _ in 0..<23 {
                        let next = chain.apply(nu, steps: 1, execution: .serial)
                        changes.append(zip(next, nu).reduce(0) { $0 + abs($1.0 - $1.1) })
                        nu = next
                    }
                    let cases: [(steps: Int, stop: Double, relative: Double)] = [
                        (1, -1, 0), (7, -1, 0), (10, -1, 0), (23, -1, 0), (23, 0, 0),
                        (23, changes[4], 0), (23, changes[9], 0), (23, changes[14], 0), (10, 0, 0.9), (23, 0, 1.5),
                    ]
                    for c in cases {
                        let plain = chain.apply(mu, steps: c.steps, stopChange: c.stop, relativeStop: c.relative, execution: .serial)
                        let tiled = chain.applyByTiles(mu, steps: c.steps, stopChange: c.stop, relativeStop: c.relative,
                                                       execution: execution, scratch: scratch)
                        guard (2 * min(10, c.steps) + 2) * farthest + 16 <= 128 else {
                            #expect(tiled == nil, "reach \(farthest): too far for tiles of 128")
                            continue
                        }
                        let t = try #require(tiled, "n \(n), reach \(reach)")
                        #expect(t.steps == plain.steps, "n \(n), reach \(reach), \(c)")
                        #expect(t.image.map(\.bitPattern) == plain.image.map(\.bitPattern), "n \(n), reach \(reach), \(c)")
                        // Through `apply` with the scratch: the same again.
                        let via = chain.apply(mu, steps: c.steps, stopChange: c.stop, relativeStop: c.relative,
                                              execution: execution, scratch: scratch)
                        #expect(via.steps == plain.steps && via.image.map(\.bitPattern) == plain.image.map(\.bitPattern))
                    }
                    tiledGroups = scratch.groups
                }
            }
        }
        #expect(tiledGroups > 100)
        // Without a test tile size, a chain this small does not run by tiles.
        let small = Self.localChain(n: 600, reach: 2, rng: &rng)
        #expect(small.tileStates(group: 10) == nil)
        #expect(small.applyByTiles([Double](repeating: 1 / 600.0, count: 600), steps: 10, stopChange: -1, relativeStop: 0,
                                   execution: .serial, scratch: scratch) == nil)
    }
}
