extension TotalVariation {
    /// ``core(indices:masses:view:radius:support:outIndices:outMasses:)`` for a row of one or
    /// two entries with `support: nominal` (a grid's moves: a target and the state itself),
    /// without the core's stack buffers, keys and donor scans: bit for bit the same `σ`, count
    /// and written entries (tested against the core on random short rows with ties, zero
    /// masses, `ρ = 0` and `ρ ≥ 1`).
    ///
    /// With two entries, `i*` is the first of the two lowest `V` (the first minimum over the
    /// support) and the other entry is the only donor; with one entry nothing can move. Every
    /// floating-point operation is the core's, in its order: `p·V` summed from `+0` in support
    /// order, the budget `min(ρ, 1 − p_{i*})`, the donor's take `min(budget, p_d)` added to
    /// `Σ take·V` from `+0`, the moved mass `budget − max(left, 0)`, and
    /// `σ = p·V − Σ take·V + moved·V*`.
    ///
    /// - Precondition: `indices.count` is 1 or 2, increasing, every value finite, `radius ≥ 0`;
    ///   output buffers (when given) have room for `k + 1` entries.
    @inlinable
    package static func shortNominal(indices: UnsafeBufferPointer<Int>, masses: UnsafeBufferPointer<Double>,
                                     values: UnsafeBufferPointer<Double>, radius: Double,
                                     outIndices: UnsafeMutablePointer<Int>?, outMasses: UnsafeMutablePointer<Double>?) -> (value: Double, count: Int) {
        let t0 = indices[0], p0 = masses[0], v0 = values[t0]
        var dot = 0.0
        dot += p0 * v0
        guard indices.count == 2 else {
            // i* is the only state: the core finds no donor and moves nothing.
            let budget = min(radius, 1 - p0)
            guard budget > 0 else { return (dot, copyRow(indices, masses, outIndices, outMasses)) }
            let removed = 0.0
            let moved = budget - max(budget, 0)
            var count = 0
            if let outIndices, let outMasses {
                let q0 = p0 + moved
                if q0 > 0 { outIndices[0] = t0; outMasses[0] = q0; count = 1 }
            }
            return (dot - removed + moved * v0, count)
        }
        let t1 = indices[1], p1 = masses[1], v1 = values[t1]
        dot += p1 * v1
        // The core's first minimum: position 1 only when strictly lower.
        let starIsSecond = v1 < v0
        let pStar = starIsSecond ? p1 : p0, vStar = starIsSecond ? v1 : v0
        let pDonor = starIsSecond ? p0 : p1, vDonor = starIsSecond ? v0 : v1
        let budget = min(radius, 1 - pStar)
        guard budget > 0 else { return (dot, copyRow(indices, masses, outIndices, outMasses)) }
        let take = min(budget, pDonor)
        let left = budget - take
        var removed = 0.0
        removed += take * vDonor
        let moved = budget - max(left, 0)
        var count = 0
        if let outIndices, let outMasses {
            let qStar = pStar + moved, qDonor = pDonor - take
            let q0 = starIsSecond ? qDonor : qStar, q1 = starIsSecond ? qStar : qDonor
            if q0 > 0 { outIndices[count] = t0; outMasses[count] = q0; count += 1 }
            if q1 > 0 { outIndices[count] = t1; outMasses[count] = q1; count += 1 }
        }
        return (dot - removed + moved * vStar, count)
    }

    /// Copies the row to the output buffers (when given) unchanged; returns the count written.
    @inlinable
    static func copyRow(_ indices: UnsafeBufferPointer<Int>, _ masses: UnsafeBufferPointer<Double>,
                        _ outIndices: UnsafeMutablePointer<Int>?, _ outMasses: UnsafeMutablePointer<Double>?) -> Int {
        guard let outIndices, let outMasses else { return 0 }
        for pos in 0..<indices.count {
            outIndices[pos] = indices[pos]
            outMasses[pos] = masses[pos]
        }
        return indices.count
    }
}
