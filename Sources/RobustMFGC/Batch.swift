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
            // The library's own check (and message) for a row the quick scan does not accept.
            if !Self.plainlyValid(p, v, rho) { try set.validate(nominal: Array(p), values: Array(v), radius: rho) }
            if outQ == nil, outGap == nil {
                outValues[row] = value(p, v, rho)
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

    /// The checks of ``AmbiguitySet/validate(nominal:values:radius:)`` for a dense row of
    /// matching lengths, without allocating: `true` means that check passes too.
    static func plainlyValid(_ p: UnsafeBufferPointer<Double>, _ v: UnsafeBufferPointer<Double>, _ rho: Double) -> Bool {
        guard rho.isFinite, rho >= 0 else { return false }
        var sum = 0.0
        for i in p.indices {
            guard p[i].isFinite, p[i] >= 0, v[i].isFinite else { return false }
            sum += p[i]
        }
        return abs(sum - 1) <= 1e-9
    }

    /// `σ` of a valid row: for the sets a Bellman sweep writes in place (none, tv, uniform
    /// l1) by the same allocation-free kernel on the row's support, when `V` needs no
    /// scaling; otherwise by ``AmbiguitySet/worstCaseValue(nominal:values:radius:)``.
    func value(_ p: UnsafeBufferPointer<Double>, _ v: UnsafeBufferPointer<Double>, _ rho: Double) -> Double {
        var largest = 0.0
        for x in v where abs(x) > largest { largest = abs(x) }
        let unscaled = largest == 0 || (-100..<100).contains(Int(largest.exponent))  // SortedValues.workingExponent == 0
        guard set.writesRowsInPlace, unscaled else {
            return set.worstCaseValue(nominal: SparseDistribution(dense: Array(p)), values: SortedValues(Array(v)), radius: rho)
        }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { idx in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { mass in
                var k = 0
                for t in 0..<n where p[t] > 0 {
                    idx[k] = t
                    mass[k] = p[t]
                    k += 1
                }
                var lowest = 0
                for t in 1..<max(n, 1) where v[t] < v[lowest] { lowest = t }
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
