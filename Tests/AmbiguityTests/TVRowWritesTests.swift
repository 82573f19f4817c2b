import Ambiguity
import Testing
import TestSupport

/// The rows a Bellman sweep writes in place for the TV ball (`writeWorstCase`, the closed form's
/// `core`) against a plain reading of the closed form: `i*` the lowest allowed state by `(V_t, t)`,
/// the budget `min(ρ, 1 − p_{i*})` taken from the row's other states in decreasing `(V_t, t)`, `i*`
/// given what moved, and the support written in increasing order without zero entries (`p` as it is
/// when nothing can move). Rows of 1 to 14 entries on 16 states, `i*` inside and outside the row
/// at every position, ties, `±0` and zero masses.
@Suite("TV rows written in place")
struct TVRowWritesTests {
    /// A random row: sorted distinct states, masses summing to about 1 (some 0), values with ties.
    static func row(_ g: inout SplitMix64) -> (p: SparseDistribution, values: [Double], radius: Double) {
        let n = 16
        let values: [Double] = (0..<n).map { _ in
            switch g.int(0...3) {
            case 0: return Double(g.int(-2...2))
            case 1: return g.chance(0.5) ? 0.0 : -0.0
            default: return 10 * g.uniform() - 5
            }
        }
        let k = g.int(1...14)
        var states = Set<Int>()
        while states.count < k { states.insert(g.int(0...(n - 1))) }
        var weights = states.map { _ in g.chance(0.15) ? 0 : g.uniform() + 0.01 }
        weights[0] += 0.01  // never all zero
        let total = weights.reduce(0, +)
        let radii: [Double] = [0, 1e-17, 0.05, 0.1, 0.3, 0.5, 1, 3, g.uniform()]
        return (SparseDistribution(indices: states.sorted(), probabilities: weights.map { $0 / total }), values,
                radii[g.int(0...(radii.count - 1))])
    }

    /// The closed form read plainly: `(value, indices, masses)`.
    static func byHand(_ p: SparseDistribution, _ v: [Double], _ radius: Double, _ support: SupportRestriction)
        -> (value: Double, indices: [Int], masses: [Double]) {
        func below(_ s: Int, _ t: Int) -> Bool { v[s] < v[t] || (v[s] == v[t] && s < t) }
        let allowed = support == .simplex ? Array(v.indices) : p.indices
        var star = allowed[0]
        for t in allowed where below(t, star) { star = t }
        var q = [Int: Double]()
        for (t, x) in zip(p.indices, p.probabilities) { q[t] = x }
        let budget = min(radius, 1 - (q[star] ?? 0))
        guard budget > 0 else {
            return (zip(p.indices, p.probabilities).reduce(0) { $0 + $1.1 * v[$1.0] }, p.indices, p.probabilities)
        }
        var remaining = budget, value = zip(p.indices, p.probabilities).reduce(0) { $0 + $1.1 * v[$1.0] }
        for t in p.indices.filter({ $0 != star }).sorted(by: { below($1, $0) }) where remaining > 0 {
            let take = min(remaining, q[t] ?? 0)
            q[t] = (q[t] ?? 0) - take
            remaining -= take
            value -= take * v[t]
        }
        let moved = budget - max(remaining, 0)
        value += moved * v[star]
        q[star] = (q[star] ?? 0) + moved
        let support = q.keys.sorted().filter { (q[$0] ?? 0) > 0 }
        return (value, support, support.map { q[$0] ?? 0 })
    }

    @Test(arguments: SupportRestriction.allCases)
    func rowsAgreeWithThePlainClosedForm(support: SupportRestriction) throws {
        let set = try AmbiguitySet(kind: .tv, support: support)
        var g = SplitMix64(seed: support == .simplex ? 1_717 : 1_718)
        var outside = 0
        for trial in 0..<4_000 {
            let (p, values, radius) = Self.row(&g)
            let expected = Self.byHand(p, values, radius, support)
            let k = p.indices.count
            var outIndex = [Int](repeating: -1, count: k + 1), outMass = [Double](repeating: -1, count: k + 1)
            let (value, count) = p.indices.withUnsafeBufferPointer { idx in
                p.probabilities.withUnsafeBufferPointer { pr in
                    outIndex.withUnsafeMutableBufferPointer { oi in
                        outMass.withUnsafeMutableBufferPointer { om in
                            RowValues.with(values) { view in
                                set.writeWorstCase(indices: idx, masses: pr, view: view, radius: radius,
                                                   outIndices: oi.baseAddress, outMasses: om.baseAddress)
                            }
                        }
                    }
                }
            }
            if expected.indices.contains(where: { !p.indices.contains($0) }) { outside += 1 }
            #expect(Array(outIndex[0..<count]) == expected.indices, "trial \(trial): \(p) \(values) ρ=\(radius)")
            #expect(Array(outMass[0..<count]).map(\.bitPattern) == expected.masses.map(\.bitPattern), "trial \(trial)")
            #expect(isApproximatelyEqual(value, expected.value, absolute: 1e-13, relative: 1e-13), "trial \(trial)")
        }
        // With the simplex, i* is mostly outside the row, inserted at every position.
        if support == .simplex { #expect(outside > 1_000) }
    }
}
