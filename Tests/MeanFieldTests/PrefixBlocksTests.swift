import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The prefix sums by blocks on threads (``VectorBlocks/prefixSum(count:block:mode:total:fill:)``)
/// and the three places that use them or write by parts: the chain build's column placement,
/// the slot offsets of a snapshot and the joined rows' bounds. Each against a plain serial loop,
/// with one block, blocks of 1, 2 and 7 (odd counts, a short last block), serial and on threads.
@Suite struct PrefixBlocksTests {
    /// The prefix sum against one running sum, element by element.
    @Test func prefixSumEqualsTheRunningSum() {
        var rng = SplitMix64(seed: 31)
        for count in [0, 1, 2, 3, 7, 14, 15, 100] {
            let values = (0..<count).map { _ in Int.random(in: 0...9, using: &rng) }
            var want = [Int](repeating: 0, count: count), running = 0
            for i in 0..<count {
                want[i] = running
                running += values[i]
            }
            for block in [1, 2, 7, 16_384] {
                for mode in [ExecutionMode.serial, .parallel] {
                    var got = [Int](repeating: -1, count: count)
                    let total = got.withUnsafeMutableBufferPointer { gb in
                        let out = gb.baseAddress.map { DisjointSlices(base: $0) }
                        return VectorBlocks.prefixSum(
                            count: count, block: block, mode: mode,
                            total: { range in range.reduce(0) { $0 + values[$1] } },
                            fill: { range, offset in
                                var o = offset
                                for i in range {
                                    out?.base[i] = o
                                    o += values[i]
                                }
                                return o
                            })
                    }
                    #expect(got == want && total == running, "count \(count), block \(block), \(mode)")
                }
            }
        }
    }

    /// The chain's column form built with its column placement by blocks of 7 columns on threads
    /// (and 1, 2, 3, 4 and 9 groups of states) against the counting sort of the sorted chain.
    @Test func chainBuildWithBlockedPlacementEqualsTheSortedChain() throws {
        for variant in 0..<3 {
            let n = 23 + 17 * variant, m = 2 + variant
            let game = try TestGames.garnet(n: n, m: m, k: 3 + variant, set: .totalVariation(), radius: 0.1,
                                            seed: UInt64(810 + variant))
            let rows = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n)).layout.rows
            var rng = SplitMix64(seed: UInt64(820 + variant))
            var policy = BestResponse.unchecked(qValues: (0..<(n * m)).map { _ in rng.unit() }, stateCount: n, actionCount: m,
                                                temperature: 0.3).probabilities
            for i in policy.indices where i % 5 == 2 { policy[i] = 0 }
            let reference = LazyPopulationSteps(TransitionMatrix(unchecked: policy, kernelRows: rows, stateCount: n, actionCount: m))
            for groups in [1, 2, 3, 4, 9] {
                for mode in [ExecutionMode.serial, .parallel] {
                    let built = VectorBlocks.$testBlock.withValue(7) {
                        LazyPopulationSteps(policy: policy, kernelRows: rows, stateCount: n, actionCount: m,
                                            execution: mode, groups: groups)
                    }
                    let total = reference.columnStart[n]
                    let label = "variant \(variant), \(groups) groups, \(mode)"
                    #expect(built.columnStart == reference.columnStart, "\(label)")
                    #expect(Array(built.sources.prefix(total)) == reference.sources, "\(label)")
                    #expect(Array(built.weights.prefix(total)).map(\.bitPattern) == reference.weights.map(\.bitPattern), "\(label)")
                }
            }
        }
    }

    /// Slot offsets (blocks of 7 rows on threads, and one block) against the running sum of
    /// `k_i + 1`, on rows with gaps between them and empty rows.
    @Test func slotOffsetsEqualTheRunningSum() {
        var rng = SplitMix64(seed: 57)
        for count in [1, 6, 7, 8, 29, 200] {
            var starts: [Int] = [], ends: [Int] = [], at = 0
            for _ in 0..<count {
                at += Int.random(in: 0...2, using: &rng)
                starts.append(at)
                at += Int.random(in: 0...4, using: &rng)
                ends.append(at)
            }
            let rows = KernelRows(rowStart: starts, rowEnd: ends, indices: [Int](repeating: 0, count: at),
                                  probabilities: [Double](repeating: 0, count: at))
            var want: [Int] = [], room = 0
            for i in 0..<count {
                want.append(room)
                room += ends[i] - starts[i] + 1
            }
            for block in [nil, 7] as [Int?] {
                let got = VectorBlocks.$testBlock.withValue(block) { KernelRows.slots(for: rows) }
                #expect(got.starts == want && got.room == room, "count \(count), block \(String(describing: block))")
            }
        }
    }

    /// Rows written in 1 to 6 parts and joined, serial and
    /// by parts on threads, against the flattening of the same rows (``KernelRows/init(rows:)``).
    @Test func joinedPartsEqualTheFlattenedRows() throws {
        var rng = SplitMix64(seed: 73)
        let n = 9, m = 1
        for trial in 0..<30 {
            let count = trial % 2 == 0 ? 40 : 3 + trial
            let rows: [SparseDistribution] = (0..<count).map { _ in
                let k = Int.random(in: 1...4, using: &rng)
                let indices = Array((0..<n).shuffled(using: &rng).prefix(k)).sorted()
                let weights = indices.map { _ in 0.5 + rng.unit() }
                let sum = weights.reduce(0, +)
                return SparseDistribution(indices: indices, probabilities: weights.map { $0 / sum })
            }
            let want = KernelRows(rows: rows)
            let partCount = 1 + trial % 6
            var parts: [KernelRowWriter] = []
            for p in 0..<partCount {
                let range = (p * count / partCount)..<((p + 1) * count / partCount)
                var writer = KernelRowWriter(stateCount: n, actionCount: m, rows: range.count, entries: 4 * range.count)
                for r in range {
                    for (i, w) in zip(rows[r].indices, rows[r].probabilities) { writer.append(i, w) }
                    try writer.endRow(r)
                }
                parts.append(writer)
            }
            for block in [nil, 7] as [Int?] {
                let got = VectorBlocks.$testBlock.withValue(block) { KernelRows(joining: parts) }
                let label = "trial \(trial), \(partCount) parts, block \(String(describing: block))"
                #expect(got.rowStart == want.rowStart && got.rowEnd == want.rowEnd, "\(label)")
                #expect(got.indices == want.indices, "\(label)")
                #expect(got.probabilities.map(\.bitPattern) == want.probabilities.map(\.bitPattern), "\(label)")
            }
        }
    }
}
