import Ambiguity

/// Nature's worst-case kernel of every `(s, a)` row in flat arrays, so a Bellman
/// sweep writes every row in place instead of allocating per row.
///
/// Row `i` occupies `rowStart[i]..<rowEnd[i]` of ``indices`` and ``probabilities``.
/// Rows may leave gaps between them: a sweep gives row `i` a slot of room `k_i + 1`
/// (its nominal support plus the state that receives mass) at a fixed offset, so
/// chunks written by different threads need no joining afterwards, and the slot
/// offsets (``rowStart``) are one array shared by every sweep of a snapshot.
struct KernelRows: Sendable {
    /// Where row `i` starts.
    var rowStart: [Int]
    /// Where row `i` ends (exclusive).
    var rowEnd: [Int]
    /// Next states, increasing within a row.
    var indices: [Int]
    /// Their probabilities.
    var probabilities: [Double]

    /// Flattens per-row distributions (no gaps).
    init(rows: [SparseDistribution]) {
        var starts: [Int] = [], ends: [Int] = []
        starts.reserveCapacity(rows.count)
        ends.reserveCapacity(rows.count)
        var idx: [Int] = [], pr: [Double] = []
        for row in rows {
            starts.append(idx.count)
            idx.append(contentsOf: row.indices)
            pr.append(contentsOf: row.probabilities)
            ends.append(idx.count)
        }
        rowStart = starts
        rowEnd = ends
        indices = idx
        probabilities = pr
    }

    init(rowStart: [Int], rowEnd: [Int], indices: [Int], probabilities: [Double]) {
        self.rowStart = rowStart
        self.rowEnd = rowEnd
        self.indices = indices
        self.probabilities = probabilities
    }

    /// Slot offsets for rows written in place: row `i` of a kernel with these nominal
    /// rows gets room for its `k_i` entries plus one, at `nominal.rowStart[i] + i`.
    /// Returns the offsets and the total room.
    static func slots(for nominal: KernelRows) -> (starts: [Int], room: Int) {
        var starts = [Int](repeating: 0, count: nominal.count)
        var offset = 0
        for i in 0..<nominal.count {
            starts[i] = offset
            offset += nominal.rowEnd[i] - nominal.rowStart[i] + 1
        }
        return (starts, offset)
    }

    /// The number of rows.
    var count: Int { rowStart.count }

    /// The number of stored entries (gaps excluded).
    var entryCount: Int {
        var total = 0
        for i in 0..<count { total += rowEnd[i] - rowStart[i] }
        return total
    }

    /// Row `i` as a distribution.
    func row(_ i: Int) -> SparseDistribution {
        let range = rowStart[i]..<rowEnd[i]
        return SparseDistribution(indices: Array(indices[range]), probabilities: Array(probabilities[range]))
    }

    /// Every row as a distribution.
    var rows: [SparseDistribution] { (0..<count).map(row) }
}
