/// Evaluation of a game's functions at every row `s·m + a`, in parallel chunks
/// when there are enough rows to pay for the threads.
///
/// The result does not depend on scheduling: every row is computed by one call, and
/// when some rows fail the error reported is the one of the lowest failing row
/// (each chunk stops at its own first failure, and the lowest failing row is the
/// first failure of its chunk), exactly as a serial loop would report it.
enum ParallelRows {
    /// Rows per chunk: small enough to balance two cores, large enough that the
    /// dispatch overhead (a few microseconds per chunk) is negligible.
    static let chunkRows = 256

    /// `body(row)` for every row in `0..<count`, in parallel under `.automatic` when
    /// `count ≥ ExecutionMode.parallelRowThreshold`; `fill` initializes the storage.
    ///
    /// - Throws: the error of the lowest row whose `body` throws.
    static func map<T>(count: Int, fill: T, _ body: (Int) throws(MeanFieldError) -> T) throws(MeanFieldError) -> [T] {
        var out = [T](repeating: fill, count: count)
        guard count >= ExecutionMode.parallelRowThreshold else {
            for row in 0..<count { out[row] = try body(row) }
            return out
        }
        let chunks = (count + chunkRows - 1) / chunkRows
        var errors = [MeanFieldError?](repeating: nil, count: chunks)
        out.withUnsafeMutableBufferPointer { results in
            errors.withUnsafeMutableBufferPointer { failures in
                let results = DisjointSlices(base: results.baseAddress!), failures = DisjointSlices(base: failures.baseAddress!)
                Parallel.forEachChunk(count: chunks, mode: .parallel) { range in
                    for c in range {
                        let rows = (c * chunkRows)..<min(count, (c + 1) * chunkRows)
                        do throws(MeanFieldError) {
                            for row in rows { results.base[row] = try body(row) }
                        } catch {
                            failures.base[c] = error
                        }
                    }
                }
            }
        }
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
        return out
    }
}
