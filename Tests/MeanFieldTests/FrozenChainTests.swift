import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// ``FrozenChain``, the frozen-policy steps' chain rewritten in place, against the chain the
/// refreshes built before (the sweep's worst-case rows, then
/// ``LazyPopulationSteps/init(policy:kernelRows:stateCount:actionCount:execution:groups:)``) and
/// against dense sums: the same entries and the same steps bit for bit, on random rows with
/// ties, zeros in the policy, radius 0, radii past every row's mass and extreme magnitudes.
@Suite struct FrozenChainTests {
    /// `n·m` random rows of 1 to 5 distinct increasing states, positive masses summing to 1
    /// (some of them tiny), laid out with gaps between rows half of the time.
    static func randomRows(states n: Int, actions m: Int, _ rng: inout SplitMix64) -> KernelRows {
        var starts: [Int] = [], ends: [Int] = [], indices: [Int] = [], masses: [Double] = []
        let gaps = Bool.random(using: &rng)
        for _ in 0..<(n * m) {
            let k = Int.random(in: 1...min(n, 5), using: &rng)
            let states = Array((0..<n).shuffled(using: &rng).prefix(k)).sorted()
            var weights = states.map { _ in Double.random(in: 0.001...1, using: &rng) }
            if k > 1, Int.random(in: 0..<4, using: &rng) == 0 { weights[Int.random(in: 0..<k, using: &rng)] = 1e-300 }
            let total = weights.reduce(0, +)
            starts.append(indices.count)
            indices.append(contentsOf: states)
            masses.append(contentsOf: weights.map { $0 / total })
            ends.append(indices.count)
            if gaps {
                indices.append(0)
                masses.append(0)
            }
        }
        return KernelRows(rowStart: starts, rowEnd: ends, indices: indices, probabilities: masses)
    }

    /// A policy with some actions at probability 0 (and some states on one action).
    static func randomPolicy(states n: Int, actions m: Int, _ rng: inout SplitMix64) -> [Double] {
        var policy: [Double] = []
        for _ in 0..<n {
            var row = (0..<m).map { _ in Int.random(in: 0..<3, using: &rng) == 0 ? 0 : Double.random(in: 0.01...1, using: &rng) }
            if row.allSatisfy({ $0 == 0 }) { row[Int.random(in: 0..<m, using: &rng)] = 1 }
            let total = row.reduce(0, +)
            policy.append(contentsOf: row.map { $0 / total })
        }
        return policy
    }

    /// Values with ties (a few levels), or spread over extreme magnitudes.
    static func randomValues(states n: Int, _ rng: inout SplitMix64) -> [Double] {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return (0..<n).map { _ in [-1.0, 0, 0.5, 3][Int.random(in: 0..<4, using: &rng)] }
        case 1: return (0..<n).map { _ in Double.random(in: -1...1, using: &rng) * 1e200 }
        default: return (0..<n).map { _ in Double.random(in: -5...5, using: &rng) }
        }
    }

    static func snapshot(_ rows: KernelRows, set: AmbiguitySet, radii: [Double], states n: Int, actions m: Int) -> GameSnapshot {
        GameSnapshot(meanField: [Double](repeating: 1 / Double(n), count: n), stateCount: n, actionCount: m, discount: 0.9,
                     ambiguity: set, rewards: [Double](repeating: 0, count: n * m), rowArrays: nil,
                     layout: NominalLayout(rows: rows), radii: radii)
    }

    /// The chain the refreshes built before: the sweep's worst cases (or the nominal rows), mixed.
    static func builtChain(_ snap: GameSnapshot, policy: [Double], values: [Double],
                           population: PopulationModel) throws -> LazyPopulationSteps {
        let n = snap.stateCount, m = snap.actionCount
        var kernels = snap.layout.rows
        if population == .worstCase {
            kernels = try #require(try snap.sweep(values: values, wantKernels: true, execution: .serial).kernels)
        }
        return LazyPopulationSteps(policy: policy, kernelRows: kernels, stateCount: n, actionCount: m, execution: .serial)
    }

    /// The chain as a dense matrix, from its columns (`+0` where it has no entry).
    static func dense(_ chain: LazyPopulationSteps) -> [[Double]] {
        let n = chain.stateCount
        var p = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for t in 0..<n {
            for e in chain.columnStart[t]..<chain.columnStart[t + 1] { p[Int(chain.sources[e])][t] = chain.weights[e] }
        }
        return p
    }

    /// The sets whose worst cases stay on the nominal support, and a radius for a row.
    static func randomSet(states n: Int, _ rng: inout SplitMix64) throws -> AmbiguitySet {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return .totalVariation(support: .nominal)
        case 1: return try AmbiguitySet(kind: .l1, support: .nominal, weights: [Double](repeating: 2.5, count: n))
        default: return .nominalOnly
        }
    }

    static func randomRadius(_ rng: inout SplitMix64) -> Double {
        [0, 1e-13, Double.random(in: 0...0.5, using: &rng), 1, 3][Int.random(in: 0..<5, using: &rng)]
    }

    /// On 400 random instances, serial and on forced parallel blocks: every entry of the
    /// rewritten chain is the built chain's bit for bit (`+0` where the built one has none), so
    /// are six lazy steps from a random law, and both equal the dense sum
    /// `Σ_a π(a|s) q*(t|s, a)` of the sweep's worst cases to rounding. A second rewrite of the
    /// same structure at new masses gives the second chain (the entries are rewritten, not added).
    @Test func rewrittenChainEqualsTheBuiltChain() throws {
        let seed = TestSeed()
        var rng = seed.generator
        for instance in 0..<400 {
            let n = Int.random(in: 1...12, using: &rng), m = Int.random(in: 1...4, using: &rng)
            let set = try Self.randomSet(states: n, &rng)
            let population: PopulationModel = Bool.random(using: &rng) ? .worstCase : .nominal
            let policy = Self.randomPolicy(states: n, actions: m, &rng)
            let values = Self.randomValues(states: n, &rng)
            let radii = (0..<(n * m)).map { _ in Self.randomRadius(&rng) }
            let rows = Self.randomRows(states: n, actions: m, &rng)
            var structure = try #require(FrozenChain(rows: rows, stateCount: n, actionCount: m))
            // The same structure at new masses (shared bounds and states).
            let other = Self.randomRows(states: n, actions: m, &rng)
            var masses = rows.probabilities
            for row in 0..<(n * m) {
                let k = rows.rowEnd[row] - rows.rowStart[row]
                let fresh = (0..<k).map { _ in Double.random(in: 0.001...1, using: &rng) }
                let total = fresh.reduce(0, +)
                for j in 0..<k { masses[rows.rowStart[row] + j] = fresh[j] / total }
            }
            let second = KernelRows(rowStart: rows.rowStart, rowEnd: rows.rowEnd, indices: rows.indices, probabilities: masses)
            #expect(structure.matches(second) && !structure.matches(other))
            let mu = AndersonStepsTests.randomDistribution(n, &rng)
            for current in [rows, second] {
                let snap = Self.snapshot(current, set: set, radii: radii, states: n, actions: m)
                let built = try Self.builtChain(snap, policy: policy, values: values, population: population)
                let want = Self.dense(built), steps = built.apply(mu, steps: 6, execution: .serial)
                for execution in [ExecutionMode.serial, .parallel] {
                    let chain = try #require(VectorBlocks.$testBlock.withValue(2) {
                        structure.chain(snapshot: snap, policy: policy, values: values, population: population,
                                        execution: execution)
                    })
                    let label = "instance \(instance), \(set.kind), \(population), \(execution), \(seed)"
                    #expect(Self.dense(chain).map { $0.map(\.bitPattern) } == want.map { $0.map(\.bitPattern) }, "\(label)")
                    #expect(chain.apply(mu, steps: 6, execution: .serial).map(\.bitPattern) == steps.map(\.bitPattern),
                            "\(label)")
                }
                // The dense sum of the sweep's worst cases (or the nominal rows).
                let kernels = population == .worstCase
                    ? try #require(try snap.sweep(values: values, wantKernels: true, execution: .serial).kernels) : current
                for s in 0..<n {
                    var row = [Double](repeating: 0, count: n)
                    for a in 0..<m {
                        let r = kernels.row(s * m + a)
                        for (t, q) in zip(r.indices, r.probabilities) { row[t] += policy[s * m + a] * q }
                    }
                    #expect(isApproximatelyEqual(want[s], row, absolute: 1e-15, relative: 1e-13), "instance \(instance), \(seed)")
                }
            }
        }
    }

    /// `matches` goes by storage: equal contents in other arrays do not match (the caller
    /// cannot know they stay equal), the structure's own arrays do.
    @Test func matchesTheStructuresOwnArraysOnly() throws {
        var rng = TestSeed(7).generator
        let rows = Self.randomRows(states: 6, actions: 2, &rng)
        let structure = try #require(FrozenChain(rows: rows, stateCount: 6, actionCount: 2))
        let copy = KernelRows(rowStart: rows.rowStart.map { $0 }, rowEnd: rows.rowEnd.map { $0 },
                              indices: rows.indices.map { $0 }, probabilities: rows.probabilities)
        #expect(structure.matches(rows))
        #expect(!structure.matches(copy))
        #expect(FrozenChain.sameStructure(rows, rows) && !FrozenChain.sameStructure(rows, copy))
    }

    /// No structure for rows that are not `n·m` rows of states in `0..<n`, each after the one
    /// before (rows that share entries would have two states write one entry).
    @Test func refusesRowsOfAnotherShape() {
        let rows = KernelRows(rowStart: [0, 1], rowEnd: [1, 2], indices: [0, 3], probabilities: [1, 1])
        #expect(FrozenChain(rows: rows, stateCount: 2, actionCount: 1) == nil)
        #expect(FrozenChain(rows: rows, stateCount: 4, actionCount: 1) == nil)
        #expect(FrozenChain(rows: rows, stateCount: 4, actionCount: 2) == nil)
        let overlapping = KernelRows(rowStart: [0, 1], rowEnd: [2, 3], indices: [0, 1, 0], probabilities: [0.5, 0.5, 0.5])
        #expect(FrozenChain(rows: overlapping, stateCount: 2, actionCount: 1) == nil)
        let apart = KernelRows(rowStart: [0, 2], rowEnd: [2, 3], indices: [0, 1, 0], probabilities: [0.5, 0.5, 1])
        #expect(FrozenChain(rows: apart, stateCount: 2, actionCount: 1) != nil)
    }

    /// A game whose rows are written afresh at each mean field (a kernel closure) keeps the sweep
    /// and the built chains: after one image it holds no structure and no rows, and says why.
    @Test func aGameThatWritesItsRowsAfreshKeepsTheSweep() throws {
        var rng = TestSeed(11).generator
        let game = try AndersonStepsTests.crowdGrid(side: 5, radius: 0.05)
        var options = EquilibriumOptions(method: .anderson, temperature: 0.2, tolerance: 1e-10, maxIterations: 100)
        options.andersonSteps = 6
        options.frozenPolicyRefresh = 3
        var run = SolverRun(game: game, options: options, method: .anderson)
        let mu = AndersonStepsTests.randomDistribution(25, &rng)
        let pair = try game.evaluate(policy: try game.bestResponse(meanField: mu, temperature: 0.2), meanField: mu, temperature: 0.2)
        _ = try run.frozenPolicyImage(pair, lazySteps: 6)
        #expect(run.evaluator.frozenChain == nil)
        #expect(run.evaluator.frozenRowsSeen == nil)
        #expect(run.evaluator.frozenRowsVary)
    }

    /// Where it applies: a nominal population always; a worst case only on the nominal support
    /// of a set that writes rows in place.
    @Test func appliesWhereTheWorstCaseKeepsTheNominalSupport() throws {
        #expect(FrozenChain.applies(ambiguity: .totalVariation(support: .nominal), population: .worstCase))
        #expect(FrozenChain.applies(ambiguity: .nominalOnly, population: .worstCase))
        #expect(!FrozenChain.applies(ambiguity: .totalVariation(support: .simplex), population: .worstCase))
        #expect(FrozenChain.applies(ambiguity: .totalVariation(support: .simplex), population: .nominal))
        let kl = try AmbiguitySet(kind: .kl, support: .nominal)
        #expect(!FrozenChain.applies(ambiguity: kl, population: .worstCase))
    }

    /// `writeWorstCase(short:…)`, the loops' entry point (the frozen chain's pass, the sweeps): on
    /// random rows of 1 to 5 entries with ties, tiny masses, radius 0 and radii past every row's
    /// mass, bit for bit `writeWorstCase`'s value, count and entries for every set that writes rows
    /// in place (`tv` on the nominal support and on the simplex, `l1` with uniform weights, `none`),
    /// with the set's own `shortRows`.
    @Test func theLoopsEntryPointIsWriteWorstCase() throws {
        let seed = TestSeed()
        var rng = seed.generator
        let n = 7
        let sets = [AmbiguitySet.totalVariation(support: .nominal), .totalVariation(support: .simplex), .nominalOnly,
                    try AmbiguitySet(kind: .l1, support: .nominal),
                    try AmbiguitySet(kind: .l1, support: .nominal, weights: [Double](repeating: 2.5, count: n))]
        var short = 0
        for instance in 0..<200 {
            let rows = Self.randomRows(states: n, actions: 3, &rng)
            let values = Self.randomValues(states: n, &rng)
            for (number, set) in sets.enumerated() {
                let radius = Self.randomRadius(&rng)
                rows.withView { k in
                    RowValues.with(values) { view in
                        for row in 0..<rows.count {
                            var got = ([Int](repeating: -1, count: 6), [Double](repeating: -1, count: 6))
                            var want = got
                            let g = got.0.withUnsafeMutableBufferPointer { oi in
                                got.1.withUnsafeMutableBufferPointer { om in
                                    set.writeWorstCase(short: set.shortRows, indices: k.indices(row), masses: k.probabilities(row),
                                                       view: view, radius: radius, outIndices: oi.baseAddress, outMasses: om.baseAddress)
                                }
                            }
                            let w = want.0.withUnsafeMutableBufferPointer { oi in
                                want.1.withUnsafeMutableBufferPointer { om in
                                    set.writeWorstCase(indices: k.indices(row), masses: k.probabilities(row), view: view,
                                                       radius: radius, outIndices: oi.baseAddress, outMasses: om.baseAddress)
                                }
                            }
                            if set.shortRows != nil, k.indices(row).count <= 2 { short += 1 }
                            let label = "instance \(instance), set \(number), row \(row), \(seed)"
                            #expect(g.value.bitPattern == w.value.bitPattern && g.count == w.count, "\(label)")
                            #expect(got.0 == want.0 && got.1.map(\.bitPattern) == want.1.map(\.bitPattern), "\(label)")
                        }
                    }
                }
            }
        }
        #expect(short > 100, "short rows taken: \(short)")
    }
}
