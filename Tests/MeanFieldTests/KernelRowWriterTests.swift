import Ambiguity
@testable import MeanField
import Testing

/// `KernelRowWriter`, the flat output of a batch kernel function: its validation gives the
/// closure path's (`MeanFieldGame.validatedRow`) errors and rows, and a game whose batch
/// function writes the rows of its closure gives the closure's snapshots and errors, serial
/// and in parallel chunks.
@Suite struct KernelRowWriterTests {
    /// Rows on 5 states: valid ones (with zeros to drop), and each way a row can be invalid.
    static let rows: [(indices: [Int], probabilities: [Double])] = [
        ([0, 2, 4], [0.25, 0.5, 0.25]), ([1, 3], [0, 1]), ([0, 1, 2, 3, 4], [0.1, 0, 0.6, 0, 0.3]), ([2], [1]),
        ([1, 1], [0.5, 0.5]), ([3, 2], [0.5, 0.5]), ([0, 5], [0.5, 0.5]), ([-1, 0], [0.5, 0.5]),
        ([0, 1], [1.5, -0.5]), ([0, 1], [.nan, 1]), ([0, 1], [.infinity, 0]), ([0, 1], [0.5, 0.4]),
        ([0], [1 + 2e-9]), ([0], [1 + 5e-10]), ([], []),
    ]

    @Test func endRowValidatesAsTheClosurePath() {
        let n = 5, m = 3
        for (k, row) in Self.rows.enumerated() {
            let r = 7 * m + k % m  // (s, a) = (7, k mod 3)
            var writer = KernelRowWriter(stateCount: n, actionCount: m, rows: 1, entries: 0)
            for (i, p) in zip(row.indices, row.probabilities) { writer.append(i, p) }
            let written = Result { () throws(MeanFieldError) in
                try writer.endRow(r)
                return KernelRows(joining: [writer]).row(0)
            }
            let reference = Result { () throws(MeanFieldError) in
                try MeanFieldGame.validatedRow(SparseDistribution(indices: row.indices, probabilities: row.probabilities),
                                               state: r / m, action: r % m, stateCount: n)
            }
            switch (written, reference) {
            case let (.success(a), .success(b)):
                #expect(a.indices == b.indices && a.probabilities.map(\.bitPattern) == b.probabilities.map(\.bitPattern), "row \(k)")
            case let (.failure(a), .failure(b)):
                #expect(a == b, "row \(k): \(a) vs \(b)")
            default:
                Issue.record("row \(k): \(written) vs \(reference)")
            }
        }
    }

    /// Merging, division and sorting of the open row, against a plain computation.
    @Test func accumulateDivideAndSort() throws {
        var writer = KernelRowWriter(stateCount: 10, actionCount: 1, rows: 2, entries: 4)
        writer.append(3, 1)
        try writer.endRow(0)
        for (t, w) in [(7, 0.5), (2, 0.25), (7, 0.75), (5, 1.0), (2, 0.5)] { writer.accumulate(t, w) }
        #expect(writer.rowEntryCount == 3)
        writer.divideRow(by: 3)
        writer.sortRow()
        try writer.endRow(1)
        let rows = KernelRows(joining: [writer])
        #expect(rows.rowStart == [0, 1] && rows.rowEnd == [1, 4])
        #expect(rows.row(1).indices == [2, 5, 7])
        #expect(rows.row(1).probabilities == [(0.25 + 0.5) / 3, 1.0 / 3, (0.5 + 0.75) / 3])
    }

    /// A game of 4 actions on `n` states whose row `(s, a)` at μ is one of ``rows`` (chosen by
    /// `s`, `a` and whether `μ(0) > 0.5`), given both as a closure and as a batch function that
    /// appends the same entries.
    static func game(states n: Int) throws -> (closure: MeanFieldGame, batch: MeanFieldGame) {
        let m = 4
        @Sendable func row(_ s: Int, _ a: Int, _ mu: [Double]) -> SparseDistribution {
            let k = mu[0] > 0.5 && s >= n - 2 && a == 2 ? 4 + (s + a) % 10 : (s + a) % 4
            let r = Self.rows[k]
            return SparseDistribution(indices: r.indices.map { $0 * (n / 5) }, probabilities: r.probabilities)
        }
        let closure = try MeanFieldGame(stateCount: n, actionCount: m, discount: 0.5, reward: { _, _, _ in 0 },
                                        kernel: { s, a, mu in row(s, a, mu) })
        let batch = closure.withKernelRows({ range, mu, out throws(MeanFieldError) in
            for r in range {
                let p = row(r / m, r % m, mu)
                for (i, x) in zip(p.indices, p.probabilities) { out.append(i, x) }
                try out.endRow(r)
            }
        }, entriesPerRow: 5)
        return (closure, batch)
    }

    @Test(arguments: [50, 1000])
    func batchGameMatchesTheClosure(states n: Int) throws {
        let (closure, batch) = try Self.game(states: n)
        var mu = [Double](repeating: 0.5 / Double(n - 1), count: n)
        mu[0] = 0.5
        let a = try batch.snapshot(at: mu), b = try closure.snapshot(at: mu)
        #expect(a.layout.rows.rowStart == b.layout.rows.rowStart && a.layout.rows.rowEnd == b.layout.rows.rowEnd)
        #expect(a.layout.rows.indices == b.layout.rows.indices && a.layout.rows.probabilities == b.layout.rows.probabilities)
        #expect(a.kernels == b.kernels && a.kernel(13) == b.kernels[13])
        mu[0] = 0.75
        #expect(throws: MeanFieldError.self) { try closure.snapshot(at: mu) }
        do {
            _ = try closure.snapshot(at: mu)
        } catch {
            #expect(throws: error) { try batch.snapshot(at: mu) }
            #expect(throws: error) { try batch.kernelSnapshot(at: mu) }
        }
    }
}
