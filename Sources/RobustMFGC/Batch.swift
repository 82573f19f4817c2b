import Ambiguity
import Dispatch
import Synchronization

/// `k` inner problems of one set, rows of caller-owned `(k, n)` buffers, solved on
/// several threads inside one call. Every row is checked (``AmbiguitySet/validate(nominal:values:radius:)``)
/// before it is solved; the first invalid row (lowest index) is reported.
package struct WorstCaseBatch: @unchecked Sendable {
    package let set: AmbiguitySet
    package let rows: Int
    package let n: Int
    let nominal: UnsafePointer<Double>
    let values: UnsafePointer<Double>
    let radii: UnsafePointer<Double>
    let radiusStride: Int
    let outValues: UnsafeMutablePointer<Double>
    let outQ: UnsafeMutablePointer<Double>?
    let outGap: UnsafeMutablePointer<Double>?

    package init(set: AmbiguitySet, rows: Int, n: Int, nominal: UnsafePointer<Double>, values: UnsafePointer<Double>,
                 radii: UnsafePointer<Double>, radiusCount: Int, outValues: UnsafeMutablePointer<Double>,
                 outQ: UnsafeMutablePointer<Double>?, outGap: UnsafeMutablePointer<Double>?) {
        (self.set, self.rows, self.n, self.nominal, self.values, self.radii) = (set, rows, n, nominal, values, radii)
        radiusStride = radiusCount == 1 ? 0 : 1
        (self.outValues, self.outQ, self.outGap) = (outValues, outQ, outGap)
    }

    /// Solves every row on up to `threads` threads (0: every core); throws the first invalid row's error.
    package func run(threads: Int) throws(ABIError) {
        let workers = max(1, min(threads > 0 ? threads : ProcessInfo.cores, rows))
        let chunk = (rows + workers * 8 - 1) / (workers * 8)
        let chunks = (rows + chunk - 1) / chunk
        let firstError = FirstError()
        let solveChunk: @Sendable (Int) -> Void = { c in
            let lo = c * chunk, hi = min(rows, lo + chunk)
            for row in lo..<hi {
                do throws(ABIError) { try self.solve(row: row) } catch {
                    firstError.record(row: row, error)
                    return
                }
            }
        }
        if workers == 1 {
            for c in 0..<chunks { solveChunk(c) }
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: solveChunk)
        }
        if let failure = firstError.first { throw failure }
    }

    /// One row: checked, then solved (certified when `q` or the gap is wanted, else the fast value path).
    func solve(row: Int) throws(ABIError) {
        let p = UnsafeBufferPointer(start: nominal + row * n, count: n)
        let v = UnsafeBufferPointer(start: values + row * n, count: n)
        let rho = radii[row * radiusStride]
        do throws(AmbiguityError) {
            if outQ == nil, outGap == nil, set.writesRowsInPlace, rho.isFinite, rho >= 0,
               let value = set.denseWorstCaseValue(nominal: p, values: v, radius: rho) ?? Self.inPlaceValue(set, p, v, rho) {
                outValues[row] = value
                return
            }
            // The library's own check and message, then the certified (or general value) path.
            try set.validate(nominal: Array(p), values: Array(v), radius: rho)
            if outQ == nil, outGap == nil {
                outValues[row] = set.worstCaseValue(nominal: SparseDistribution(dense: Array(p)), values: SortedValues(Array(v)),
                                                    radius: rho)
                return
            }
            let w = try set.worstCase(nominal: Array(p), values: Array(v), radius: rho)
            outValues[row] = w.value
            if let outQ { for t in 0..<n { outQ[row * n + t] = w.distribution[t] } }
            outGap?[row] = w.certificate.gap
        } catch {
            let e = WorstCaseCall.mapped(error)
            throw ABIError(e.status, field: e.field, message: "row \(row): \(e.message)")
        }
    }

    /// `σ` of a row for the sets a Bellman sweep writes in place (none, tv, uniform l1;
    /// the batch tries ``AmbiguitySet/denseWorstCaseValue(nominal:values:radius:)`` first, one
    /// pass for tv and uniform l1), by
    /// the same allocation-free kernel on the row's support, after one pass that checks
    /// what ``AmbiguitySet/validate(nominal:values:radius:)`` checks, gathers the support
    /// and finds the lowest `(V_t, t)`. `nil` when that check fails or `V` would need
    /// scaling (``SortedValues`` exponent not 0): the caller then takes the general path.
    static func inPlaceValue(_ set: AmbiguitySet, _ p: UnsafeBufferPointer<Double>, _ v: UnsafeBufferPointer<Double>,
                             _ rho: Double) -> Double? {
        guard rho.isFinite, rho >= 0 else { return nil }
        let n = p.count
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { idx -> Double? in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { mass -> Double? in
                var (k, lowest, sum, largest) = (0, 0, 0.0, 0.0)
                for t in 0..<n {
                    let pt = p[t], vt = v[t]
                    guard pt.isFinite, pt >= 0, vt.isFinite else { return nil }
                    sum += pt
                    largest = max(largest, abs(vt))
                    if vt < v[lowest] { lowest = t }
                    if pt > 0 {
                        idx[k] = t
                        mass[k] = pt
                        k += 1
                    }
                }
                guard abs(sum - 1) <= 1e-9, largest == 0 || (-100..<100).contains(Int(largest.exponent)) else { return nil }
                return set.writeWorstCase(indices: UnsafeBufferPointer(rebasing: idx[0..<k]),
                                          masses: UnsafeBufferPointer(rebasing: mass[0..<k]),
                                          view: RowValues(values: v, lowest: lowest), radius: rho,
                                          outIndices: nil, outMasses: nil).value
            }
        }
    }
}

/// The error of the lowest failing row, shared by the threads of one batch.
final class FirstError: Sendable {
    private let state = Mutex<(row: Int, error: ABIError)?>(nil)

    func record(row: Int, _ error: ABIError) {
        state.withLock { current in
            if let current, current.row <= row { return }
            current = (row, error)
        }
    }

    var first: ABIError? { state.withLock { $0?.error } }
}
