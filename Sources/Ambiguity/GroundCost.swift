/// A ground cost on `n` points with `c(s, s) = 0` and `c(s, t) > 0` for `s ≠ t`, stored row-major.
///
/// Positivity off the diagonal makes `W_c(p, q) = 0` only for `q = p`, so the ball of radius 0 is
/// `{p}` and the support function is continuous at `ρ = 0` (a zero off-diagonal cost would make
/// the `ρ = 0` set `{p}` while every `ρ > 0` allows free moves: Docs/AmbiguitySets.md). Symmetry
/// and the triangle inequality are not required.
public struct GroundCost: Sendable, Hashable {
    /// The number of points `n`.
    public let count: Int
    /// Row-major entries, `entries[s * count + t] = c(s, t)`.
    public let entries: [Double]

    /// Validates and stores a square cost matrix.
    ///
    /// - Throws: `AmbiguityError.invalidArgument(field: .cost, …)` when the matrix
    ///   is not square, has a non-finite or negative entry, a non-zero diagonal, or a zero entry
    ///   off the diagonal.
    public init(_ matrix: [[Double]]) throws(AmbiguityError) {
        let n = matrix.count
        var flat: [Double] = []
        flat.reserveCapacity(n * n)
        for (s, row) in matrix.enumerated() {
            guard row.count == n else {
                throw .invalidArgument(field: .cost, message: "row \(s) has \(row.count) entries, expected \(n) (a square matrix)")
            }
            for (t, c) in row.enumerated() {
                guard c.isFinite, c >= 0 else {
                    throw .invalidArgument(field: .cost, message: "c(\(s), \(t)) = \(c), expected a finite number >= 0")
                }
                if s == t, c != 0 {
                    throw .invalidArgument(field: .cost, message: "c(\(s), \(s)) = \(c), expected 0 on the diagonal")
                }
                if s != t, c == 0 {
                    throw .invalidArgument(field: .cost, message: "c(\(s), \(t)) = 0, expected a number > 0 off the diagonal (c(s, t) > 0 for s ≠ t)")
                }
                flat.append(c)
            }
        }
        count = n
        entries = flat
    }

    /// `c(s, t)`.
    @inlinable public subscript(s: Int, t: Int) -> Double { entries[s * count + t] }
}
