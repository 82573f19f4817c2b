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
            #expect(got[k] == value || isApproximatelyEqual(got[k], value, absolute: 0, relative: 1e-13), "row \(k): \(got[k]) vs \(value)")
            let range = starts[k]..<starts[k + 1]
            #expect(Array(indices[range]) == q.indices, "row \(k)")
            #expect(isApproximatelyEqual(Array(probabilities[range]), q.probabilities, absolute: 1e-15, relative: 1e-15), "row \(k)")
        }
    }
}

/// The raw-buffer row routine of in-place Bellman sweeps (`writeWorstCase`, for the
/// sets with `writesRowsInPlace`) must give exactly what the certified-path
/// `worstCaseDistribution` gives, on instances with ties, zeros, ρ = 0, saturating
/// radii and rows long enough to exhaust the selection phase.
@Suite("Rows written in place")
struct WriteWorstCaseTests {
    static let inPlaceSets: [(AmbiguityKind, SupportRestriction, Bool)] = [
        (.none, .simplex, false), (.tv, .simplex, false), (.tv, .nominal, false),
        (.l1, .simplex, true), (.l1, .nominal, true),
    ]

    @Test(arguments: 0..<5)
    func writeEqualsDistribution(setIndex: Int) throws {
        let (kind, support, uniformWeights) = Self.inPlaceSets[setIndex]
        for seed in 0..<400 {
            var x = randomInstance(seed: 31_000 + seed, maxStates: 120)
            if uniformWeights { x.weights = [Double](repeating: 0.75, count: x.n) }
            let set = try makeSet(kind, support, x)
            #expect(set.writesRowsInPlace)
            let p = SparseDistribution(dense: x.nominal)
            let (value, q) = set.worstCaseDistribution(nominal: p, values: SortedValues(x.values), radius: x.radius)
            let k = p.indices.count
            var outIndex = [Int](repeating: -1, count: k + 1)
            var outMass = [Double](repeating: -1, count: k + 1)
            let (written, count) = p.indices.withUnsafeBufferPointer { idx in
                p.probabilities.withUnsafeBufferPointer { pr in
                    outIndex.withUnsafeMutableBufferPointer { oi in
                        outMass.withUnsafeMutableBufferPointer { om in
                            RowValues.with(x.values) { view in
                                set.writeWorstCase(indices: idx, masses: pr, view: view, radius: x.radius,
                                                   outIndices: oi.baseAddress, outMasses: om.baseAddress)
                            }
                        }
                    }
                }
            }
            let valueOnly = p.indices.withUnsafeBufferPointer { idx in
                p.probabilities.withUnsafeBufferPointer { pr in
                    RowValues.with(x.values) { view in
                        set.writeWorstCase(indices: idx, masses: pr, view: view, radius: x.radius,
                                           outIndices: nil, outMasses: nil)
                    }
                }
            }
            #expect(written == value, "seed \(seed): \(written) vs \(value)")
            #expect(valueOnly.value == value && valueOnly.count == 0, "seed \(seed)")
            #expect(Array(outIndex[0..<count]) == q.indices, "seed \(seed)")
            #expect(Array(outMass[0..<count]) == q.probabilities, "seed \(seed)")
        }
    }

    /// Long dense rows with large radii: more than `selectionDonors` donors, so the
    /// sorted phase runs; checked against the LP.
    @Test func manyDonorsAgreeWithLP() throws {
        var rng = SplitMix64(seed: 77)
        for trial in 0..<40 {
            let n = 20 + trial % 40
            var p = (0..<n).map { _ in rng.uniform() + 0.01 }
            let total = p.reduce(0, +)
            p = p.map { $0 / total }
            // Ties in half the trials.
            let values = (0..<n).map { _ in trial % 2 == 0 ? Double(rng.int(-4...4)) : 10 * rng.uniform() - 5 }
            let radius = 0.3 + 0.6 * rng.uniform()
            let set = AmbiguitySet.totalVariation()
            let fast = set.worstCaseValue(nominal: SparseDistribution(dense: p), values: SortedValues(values), radius: radius)
            let lp = try set.worstCaseLP(nominal: p, values: values, radius: radius)
            #expect(isApproximatelyEqual(fast, lp.value, absolute: 0, relative: 1e-9), "trial \(trial): \(fast) vs LP \(lp.value)")
        }
    }
}

/// The radix order of `SortedValues` (n ≥ `radixThreshold`) is the comparison order
/// of `(V_t, t)`: ties by index, `−0 = +0`, negatives, subnormals, huge magnitudes.
@Suite("Sorting V")
struct SortedValuesTests {
    static func reference(_ values: [Double]) -> [Int] {
        values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
    }

    @Test(arguments: 0..<6)
    func radixOrderEqualsComparisonOrder(seed: Int) {
        var rng = SplitMix64(seed: UInt64(500 + seed))
        let n = SortedValues.radixThreshold + rng.int(0...3000)
        let specials: [Double] = [0, -0.0, 1, -1, 5e-324, -5e-324, 1e300, -1e300, .leastNormalMagnitude,
                                  -.leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        let values: [Double] = (0..<n).map { _ in
            switch seed % 3 {
            case 0: return 20 * rng.uniform() - 10
            case 1: return Double(rng.int(-5...5)) * (rng.chance(0.5) ? 1 : 0.5)  // many ties, ±0
            default: return rng.chance(0.2) ? specials[rng.int(0...(specials.count - 1))] : (rng.uniform() - 0.5) * 1e-310
            }
        }
        let sorted = SortedValues(values)
        let expected = Self.reference(values)
        #expect(sorted.order == expected)
        for (r, t) in sorted.order.enumerated() { #expect(sorted.rank[t] == r) }
        // The comparison-sort path on the same data (below the threshold) agrees.
        let small = Array(values.prefix(SortedValues.radixThreshold - 1))
        #expect(SortedValues(small).order == Self.reference(small))
    }
}
