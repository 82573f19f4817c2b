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

    /// Sorts `values` once: `O(n log n)` comparisons below `radixThreshold` (512) states,
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
    package static let radixThreshold = 512

    /// The order of `(V_t, t)` by an LSD radix sort (8 passes of 8 bits, passes where every
    /// key has the same byte skipped) on keys that order like the doubles: the sign bit
    /// flipped for non-negative numbers, every bit flipped for negative ones, `−0` read as
    /// `+0`. The sort is stable and starts from index order, so ties keep `t` ascending,
    /// exactly as the comparison sort orders them.
    ///
    /// A documented hot kernel (Docs/Development.md): once per sweep of a large game, its
    /// passes share the nested buffer scopes.
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
