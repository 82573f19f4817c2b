/// A stationary randomized policy `π(a|s)`, stored row-major: `probabilities[s·m + a]`.
public struct Policy: Sendable, Hashable {
    /// `n`.
    public let stateCount: Int
    /// `m`.
    public let actionCount: Int
    /// `π(a|s)` at index `s·m + a`; each state's row sums to 1.
    public let probabilities: [Double]

    /// Validates and stores a row-major stochastic matrix.
    ///
    /// - Throws: ``MeanFieldError/invalidPolicy(_:)`` when the shape is wrong, an entry is
    ///   negative or not finite, or a row does not sum to 1 within `1e-9`.
    public init(stateCount: Int, actionCount: Int, probabilities: [Double]) throws(MeanFieldError) {
        guard stateCount >= 1, actionCount >= 1, probabilities.count == stateCount * actionCount else {
            throw .invalidPolicy("\(probabilities.count) entries, expected \(stateCount) x \(actionCount)")
        }
        for s in 0..<stateCount {
            var sum = 0.0
            for a in 0..<actionCount {
                let p = probabilities[s * actionCount + a]
                guard p.isFinite, p >= 0 else { throw .invalidPolicy("π(\(a)|\(s)) = \(p), expected a finite number >= 0") }
                sum += p
            }
            guard abs(sum - 1) <= MeanFieldGame.probabilityTolerance else {
                throw .invalidPolicy("row \(s) sums to \(sum), expected 1 within \(MeanFieldGame.probabilityTolerance)")
            }
        }
        self.stateCount = stateCount
        self.actionCount = actionCount
        self.probabilities = probabilities
    }

    /// Validates a table `rows[s][a]`.
    ///
    /// - Throws: ``MeanFieldError/invalidPolicy(_:)`` as ``init(stateCount:actionCount:probabilities:)``.
    public init(rows: [[Double]]) throws(MeanFieldError) {
        let m = rows.first?.count ?? 0
        for (s, row) in rows.enumerated() where row.count != m {
            throw .invalidPolicy("row \(s) has \(row.count) entries, expected \(m)")
        }
        try self.init(stateCount: rows.count, actionCount: m, probabilities: rows.flatMap { $0 })
    }

    /// Trusted construction from computed rows (no validation).
    init(unchecked n: Int, _ m: Int, _ p: [Double]) {
        stateCount = n
        actionCount = m
        probabilities = p
    }

    /// The uniform policy `π(a|s) = 1/m`.
    public static func uniform(stateCount: Int, actionCount: Int) -> Policy {
        Policy(unchecked: stateCount, actionCount,
               [Double](repeating: 1 / Double(max(actionCount, 1)), count: stateCount * actionCount))
    }

    /// `π(a|s)`.
    @inlinable public subscript(state: Int, action: Int) -> Double { probabilities[state * actionCount + action] }

    /// The table `π[s][a]`.
    public var rows: [[Double]] {
        (0..<stateCount).map { s in Array(probabilities[(s * actionCount)..<((s + 1) * actionCount)]) }
    }

    /// The largest `|π(a|s) − π'(a|s)|`; `.infinity` when the shapes differ.
    public func maxDifference(_ other: Policy) -> Double {
        guard other.probabilities.count == probabilities.count else { return .infinity }
        var d = 0.0
        for (x, y) in zip(probabilities, other.probabilities) { d = max(d, abs(x - y)) }
        return d
    }

    func check(against game: MeanFieldGame) throws(MeanFieldError) {
        guard stateCount == game.stateCount, actionCount == game.actionCount else {
            throw .invalidPolicy("shape \(stateCount) x \(actionCount), expected \(game.stateCount) x \(game.actionCount)")
        }
    }
}
