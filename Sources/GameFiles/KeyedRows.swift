import MeanField
import Synchronization

/// The kernel rows of a keyed transition whose every target is read directly
/// (``KeyedWeights/Values/direct``), written at each mean field as probabilities only: the rows'
/// bounds and states do not depend on `μ`, so they are built once and shared by every refresh.
///
/// **Why.** On the crowd grid every target is a cached, μ-free binding and every weight is keyed
/// (``KeyedWeights``), yet each refresh of the kernel still wrote every row through
/// ``MeanField/KernelRowWriter`` (append, merge, sort, validate, then join the chunks): about a
/// third of the samples of a 500×500 solve (Docs/Performance.md, section 8, "Eighteenth round").
/// Here a refresh is one pass over the rows, adding each entry's keyed weight into its fixed
/// place.
///
/// **The structure.** Built at the first mean field from the direct targets: row `i` holds its
/// distinct targets in increasing order, and entry `k` of the rule adds its weight at the place
/// of its target. Not built (the rows are then written as before, at every mean field) when a
/// target is not known at some row or not a whole number in `0..<n`, or when the weights' key is
/// not known at some row (``KeyedWeights``: that row's weights are never in the table).
///
/// **Same rows, same errors.** The rows of ``SuccessorRule/rows(_:states:actions:bind:layout:noiseBindings:cache:keyed:_:into:)``
/// bit for bit: each place starts at 0 and receives its entries' weights in entry order (the
/// writer's merge, `0 + w` being `w`), is divided by the same sum when normalizing, and is
/// checked as ``MeanField/KernelRowWriter/endRow(_:)`` checks it (in index order). A refresh
/// gives rows only when every weight is held by the table and positive, and every row passes
/// both sums' checks with positive entries; otherwise it gives `nil`, and the caller writes the
/// rows as before, which reports the error or drops the zero entries. So a zero weight (an
/// entry absent from that row at that mean field) costs one pass, then the usual rows.
final class KeyedRows: Sendable {
    /// The μ-free part of the rows.
    final class Structure: Sendable {
        let rowStart: [Int]
        let rowEnd: [Int]
        let indices: [Int]
        /// `places[i·K + k]`: where entry `k` of row `i` adds its weight, from the row's start.
        let places: [Int32]
        /// Where a sweep writes each row's worst case (the same at every mean field).
        let slots: SweepSlots

        init(rowStart: [Int], rowEnd: [Int], indices: [Int], places: [Int32]) {
            (self.rowStart, self.rowEnd, self.indices, self.places) = (rowStart, rowEnd, indices, places)
            slots = SweepSlots(rows: KernelRows(rowStart: rowStart, rowEnd: rowEnd, indices: [], probabilities: []))
        }
    }

    /// Rows per task of a refresh.
    static let block = 4096
    private let stateCount: Int
    private let actionCount: Int
    private let entryCount: Int
    private let normalize: Bool
    /// `nil` until the first mean field, then the structure (or `nil` inside: not available).
    private let state = Mutex<Structure??>(nil)

    init(rule: SuccessorRule, states n: Int, actions m: Int) {
        stateCount = n
        actionCount = m
        entryCount = rule.entries.count
        normalize = rule.normalize
    }

    /// The structure, built at the first call from `values`' direct targets.
    func structure(_ values: KeyedWeights.Values) -> Structure? {
        state.withLock { built in
            if let built { return built }
            let made = buildStructure(values)
            built = .some(made)
            return made
        }
    }

    private func buildStructure(_ values: KeyedWeights.Values) -> Structure? {
        guard values.direct != nil, entryCount > 0, entryCount <= Int(Int32.max) else { return nil }
        let n = stateCount, m = actionCount, rows = n * m, width = entryCount
        var rowStart = [Int](repeating: 0, count: rows), rowEnd = rowStart
        var indices: [Int] = []
        indices.reserveCapacity(rows * width)
        var places = [Int32](repeating: 0, count: rows * width)
        var targets = [Int](repeating: 0, count: width), distinct: [Int] = []
        distinct.reserveCapacity(width)
        for k in 0..<width where values.column[k] < 0 { return nil }
        for row in 0..<rows {
            // A row whose key is not known never has its weights in the table: no refresh could use the structure.
            guard values.rowKeys[row] >= 0 else { return nil }
            for k in 0..<width {
                guard let x = values.target(k, row: row, s: row / m, a: row % m), x >= 0, x < Double(n), Double(Int(x)) == x
                else { return nil }
                targets[k] = Int(x)
            }
            distinct.removeAll(keepingCapacity: true)
            for t in targets where !distinct.contains(t) { distinct.append(t) }
            distinct.sort()
            rowStart[row] = indices.count
            for k in 0..<width {
                guard let place = distinct.firstIndex(of: targets[k]) else { return nil }
                places[row * width + k] = Int32(place)
            }
            indices.append(contentsOf: distinct)
            rowEnd[row] = indices.count
        }
        // Exactly the entries: the room reserved for one per successor and row is given back.
        return Structure(rowStart: rowStart, rowEnd: rowEnd, indices: Array(indices), places: places)
    }

    /// Every row at the mean field of `values` (see the type's description) with the structure's
    /// sweep slots, or `nil`.
    func rows(_ values: KeyedWeights.Values) -> (rows: KernelRows, slots: SweepSlots)? {
        guard let structure = structure(values) else { return nil }
        let rowCount = actionCount * stateCount, width = entryCount, normalize = normalize
        let total = structure.indices.count
        let failed = Atomic<Bool>(false)
        let blocks = (rowCount + Self.block - 1) / Self.block
        let mode: ExecutionMode = rowCount >= ExecutionMode.parallelRowThreshold ? .parallel : .serial
        let probabilities: [Double] = makeArray(capacity: total) { out in
            guard let base = out.baseAddress else { return 0 }
            let slices = DisjointSlices(base: base)
            structure.rowStart.withUnsafeBufferPointer { starts in
                structure.rowEnd.withUnsafeBufferPointer { ends in
                    structure.places.withUnsafeBufferPointer { places in
                        let bounds = UncheckedRowBounds(starts: starts, ends: ends, places: places)
                        Parallel.forEachChunk(count: blocks, mode: mode) { range in
                            // One failed row fails the refresh: the other tasks stop at their next block.
                            for b in range where !failed.load(ordering: .relaxed) {
                                let first = b * Self.block, last = min(rowCount, first + Self.block)
                                for row in first..<last
                                where !Self.write(row, values, bounds, width: width, normalize: normalize, into: slices.base) {
                                    failed.store(true, ordering: .relaxed)
                                    return
                                }
                            }
                        }
                    }
                }
            }
            return failed.load(ordering: .relaxed) ? 0 : total
        }
        guard !failed.load(ordering: .relaxed) else { return nil }
        let rows = KernelRows(rowStart: structure.rowStart, rowEnd: structure.rowEnd, indices: structure.indices,
                              probabilities: probabilities)
        return (rows, structure.slots)
    }

    /// The structure's arrays as buffers, shared by the refresh's tasks.
    private struct UncheckedRowBounds: @unchecked Sendable {
        let starts: UnsafeBufferPointer<Int>
        let ends: UnsafeBufferPointer<Int>
        let places: UnsafeBufferPointer<Int32>
    }

    /// Row `row`'s probabilities written into `out` at its places; `false` when the row cannot be
    /// written this way (a weight not held or not positive, a sum that fails, an entry that is
    /// not a positive finite number), and then the whole refresh is discarded, so what a failed
    /// row left in `out` is never read.
    ///
    /// A row with as many places as entries (every target distinct) stores each weight at its
    /// place: the bits of `0 + w` with no zeroing and no read back. Without normalizing, every
    /// weight that passed is finite and positive (an infinite one fails the row's sum), so the
    /// entries need no second check, and where the entries' sum in index order is the weights'
    /// sum bit for bit (one place, or two entries: `a + b = b + a`) it is not formed again.
    @inline(__always)
    private static func write(_ row: Int, _ values: KeyedWeights.Values, _ bounds: UncheckedRowBounds, width: Int,
                              normalize: Bool, into out: UnsafeMutablePointer<Double>) -> Bool {
        let begin = bounds.starts[row], end = bounds.ends[row]
        let first = row &* width, row0 = out + begin
        // The sum and the places in entry order, each weight read once.
        var total = 0.0
        if end &- begin == width {
            for k in 0..<width {
                guard let w = values.weight(k, row: row), w > 0 else { return false }
                total += w
                row0[Int(bounds.places[first &+ k])] = w
            }
        } else {
            for j in 0..<(end &- begin) { row0[j] = 0 }
            for k in 0..<width {
                guard let w = values.weight(k, row: row), w > 0 else { return false }
                total += w
                row0[Int(bounds.places[first &+ k])] += w
            }
        }
        if !normalize {
            guard abs(total - 1) <= GameFile.rowTolerance else { return false }
            if width <= 2 || end &- begin == 1 { return abs(total - 1) <= MeanFieldGame.probabilityTolerance }
        } else {
            guard total > 0, total.isFinite else { return false }
            for j in begin..<end { out[j] /= total }
        }
        var sum = 0.0
        for j in begin..<end {
            let p = out[j]
            guard p.isFinite, p > 0 else { return false }
            sum += p
        }
        return abs(sum - 1) <= MeanFieldGame.probabilityTolerance
    }
}
