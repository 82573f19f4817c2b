import Ambiguity
import Testing
import TestSupport

/// Rows of one or two entries on the TV and uniform-l1 balls with `support: nominal` (a
/// grid's moves) take their own path in `writeWorstCase`; it must give bit for bit what the
/// general closed form gives (`worstCaseDistribution`, which runs the general row) and the
/// worst case computed by hand: with two entries `q` moves `min(ρ, p_d)` from the higher
/// value to the lower, with one nothing moves.
@Suite("Short nominal rows written in place")
struct ShortRowTests {
    /// A random row of 1 or 2 entries on 6 states: ties, `±0`, zero masses, masses summing
    /// to 1 or one ulp away, and radii 0, tiny, moderate, saturating and `≥ 1`.
    static func row(_ g: inout SplitMix64) -> (p: SparseDistribution, values: [Double], radius: Double) {
        let values: [Double] = (0..<6).map { _ in
            switch g.int(0...3) {
            case 0: return Double(g.int(-2...2))
            case 1: return g.chance(0.5) ? 0.0 : -0.0
            default: return 10 * g.uniform() - 5
            }
        }
        let radii: [Double] = [0, 1e-17, 0.05, 0.3, 0.5, 1, 3, g.uniform()]
        let radius = radii[g.int(0...(radii.count - 1))]
        let a = g.int(0...5)
        guard g.chance(0.7) else {
            return (SparseDistribution(indices: [a], probabilities: [g.chance(0.7) ? 1 : 1 - 0x1p-53]), values, radius)
        }
        let b = (a + g.int(1...5)) % 6
        let masses: [Double] = [0, 0.5, 1, g.uniform(), 0.05, 1 - 0x1p-53]
        let first = masses[g.int(0...(masses.count - 1))]
        return (SparseDistribution(indices: [min(a, b), max(a, b)], probabilities: [first, 1 - first]), values, radius)
    }

    /// `writeWorstCase` with and without output buffers.
    static func written(_ set: AmbiguitySet, _ p: SparseDistribution, _ values: [Double], _ radius: Double)
        -> (value: Double, valueOnly: Double, indices: [Int], masses: [Double]) {
        var outIndex = [Int](repeating: -1, count: 3), outMass = [Double](repeating: -1, count: 3)
        let (value, count, valueOnly) = p.indices.withUnsafeBufferPointer { idx in
            p.probabilities.withUnsafeBufferPointer { pr in
                outIndex.withUnsafeMutableBufferPointer { oi in
                    outMass.withUnsafeMutableBufferPointer { om in
                        RowValues.with(values) { view in
                            let full = set.writeWorstCase(indices: idx, masses: pr, view: view, radius: radius,
                                                          outIndices: oi.baseAddress, outMasses: om.baseAddress)
                            let bare = set.writeWorstCase(indices: idx, masses: pr, view: view, radius: radius,
                                                          outIndices: nil, outMasses: nil)
                            #expect(bare.count == 0)
                            return (full.value, full.count, bare.value)
                        }
                    }
                }
            }
        }
        return (value, valueOnly, Array(outIndex[0..<count]), Array(outMass[0..<count]))
    }

    /// The worst case by hand: the first of the lowest values receives `min(ρ, p_other)`.
    static func byHand(_ p: SparseDistribution, _ values: [Double], _ radius: Double) -> Double {
        let v = p.indices.map { values[$0] }
        guard v.count == 2 else { return p.probabilities[0] * v[0] }
        let star = v[1] < v[0] ? 1 : 0
        let moved = min(radius, p.probabilities[1 - star])
        return p.probabilities[0] * v[0] + p.probabilities[1] * v[1] - moved * (v[1 - star] - v[star])
    }

    @Test(arguments: [false, true])
    func shortRowsEqualGeneralRow(uniformL1: Bool) throws {
        let set = uniformL1
            ? try AmbiguitySet(kind: .l1, support: .nominal, weights: [Double](repeating: 0.75, count: 6))
            : try AmbiguitySet(kind: .tv, support: .nominal)
        var g = SplitMix64(seed: uniformL1 ? 4_242 : 4_141)
        for trial in 0..<3_000 {
            let (p, values, radius) = Self.row(&g)
            let (value, q) = set.worstCaseDistribution(nominal: p, values: SortedValues(values), radius: radius)
            let got = Self.written(set, p, values, radius)
            #expect(got.value.bitPattern == value.bitPattern, "trial \(trial): \(got.value) vs \(value)")
            #expect(got.valueOnly.bitPattern == value.bitPattern, "trial \(trial)")
            #expect(got.indices == q.indices, "trial \(trial): \(got.indices) vs \(q.indices)")
            #expect(got.masses.map(\.bitPattern) == q.probabilities.map(\.bitPattern), "trial \(trial)")
            let expected = Self.byHand(p, values, uniformL1 ? radius / 1.5 : radius)
            #expect(isApproximatelyEqual(got.value, expected, absolute: 1e-14, relative: 1e-14),
                    "trial \(trial): \(got.value) vs by hand \(expected)")
        }
    }

    /// `ShortRows`, the short rows' worst case called directly from a caller's loop (the frozen
    /// chain's refresh, the sweeps): bit for bit `writeWorstCase`'s value, count and entries, with
    /// and without output buffers, on the TV ball and the uniform `l1` balls of weights 1 (none
    /// given), 0.75 and 2.5; and no `ShortRows` for the sets whose short rows take another path.
    @Test func inlinedShortRowsEqualWriteWorstCase() throws {
        let sets = [try AmbiguitySet(kind: .tv, support: .nominal), try AmbiguitySet(kind: .l1, support: .nominal),
                    try AmbiguitySet(kind: .l1, support: .nominal, weights: [Double](repeating: 0.75, count: 6)),
                    try AmbiguitySet(kind: .l1, support: .nominal, weights: [Double](repeating: 2.5, count: 6))]
        var g = SplitMix64(seed: 4_343)
        for (number, set) in sets.enumerated() {
            let short = try #require(set.shortRows)
            for trial in 0..<3_000 {
                let (p, values, radius) = Self.row(&g)
                let want = Self.written(set, p, values, radius)
                var outIndex = [Int](repeating: -1, count: 3), outMass = [Double](repeating: -1, count: 3)
                let (full, bare) = p.indices.withUnsafeBufferPointer { idx in
                    p.probabilities.withUnsafeBufferPointer { pr in
                        values.withUnsafeBufferPointer { v in
                            outIndex.withUnsafeMutableBufferPointer { oi in
                                outMass.withUnsafeMutableBufferPointer { om in
                                    (short.worstCase(indices: idx, masses: pr, values: v, radius: radius,
                                                     outIndices: oi.baseAddress, outMasses: om.baseAddress),
                                     short.worstCase(indices: idx, masses: pr, values: v, radius: radius,
                                                     outIndices: nil, outMasses: nil))
                                }
                            }
                        }
                    }
                }
                let label = "set \(number), trial \(trial)"
                #expect(full.value.bitPattern == want.value.bitPattern && bare.value.bitPattern == want.value.bitPattern, "\(label)")
                #expect(bare.count == 0 && Array(outIndex[0..<full.count]) == want.indices, "\(label)")
                #expect(Array(outMass[0..<full.count]).map(\.bitPattern) == want.masses.map(\.bitPattern), "\(label)")
            }
        }
        let others = [AmbiguitySet.totalVariation(support: .simplex), .nominalOnly,
                      try AmbiguitySet(kind: .l1, support: .nominal, weights: [1, 2, 1, 1, 1, 1]),
                      try AmbiguitySet(kind: .tv, support: .nominal, ties: .split),
                      try AmbiguitySet(kind: .kl, support: .nominal), try AmbiguitySet(kind: .linf, support: .nominal)]
        for set in others { #expect(set.shortRows == nil, "\(set.kind) \(set.support)") }
    }
}
