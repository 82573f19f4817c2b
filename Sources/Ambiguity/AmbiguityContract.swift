// The public contract of the Ambiguity module. Implementations live in
// `AmbiguitySet+<Kind>.swift` files; this file fixes the types the rest of the
// package (MeanField, rmfg) builds on.

/// The distance that defines an ambiguity set (Docs/AmbiguitySets.md).
public enum AmbiguityKind: String, Sendable, CaseIterable, Codable, Hashable {
    /// `{p}`: the classical, non-robust model.
    case none
    /// Total variation `½ Σ|q − p| ≤ ρ`.
    case tv
    /// Weighted L1 `Σ w_i |q_i − p_i| ≤ ρ`.
    case l1
    /// L∞ `max |q_i − p_i| ≤ ρ`.
    case linf
    /// Order-1 Wasserstein (optimal-transport cost under a ground cost) `≤ ρ`.
    case wasserstein
    /// Kullback–Leibler `Σ q log(q/p) ≤ ρ`, on `supp(p)`.
    case kl
    /// Pearson χ² `Σ (q − p)²/p ≤ ρ` (the f-divergence with `f(t) = (t − 1)²`), on `supp(p)`.
    case chi2

    /// Whether the set is a polytope, so that the inner problem is a linear program.
    public var isPolyhedral: Bool {
        switch self {
        case .none, .tv, .l1, .linf, .wasserstein: true
        case .kl, .chi2: false
        }
    }
}

/// Where the worst-case distribution may put mass.
public enum SupportRestriction: String, Sendable, CaseIterable, Codable, Hashable {
    /// The whole simplex `Δ(S)` (default): mass may move to states with `p_i = 0`.
    case simplex
    /// Only `supp(p)`. KL and χ² always behave like this.
    case nominal
}

/// Errors thrown by the Ambiguity module. Each names the offending field.
public enum AmbiguityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An argument is invalid: `field` names it (`nominal`, `values`, `radius`,
    /// `weights`, `cost`, …), `message` says what was found and what was expected.
    case invalidArgument(field: String, message: String)
    /// The linear program behind the LP path did not reach optimality.
    case linearProgram(String)
    /// The input is valid but a quantity to report (`σ`, a certificate bound, a dual
    /// multiplier) is beyond the double range, so no correct finite number exists.
    case outOfRange(String)

    /// The message, on one line.
    public var description: String {
        switch self {
        case let .invalidArgument(field, message): "\(field): \(message)"
        case let .linearProgram(message): "linear program: \(message)"
        case let .outOfRange(message): "out of range: \(message)"
        }
    }
}

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
    /// - Throws: `AmbiguityError.invalidArgument(field: "cost", …)` when the matrix
    ///   is not square, has a non-finite or negative entry, a non-zero diagonal, or a zero entry
    ///   off the diagonal.
    public init(_ matrix: [[Double]]) throws(AmbiguityError) {
        let n = matrix.count
        var flat: [Double] = []
        flat.reserveCapacity(n * n)
        for (s, row) in matrix.enumerated() {
            guard row.count == n else {
                throw .invalidArgument(field: "cost", message: "row \(s) has \(row.count) entries, expected \(n) (a square matrix)")
            }
            for (t, c) in row.enumerated() {
                guard c.isFinite, c >= 0 else {
                    throw .invalidArgument(field: "cost", message: "c(\(s), \(t)) = \(c), expected a finite number >= 0")
                }
                if s == t, c != 0 {
                    throw .invalidArgument(field: "cost", message: "c(\(s), \(s)) = \(c), expected 0 on the diagonal")
                }
                if s != t, c == 0 {
                    throw .invalidArgument(field: "cost", message: "c(\(s), \(t)) = 0, expected a number > 0 off the diagonal (c(s, t) > 0 for s ≠ t)")
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

/// A value vector `V` together with its order by `(V_t, t)` ascending, the
/// order the tie-break of Docs/Theory.md, §1 uses. A Bellman sweep builds this once and shares
/// it across every row, so each row's inner problem needs no sort of `V`.
public struct SortedValues: Sendable {
    /// `V`, indexed by state.
    public let values: [Double]
    /// State indices sorted by `(V_t, t)` ascending: `order[0]` is the lowest value.
    public let order: [Int]
    /// `rank[t]` is the position of `t` in `order`.
    public let rank: [Int]
    /// `e` such that the inner-problem routines work on `V·2^−e` (``working``): `0` while
    /// `max|V|` lies in `[2^−100, 2^100]`, else the `e` that puts `max|V|` in `[½, 1)`.
    /// Support functions are positively homogeneous (`σ(cV) = cσ(V)`, `c > 0`) and a
    /// power-of-two factor is exact, so scaling only removes overflow and underflow
    /// (squares of values in χ² and KL, differences near `±1.8e308`).
    package let exponent: Int
    /// `V·2^−exponent` (the same array as ``values`` when `exponent == 0`).
    package let scaledValues: [Double]

    /// Sorts `values` once: `O(n log n)` comparisons below ``radixThreshold`` states,
    /// a stable least-significant-digit radix sort on the values' bits above it (`O(n)`,
    /// the same order). Every entry must be finite (not checked).
    public init(_ values: [Double]) {
        self.values = values
        let e = Self.workingExponent(values)
        exponent = e
        scaledValues = e == 0 ? values : values.map { Double(sign: .plus, exponent: -e, significand: $0) }
        let n = values.count
        var order = [Int](repeating: 0, count: n)
        var rank = [Int](repeating: 0, count: n)
        if n >= Self.radixThreshold {
            order = Self.radixOrder(values)
        } else {
            // Sort (value, index) pairs stored contiguously: no indirection through `values`.
            var pairs = values.enumerated().map { (value: $0.element, index: $0.offset) }
            pairs.sort { $0.value < $1.value || ($0.value == $1.value && $0.index < $1.index) }
            for r in 0..<n { order[r] = pairs[r].index }
        }
        for r in 0..<n { rank[order[r]] = r }
        self.order = order
        self.rank = rank
    }

    /// The working space of these values: ``scaledValues`` with this order (`self` when
    /// no scaling is needed). The order of `V·2^−e` is that of `V` except where scaling
    /// down makes entries below `max|V|·2^−1074` equal (differences that no result can show).
    package var working: SortedValues {
        exponent == 0 ? self : SortedValues(scaled: self)
    }

    private init(scaled original: SortedValues) {
        values = original.scaledValues
        scaledValues = original.scaledValues
        order = original.order
        rank = original.rank
        exponent = 0
    }

    /// The exponent ``exponent`` documents: `0` when the largest magnitude is in
    /// `[2^−100, 2^100]` (or every entry is zero), else that of the largest magnitude
    /// plus one. Non-finite entries are not expected (callers validate).
    package static func workingExponent(_ values: [Double]) -> Int {
        var largest = 0.0
        for x in values where abs(x) > largest { largest = abs(x) }
        guard largest.isFinite, largest > 0 else { return 0 }
        let e = Int(largest.exponent)
        return e >= -100 && e < 100 ? 0 : e + 1
    }

    /// The exponent that puts `max|V|` in `[½, 1)` (`0` for all zeros): the
    /// certified entry points always work there.
    package static func unitExponent(_ values: [Double]) -> Int {
        var largest = 0.0
        for x in values where abs(x) > largest { largest = abs(x) }
        guard largest.isFinite, largest > 0 else { return 0 }
        return Int(largest.exponent) + 1
    }

    /// From this many states on, ``init(_:)`` sorts by radix (measured: the radix sort
    /// is faster from a few hundred states on; below, the comparison sort wins).
    public static let radixThreshold = 512

    /// The order of `(V_t, t)` by an LSD radix sort (8 passes of 8 bits, passes where every
    /// key has the same byte skipped) on keys that order like the doubles: the sign bit
    /// flipped for non-negative numbers, every bit flipped for negative ones, `−0` read as
    /// `+0`. The sort is stable and starts from index order, so ties keep `t` ascending,
    /// exactly as the comparison sort orders them.
    static func radixOrder(_ values: [Double]) -> [Int] {
        let n = values.count
        var keys = [UInt64](repeating: 0, count: n)
        var order = [Int](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: 8 * 256)
        values.withUnsafeBufferPointer { vb in
            keys.withUnsafeMutableBufferPointer { kb in
                counts.withUnsafeMutableBufferPointer { cb in
                    for i in 0..<n {
                        let bits = (vb[i] + 0.0).bitPattern  // −0 + 0 = +0
                        let key = bits & (1 << 63) == 0 ? bits | (1 << 63) : ~bits
                        kb[i] = key
                        for d in 0..<8 { cb[d &* 256 &+ Int(truncatingIfNeeded: (key >> UInt64(d &* 8)) & 0xFF)] &+= 1 }
                    }
                }
            }
        }
        for i in 0..<n { order[i] = i }
        var nextKeys = keys
        var nextOrder = order
        keys.withUnsafeMutableBufferPointer { kb0 in
        nextKeys.withUnsafeMutableBufferPointer { kb1 in
        order.withUnsafeMutableBufferPointer { ob0 in
        nextOrder.withUnsafeMutableBufferPointer { ob1 in
        counts.withUnsafeMutableBufferPointer { cb in
            var src = (keys: kb0, order: ob0), dst = (keys: kb1, order: ob1)
            var swapped = false
            for d in 0..<8 {
                let base = d &* 256
                // Skip a pass where one bucket holds every key.
                var trivial = false
                for b in 0..<256 where cb[base &+ b] != 0 {
                    trivial = cb[base &+ b] == n
                    break
                }
                if trivial { continue }
                var offset = 0
                for b in 0..<256 {
                    let c = cb[base &+ b]
                    cb[base &+ b] = offset
                    offset &+= c
                }
                let shift = UInt64(d &* 8)
                for i in 0..<n {
                    let key = src.keys[i]
                    let b = base &+ Int(truncatingIfNeeded: (key >> shift) & 0xFF)
                    let at = cb[b]
                    cb[b] = at &+ 1
                    dst.keys[at] = key
                    dst.order[at] = src.order[i]
                }
                swap(&src, &dst)
                swapped.toggle()
            }
            if swapped {
                // The result is in the second buffers: copy it back.
                for i in 0..<n { ob0[i] = ob1[i] }
            }
        }}}}}
        return order
    }
}

/// What the allocation-free row routines of a Bellman sweep (``AmbiguitySet/writeWorstCase(indices:masses:view:radius:outIndices:outMasses:)``)
/// need of `V`: the values and the state with the lowest `(V_t, t)`. They compare
/// `(V_t, t)` pairs directly instead of ranks, so a sweep of those sets needs one
/// `O(n)` minimum instead of sorting `V`.
package struct RowValues {
    /// `V`, indexed by state.
    package let values: UnsafeBufferPointer<Double>
    /// The state with the lowest `(V_t, t)` (the first minimum).
    package let lowest: Int

    package init(values: UnsafeBufferPointer<Double>, lowest: Int) {
        self.values = values
        self.lowest = lowest
    }

    /// Calls `body` with a view of `values` (valid only inside `body`); `O(n)` for the minimum.
    @inline(__always)
    package static func with<R>(_ values: [Double], _ body: (RowValues) -> R) -> R {
        values.withUnsafeBufferPointer { vb in
            var lowest = 0
            for t in vb.indices where vb[t] < vb[lowest] { lowest = t }
            return body(RowValues(values: vb, lowest: lowest))
        }
    }
}

extension SortedValues {
    /// Calls `body` with a ``RowValues`` view of these values (valid only inside `body`).
    @inline(__always)
    package func withRowValues<R>(_ body: (RowValues) -> R) -> R {
        values.withUnsafeBufferPointer { vb in body(RowValues(values: vb, lowest: order.first ?? 0)) }
    }
}

/// An `(s,a)`-rectangular ambiguity set `U = {q ∈ Δ : D(q, p) ≤ ρ}` without its
/// nominal `p` and radius `ρ`, which vary by row and are passed per call.
public struct AmbiguitySet: Sendable, Hashable {
    /// The distance `D`.
    public let kind: AmbiguityKind
    /// Where `q` may put mass (ignored by `kl` and `chi2`, which always use `supp(p)`).
    public let support: SupportRestriction
    /// `l1` weights `w_t > 0`, one per state; `nil` means all ones.
    public let weights: [Double]?
    /// `wasserstein` ground cost; required for that kind.
    public let cost: GroundCost?
    /// The common value of the `l1` weights when they are all equal (all ones
    /// when `weights` is `nil`), else `nil`: the ball is then a scaled TV ball.
    let uniformWeight: Double?
    /// The smallest `l1` weight (1 when `weights` is `nil`).
    let minimumWeight: Double

    /// Validates the parameters that do not depend on the row.
    ///
    /// - Throws: `AmbiguityError.invalidArgument` naming `weights` (non-finite or
    ///   non-positive entry, or given for a kind other than `l1`) or `cost`
    ///   (missing for `wasserstein`, or given for another kind).
    public init(kind: AmbiguityKind, support: SupportRestriction = .simplex,
                weights: [Double]? = nil, cost: GroundCost? = nil) throws(AmbiguityError) {
        if let weights {
            guard kind == .l1 else {
                throw .invalidArgument(field: "weights", message: "given for set '\(kind.rawValue)', expected only for 'l1'")
            }
            for (t, w) in weights.enumerated() where !(w.isFinite && w > 0) {
                throw .invalidArgument(field: "weights", message: "w(\(t)) = \(w), expected a finite number > 0")
            }
        }
        if kind == .wasserstein, cost == nil {
            throw .invalidArgument(field: "cost", message: "missing, expected a ground cost for set 'wasserstein'")
        }
        if cost != nil, kind != .wasserstein {
            throw .invalidArgument(field: "cost", message: "given for set '\(kind.rawValue)', expected only for 'wasserstein'")
        }
        self.kind = kind
        self.support = support
        self.weights = weights
        self.cost = cost
        if let weights, let first = weights.first {
            uniformWeight = weights.allSatisfy { $0 == first } ? first : nil
            minimumWeight = weights.min() ?? 1
        } else {
            uniformWeight = 1
            minimumWeight = 1
        }
    }

    /// The set `{p}` of the classical game.
    public static let nominalOnly = AmbiguitySet(uncheckedKind: .none)

    /// Total variation on the given support.
    public static func totalVariation(support: SupportRestriction = .simplex) -> AmbiguitySet {
        AmbiguitySet(uncheckedKind: .tv, support: support)
    }

    init(uncheckedKind kind: AmbiguityKind, support: SupportRestriction = .simplex) {
        self.kind = kind
        self.support = support
        self.weights = nil
        self.cost = nil
        self.uniformWeight = 1
        self.minimumWeight = 1
    }
}
