import Ambiguity
import Testing
import TestSupport

/// `appendWorstCase` (the flat-buffer fast path of Bellman sweeps) must give
/// exactly what `worstCaseDistribution` gives, row after row into shared buffers.
@Suite("Fast path into flat buffers")
struct AppendWorstCaseTests {
    @Test(arguments: AmbiguityKind.allCases, SupportRestriction.allCases)
    func appendEqualsDistribution(kind: AmbiguityKind, support: SupportRestriction) throws {
        var indices: [Int] = [], probabilities: [Double] = []
        var starts = [0]
        var expected: [(Double, SparseDistribution)] = []
        var got: [Double] = []
        for seed in 0..<150 {
            let x = randomInstance(seed: 9_000 + seed, maxStates: kind == .wasserstein ? 30 : 80)
            let set = try makeSet(kind, support, x)
            let p = SparseDistribution(dense: x.nominal)
            let sorted = SortedValues(x.values)
            expected.append(set.worstCaseDistribution(nominal: p, values: sorted, radius: x.radius))
            got.append(set.appendWorstCase(nominal: p, values: sorted, radius: x.radius,
                                           indices: &indices, probabilities: &probabilities))
            starts.append(indices.count)
        }
        for (k, (value, q)) in expected.enumerated() {
            #expect(got[k] == value || isClose(got[k], value, rel: 1e-13), "row \(k): \(got[k]) vs \(value)")
            let range = starts[k]..<starts[k + 1]
            #expect(Array(indices[range]) == q.indices, "row \(k)")
            #expect(isClose(Array(probabilities[range]), q.probabilities, rel: 1e-15), "row \(k)")
        }
    }
}
