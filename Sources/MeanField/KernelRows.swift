import Ambiguity

/// Nature's worst-case kernel of every `(s, a)` row in three flat arrays
/// (compressed sparse rows), so a Bellman sweep allocates per chunk, not per row.
struct KernelRows: Sendable {
    /// Row `i` occupies `rowStart[i]..<rowStart[i+1]`.
    var rowStart: [Int]
    /// Next states, increasing within a row.
    var indices: [Int]
    /// Their probabilities.
    var probabilities: [Double]

    /// Flattens per-row distributions.
    init(rows: [SparseDistribution]) {
        var starts = [0]
        starts.reserveCapacity(rows.count + 1)
        var idx: [Int] = [], pr: [Double] = []
        for row in rows {
            idx.append(contentsOf: row.indices)
            pr.append(contentsOf: row.probabilities)
            starts.append(idx.count)
        }
        rowStart = starts
        indices = idx
        probabilities = pr
    }

    init(rowStart: [Int], indices: [Int], probabilities: [Double]) {
        self.rowStart = rowStart
        self.indices = indices
        self.probabilities = probabilities
    }

    /// The number of rows.
    var count: Int { rowStart.count - 1 }

    /// Row `i` as a distribution.
    func row(_ i: Int) -> SparseDistribution {
        let range = rowStart[i]..<rowStart[i + 1]
        return SparseDistribution(indices: Array(indices[range]), probabilities: Array(probabilities[range]))
    }

    /// Every row as a distribution.
    var rows: [SparseDistribution] { (0..<count).map(row) }
}
