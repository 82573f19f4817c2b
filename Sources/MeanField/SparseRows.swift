/// The one builder of compressed sparse rows (CSR) in MeanField: rows written in
/// order, each a run of `(column, value)` entries, into arrays allocated once at a
/// known capacity. ``TransitionMatrix`` (merged rows of a policy's state chain) and
/// the Newton step's unmerged frozen system both build through it.
struct SparseRows {
    /// Row `s` occupies `rowStart[s]..<rowStart[s+1]` of ``columns`` and ``values``.
    var rowStart: [Int]
    var columns: [Int]
    var values: [Double]

    /// Writes entries of consecutive rows (see ``SparseRows/build(rows:capacity:_:)``).
    struct Writer {
        fileprivate let columnBuffer: UnsafeMutableBufferPointer<Int>
        fileprivate let valueBuffer: UnsafeMutableBufferPointer<Double>
        fileprivate let startBuffer: UnsafeMutableBufferPointer<Int>
        fileprivate var row = 0
        /// Entries written so far.
        private(set) var count = 0

        /// Appends an entry to the current row (at most `capacity` entries in all).
        @inline(__always)
        mutating func append(column: Int, value: Double) {
            columnBuffer[count] = column
            valueBuffer[count] = value
            count &+= 1
        }

        /// Ends the current row; the next entries belong to the next row.
        @inline(__always)
        mutating func endRow() {
            row &+= 1
            startBuffer[row] = count
        }
    }

    /// Builds `rows` rows: `body` appends the entries of row 0, calls `endRow()`, then
    /// row 1, and so on, writing at most `capacity` entries. Rows it does not end are empty.
    @inline(__always)
    static func build(rows n: Int, capacity: Int, _ body: (inout Writer) -> Void) -> SparseRows {
        var starts = [Int](repeating: 0, count: n + 1)
        var values: [Double] = []
        var total = 0
        // Both arrays are filled inside their initializers: entries 0..<total are
        // written and the initialized count is exactly `total`.
        let columns: [Int] = makeArray(capacity: capacity) { cb in
            values = makeArray(capacity: capacity) { vb in
                starts.withUnsafeMutableBufferPointer { sb in
                    var writer = Writer(columnBuffer: cb, valueBuffer: vb, startBuffer: sb)
                    body(&writer)
                    total = writer.count
                    // Rows left unended are empty.
                    var r = writer.row
                    while r < n {
                        r += 1
                        sb[r] = total
                    }
                }
                return total
            }
            return total
        }
        return SparseRows(rowStart: starts, columns: columns, values: values)
    }
}
