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
        let p = Array(UnsafeBufferPointer(start: nominal + row * n, count: n))
        let v = Array(UnsafeBufferPointer(start: values + row * n, count: n))
        let rho = radii[row * radiusStride]
        do throws(AmbiguityError) {
            try set.validate(nominal: p, values: v, radius: rho)
            if outQ == nil, outGap == nil {
                outValues[row] = set.worstCaseValue(nominal: SparseDistribution(dense: p), values: SortedValues(v), radius: rho)
                return
            }
            let w = try set.worstCase(nominal: p, values: v, radius: rho)
            outValues[row] = w.value
            if let outQ { for t in 0..<n { outQ[row * n + t] = w.distribution[t] } }
            outGap?[row] = w.certificate.gap
        } catch {
            let e = WorstCaseCall.mapped(error)
            throw ABIError(e.status, field: e.field, message: "row \(row): \(e.message)")
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
