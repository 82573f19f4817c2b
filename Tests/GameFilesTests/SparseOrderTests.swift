import Ambiguity
import GameFiles
import MeanField
import Testing
import TestSupport

/// `transition.sparse` read in its own order or shuffled: the same rows. A list already in
/// row-then-successor order skips the sort (a generated garnet's list is), so this compares that
/// path with the sorted one, and both with the rows the entries were made from.
@Suite struct SparseOrderTests {
    /// Rows of `k` distinct successors among `n` states with random probabilities summing to 1
    /// (exact binary fractions, so the sum check cannot depend on the order), and their `[s, a, t, p]` list.
    static func entries(n: Int, m: Int, k: Int, seed: UInt64) -> (rows: [[Int: Double]], list: [[Double]]) {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var rows: [[Int: Double]] = [], list: [[Double]] = []
        for row in 0..<(n * m) {
            var successors = Set<Int>()
            while successors.count < k { successors.insert(Int(next() % UInt64(n))) }
            let weights = successors.sorted().map { _ in Double(1 + next() % 7) }
            let total = weights.reduce(0, +)
            var entry: [Int: Double] = [:]
            for (t, w) in zip(successors.sorted(), weights) {
                // w / total rounded down to a multiple of 2⁻²⁰, the remainder on the first successor
                entry[t] = (w / total * 1_048_576).rounded(.down) / 1_048_576
            }
            let first = successors.sorted()[0]
            entry[first, default: 0] += 1 - entry.values.reduce(0, +)
            rows.append(entry)
            for t in entry.keys.sorted() { list.append([Double(row / m), Double(row % m), Double(t), entry[t] ?? 0]) }
        }
        return (rows, list)
    }

    static func game(_ list: [[Double]], n: Int, m: Int) throws -> MeanFieldGame {
        let text = """
        {"name": "sparse", "states": \(n), "actions": \(m), "discount": 0.9, "reward": "0",
         "parameters": {"E": \(list)}, "transition": {"sparse": "E"}}
        """
        return try loadGame(text, json: true).game
    }

    @Test func shuffledAndOrderedListsGiveTheSameRows() throws {
        let (n, m) = (7, 3)
        let (rows, list) = Self.entries(n: n, m: m, k: 3, seed: 17)
        var state: UInt64 = 5
        var shuffled = list
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            shuffled.swapAt(i, Int((state >> 33) % UInt64(i + 1)))
        }
        #expect(shuffled != list)
        let mu = [Double](repeating: 1.0 / Double(n), count: n)
        let ordered = try Self.game(list, n: n, m: m).snapshot(at: mu)
        let mixed = try Self.game(shuffled, n: n, m: m).snapshot(at: mu)
        for row in 0..<(n * m) {
            let expected = rows[row].keys.sorted()
            #expect(ordered.kernels[row].indices == expected)
            #expect(ordered.kernels[row].probabilities == expected.map { rows[row][$0] ?? -1 })
            #expect(mixed.kernels[row].indices == ordered.kernels[row].indices)
            #expect(mixed.kernels[row].probabilities.map(\.bitPattern) == ordered.kernels[row].probabilities.map(\.bitPattern))
        }
    }
}
