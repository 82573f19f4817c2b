import Testing
import TestSupport

/// The shared Randomness module: the one stream recipe, the samplers and the garnet,
/// checked against independent computations.
@Suite("Randomness")
struct RandomnessTests {
    /// `SplitMix64(seed:stream:)` is the recipe sweeps have always used (the former
    /// `Experiments.SeededGenerator`), so sweep outputs stay byte-identical. The expected
    /// number was computed by hand from the formula in Python.
    @Test func streamRecipeIsTheSweepsRecipe() {
        var g = SplitMix64(seed: 5, stream: 2)
        #expect(g.next() == 14_508_802_174_568_436_129)
        var h = SplitMix64(seed: 1, stream: 0)
        #expect(h.next() == 17_684_472_107_665_951_097)
    }

    /// A path of keys applies the one recipe key by key (negative keys as bit patterns);
    /// expected numbers computed by hand in Python. One key: `init(seed:stream:)`.
    @Test func streamPathsApplyTheRecipeKeyByKey() {
        var byPath = SplitMix64(seed: 9, streams: 4, -1, 7)
        #expect(byPath.next() == 9_178_652_401_970_737_480)
        #expect(byPath.next() == 11_274_267_844_880_925_247)
        var one = SplitMix64(seed: 9, streams: 4), single = SplitMix64(seed: 9, stream: 4)
        #expect(one.next() == single.next())
    }

    /// Categorical draws from weights and from partial sums agree, never pick a zero
    /// weight, and match a brute-force inversion on random weights with zeros.
    @Test func categoricalDrawsAgreeWithBruteForce() {
        let seed = TestSeed(2026)
        var rng = seed.generator
        for _ in 0..<2_000 {
            let n = 1 + Int(rng.next() % 6)
            let w = (0..<n).map { _ in rng.unit() < 0.3 ? 0 : rng.unit() }
            let u = rng.unit()
            let fromWeights = Categorical.index(weights: w, uniform: u)
            let fromSums = Categorical.index(cumulative: Categorical.cumulative(w), uniform: u)
            #expect(fromWeights == fromSums, "\(w) at \(u), \(seed)")
            // Brute force: the first positive weight whose partial sum reaches u·total.
            let total = w.reduce(0, +)
            var sum = 0.0, expected = w.lastIndex(where: { $0 > 0 }) ?? 0
            for (i, x) in w.enumerated() where x > 0 {
                sum += x
                if sum >= u * total { expected = i; break }
            }
            #expect(fromWeights == expected, "\(w) at \(u), \(seed)")
            if total > 0 { #expect(w[fromWeights] > 0, "\(w) at \(u), \(seed)") }
        }
    }

    /// Dirichlet draws are probability vectors with positive entries.
    @Test func dirichletDrawsAreProbabilityVectors() {
        var rng = SplitMix64(seed: 3)
        for n in 1...20 {
            let p = rng.dirichlet(count: n)
            #expect(p.count == n && p.allSatisfy { $0 > 0 })
            #expect(isApproximatelyEqual(p.reduce(0, +), 1, absolute: 0, relative: 1e-14))
        }
        #expect(rng.dirichlet(count: 0).isEmpty)
    }

    /// The garnet: sorted distinct successors, probabilities summing to 1, rewards in
    /// [0, 1), and the first row recomputed by hand from the documented draw order.
    @Test func garnetFollowsItsDocumentedConstruction() {
        let garnet = GarnetGenerator(states: 7, actions: 2, branching: 3, seed: 11)
        var rows = 0
        garnet.forEachRow { s, a, r, t, p in
            rows += 1
            #expect(r >= 0 && r < 1)
            #expect(t == t.sorted() && Set(t).count == 3 && t.allSatisfy { (0..<7).contains($0) })
            #expect(isApproximatelyEqual(p.reduce(0, +), 1, absolute: 0, relative: 1e-15), "row \(s), \(a)")
        }
        #expect(rows == 14)
        var rng = SplitMix64(seed: 11)
        let reward = rng.unit()
        var pool = Array(0..<7)
        for i in 0..<3 { pool.swapAt(i, i + Int(rng.next() % UInt64(7 - i))) }
        let cuts = [rng.unit(), rng.unit()].sorted()
        let tables = garnet.tables()
        #expect(tables.rewards[0][0] == reward)
        #expect(tables.successors[0][0] == pool[0..<3].sorted())
        #expect(tables.probabilities[0][0] == [cuts[0], cuts[1] - cuts[0], 1 - cuts[1]])
        // Branching is clamped to the number of states.
        #expect(GarnetGenerator(states: 2, actions: 1, branching: 5, seed: 1).branching == 2)
    }
}
