import Ambiguity

/// Nominal kernel rows written by a game's batch kernel function
/// (``MeanFieldGame/KernelRowsFunction``) straight into flat arrays: a chunk of rows costs a
/// few array allocations in all instead of a `SparseDistribution` (two arrays) per row.
///
/// A row is built by ``accumulate(_:_:)`` (adding weight to a target, coinciding targets
/// merged), optionally ``divideRow(by:)`` and ``sortRow()``, and closed by ``endRow(_:)``,
/// which validates it as the closure path validates a returned row (same checks, same
/// errors) and drops its zero entries. The rows of one writer are consecutive.
package struct KernelRowWriter {
    /// `n`, the bound on every index.
    let stateCount: Int
    /// `m`, to name `(s, a)` of row `s·m + a` in errors.
    let actionCount: Int
    /// Where each written row ends in ``indices`` (exclusive); row `k` of the writer starts where
    /// row `k − 1` ends (or at 0).
    private(set) var ends: [Int] = []
    /// The states of the written rows and of the open row.
    private(set) var indices: [Int] = []
    /// Their probabilities (or weights, while the row is open).
    private(set) var probabilities: [Double] = []
    /// Where the open row starts.
    private var rowBegin = 0

    /// An empty writer for rows of a game with `stateCount` states and `actionCount` actions,
    /// with room for `rows` rows of `entries` entries in all.
    init(stateCount: Int, actionCount: Int, rows: Int, entries: Int) {
        self.stateCount = stateCount
        self.actionCount = actionCount
        ends.reserveCapacity(rows)
        indices.reserveCapacity(entries)
        probabilities.reserveCapacity(entries)
    }

    /// A writer of one row outside a game's chunks (a game file's per-row kernel function): the
    /// row is written with ``append(_:_:)`` or ``accumulate(_:_:)`` and read, unchecked and
    /// unclosed, with ``openRow``, so that both paths run the same code.
    package init(rowEntries: Int) {
        self.init(stateCount: 0, actionCount: 0, rows: 0, entries: rowEntries)
    }

    /// The open row as a distribution, before ``endRow(_:)`` checks it (entries as written).
    package var openRow: SparseDistribution {
        guard rowBegin > 0 else { return SparseDistribution(indices: indices, probabilities: probabilities) }
        return SparseDistribution(indices: Array(indices[rowBegin...]), probabilities: Array(probabilities[rowBegin...]))
    }

    /// The number of entries of the open row.
    package var rowEntryCount: Int { indices.count - rowBegin }

    /// Adds `weight` to the open row's entry of state `index`: the entry's weight grows when the
    /// row has one (`w_j += weight`), else a new entry is appended (the order of first appearance).
    @inline(__always)
    package mutating func accumulate(_ index: Int, _ weight: Double) {
        var j = rowBegin
        let end = indices.count
        while j < end {
            if indices[j] == index {
                probabilities[j] += weight
                return
            }
            j += 1
        }
        indices.append(index)
        probabilities.append(weight)
    }

    /// Appends an entry to the open row (the caller keeps indices distinct).
    @inline(__always)
    package mutating func append(_ index: Int, _ weight: Double) {
        indices.append(index)
        probabilities.append(weight)
    }

    /// Divides every entry of the open row by `total` (in entry order).
    package mutating func divideRow(by total: Double) {
        for j in rowBegin..<indices.count { probabilities[j] /= total }
    }

    /// Sorts the open row by index (insertion sort: rows are short and often nearly sorted;
    /// equal indices keep their order).
    package mutating func sortRow() {
        guard indices.count - rowBegin > 1 else { return }
        for i in (rowBegin + 1)..<indices.count {
            let t = indices[i], p = probabilities[i]
            var j = i - 1
            while j >= rowBegin, indices[j] > t {
                indices[j + 1] = indices[j]
                probabilities[j + 1] = probabilities[j]
                j -= 1
            }
            indices[j + 1] = t
            probabilities[j + 1] = p
        }
    }

    /// Closes the open row as row `row` (`s·m + a`) of the game: checks it as
    /// `MeanFieldGame.validatedRow` checks a row of the closure path (increasing indices in
    /// `0..<n`, finite entries `≥ 0`, summing to 1 within
    /// ``MeanFieldGame/probabilityTolerance`` in index order) and drops its zero entries.
    ///
    /// - Throws: ``MeanFieldError/invalidKernel(state:action:message:)`` with the message of the closure path.
    package mutating func endRow(_ row: Int) throws(MeanFieldError) {
        let n = stateCount
        var previous = -1
        var sum = 0.0
        var hasZero = false
        for j in rowBegin..<indices.count {
            let i = indices[j], p = probabilities[j]
            guard i > previous, i < n else {
                throw .invalidKernel(state: row / actionCount, action: row % actionCount,
                                     message: "index \(i) out of order or outside 0..<\(n)")
            }
            guard p.isFinite, p >= 0 else {
                throw .invalidKernel(state: row / actionCount, action: row % actionCount,
                                     message: "P(\(i)) = \(p), expected a finite number >= 0")
            }
            if p == 0 { hasZero = true }
            previous = i
            sum += p
        }
        guard abs(sum - 1) <= MeanFieldGame.probabilityTolerance else {
            throw .invalidKernel(state: row / actionCount, action: row % actionCount,
                                 message: "entries sum to \(sum), expected 1 within \(MeanFieldGame.probabilityTolerance)")
        }
        if hasZero { dropZeros() }
        ends.append(indices.count)
        rowBegin = indices.count
    }

    /// Removes the open row's zero entries, keeping the order of the others.
    private mutating func dropZeros() {
        var kept = rowBegin
        for j in rowBegin..<indices.count where probabilities[j] > 0 {
            indices[kept] = indices[j]
            probabilities[kept] = probabilities[j]
            kept += 1
        }
        indices.removeLast(indices.count - kept)
        probabilities.removeLast(probabilities.count - kept)
    }
}

extension KernelRows {
    /// The rows of `parts`, in order, without gaps: the arrays of
    /// ``init(rows:)`` for the same rows, bit for bit. The row bounds and entries are written
    /// part by part (each part from its own row and entry offsets), in parallel when there are
    /// several parts and enough entries.
    init(joining parts: [KernelRowWriter]) {
        var rowOffsets = [Int](repeating: 0, count: parts.count), offsets = rowOffsets
        var rowCount = 0, total = 0
        for (k, part) in parts.enumerated() {
            rowOffsets[k] = rowCount
            offsets[k] = total
            rowCount += part.ends.count
            total += part.ends.last ?? 0
        }
        if parts.count == 1, let only = parts.first, only.indices.count == total {
            var starts = [Int](repeating: 0, count: rowCount), ends = starts
            starts.withUnsafeMutableBufferPointer { sb in
                ends.withUnsafeMutableBufferPointer { eb in Self.bounds(only, starts: sb.baseAddress, ends: eb.baseAddress, row: 0, at: 0) }
            }
            self.init(rowStart: starts, rowEnd: ends, indices: only.indices, probabilities: only.probabilities)
            return
        }
        let mode: ExecutionMode = total >= VectorBlocks.block ? .parallel : .serial
        let (firstRow, first) = (rowOffsets, offsets)
        var idx: [Int] = [], starts: [Int] = [], ends: [Int] = []
        let pr: [Double] = makeArray(capacity: total) { pb in
            idx = makeArray(capacity: total) { ib in
                starts = makeArray(capacity: rowCount) { sb in
                    ends = makeArray(capacity: rowCount) { eb in
                        let out = UncheckedBox((ib, pb)), bounds = UncheckedBox((sb.baseAddress, eb.baseAddress))
                        Parallel.forEachChunk(count: parts.count, mode: mode) { range in
                            for k in range {
                                Self.bounds(parts[k], starts: bounds.value.0, ends: bounds.value.1, row: firstRow[k], at: first[k])
                                Self.copy(parts[k], to: out.value, at: first[k])
                            }
                        }
                        return rowCount
                    }
                    return rowCount
                }
                return total
            }
            return total
        }
        self.init(rowStart: starts, rowEnd: ends, indices: idx, probabilities: pr)
    }

    /// Writes the bounds of `part`'s rows, the first at row `row`, its entries from `offset` on.
    private static func bounds(_ part: KernelRowWriter, starts: UnsafeMutablePointer<Int>?, ends: UnsafeMutablePointer<Int>?,
                               row: Int, at offset: Int) {
        guard let starts, let ends else { return }
        var begin = 0, i = row
        for end in part.ends {
            starts[i] = offset + begin
            ends[i] = offset + end
            begin = end
            i += 1
        }
    }

    /// Copies the closed rows of `part` into `out` from `offset` on.
    private static func copy(_ part: KernelRowWriter, to out: (UnsafeMutableBufferPointer<Int>, UnsafeMutableBufferPointer<Double>),
                             at offset: Int) {
        let count = part.ends.last ?? 0
        guard count > 0, let ib = out.0.baseAddress, let pb = out.1.baseAddress else { return }
        part.indices.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { (ib + offset).initialize(from: base, count: count) }
        }
        part.probabilities.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { (pb + offset).initialize(from: base, count: count) }
        }
    }
}
