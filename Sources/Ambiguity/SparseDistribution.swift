/// A probability vector stored by its support: strictly increasing `indices`
/// with the matching `probabilities`. Entries not listed are zero.
public struct SparseDistribution: Sendable, Hashable {
    /// Strictly increasing state indices.
    public var indices: [Int]
    /// The probability of each listed index.
    public var probabilities: [Double]

    /// Stores a support and its probabilities as given (no validation).
    public init(indices: [Int], probabilities: [Double]) {
        self.indices = indices
        self.probabilities = probabilities
    }

    /// The non-zero entries of a dense vector.
    public init(dense: [Double]) {
        var idx: [Int] = []
        var pr: [Double] = []
        for (i, x) in dense.enumerated() where x != 0 {
            idx.append(i)
            pr.append(x)
        }
        self.init(indices: idx, probabilities: pr)
    }

    /// The dense vector of length `count`.
    public func dense(count: Int) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        for (i, p) in zip(indices, probabilities) { out[i] = p }
        return out
    }
}
