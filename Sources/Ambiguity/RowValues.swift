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
