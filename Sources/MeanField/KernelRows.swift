import Ambiguity

/// Nature's worst-case kernel of every `(s, a)` row in flat arrays, so a Bellman
/// sweep writes every row in place instead of allocating per row.
///
/// Row `i` occupies `rowStart[i]..<rowEnd[i]` of ``indices`` and ``probabilities``.
/// Rows may leave gaps between them: a sweep gives row `i` a slot of room `k_i + 1`
/// (its nominal support plus the state that receives mass) at a fixed offset, so
/// chunks written by different threads need no joining afterwards, and the slot
/// offsets (``rowStart``) are one array shared by every sweep of a snapshot.
///
/// Game files hand their stored kernels to ``MeanFieldGame`` in this form
/// (``MeanFieldGame/init(stateCount:actionCount:discount:ambiguity:stateNames:actionNames:reward:kernelRows:radius:radiusDependsOnMeanField:)``),
/// so a large game's rows are never held as one pair of arrays per row.
package struct KernelRows: Sendable {
    /// Where row `i` starts.
    var rowStart: [Int]
    /// Where row `i` ends (exclusive).
    var rowEnd: [Int]
    /// Next states, increasing within a row.
    var indices: [Int]
    /// Their probabilities.
    var probabilities: [Double]

    /// Flattens per-row distributions (no gaps; each row has as many probabilities as
    /// indices): the row starts by a prefix sum, then the
    /// entries copied by blocks of rows, in parallel from ``VectorBlocks/block`` rows on (each
    /// row is copied alone, so the arrays are the same whatever the blocks; 2.9 s of serial
    /// appends for the 5·10⁶ rows of a 10⁶-state garnet before, Docs/Performance.md, section 10).
    init(rows: [SparseDistribution]) {
        let count = rows.count
        var starts = [Int](repeating: 0, count: count)
        var ends = [Int](repeating: 0, count: count)
        var total = 0
        for i in 0..<count {
            precondition(rows[i].indices.count == rows[i].probabilities.count, "a row with unequal indices and probabilities")
            starts[i] = total
            total += rows[i].indices.count
            ends[i] = total
        }
        var idx: [Int] = []
        let mode = VectorBlocks.mode(count: count, execution: .automatic)
        let starting = starts
        let pr: [Double] = makeArray(capacity: total) { pb in
            idx = makeArray(capacity: total) { ib in
                let out = UncheckedBox((ib, pb))
                VectorBlocks.forEach(count: count, mode: mode) { range in
                    for i in range {
                        let row = rows[i]
                        var e = starting[i]
                        for (t, p) in zip(row.indices, row.probabilities) {
                            out.value.0[e] = t
                            out.value.1[e] = p
                            e += 1
                        }
                    }
                }
                return total
            }
            return total
        }
        rowStart = starts
        rowEnd = ends
        indices = idx
        probabilities = pr
    }

    /// The rows as given: row `i` is `rowStart[i]..<rowEnd[i]` of `indices` and `probabilities`.
    package init(rowStart: [Int], rowEnd: [Int], indices: [Int], probabilities: [Double]) {
        self.rowStart = rowStart
        self.rowEnd = rowEnd
        self.indices = indices
        self.probabilities = probabilities
    }

    /// Slot offsets for rows written in place: row `i` of a kernel with these nominal
    /// rows gets room for its `k_i` entries plus one, at `nominal.rowStart[i] + i`.
    /// Returns the offsets and the total room: a prefix sum by blocks of rows, on threads from
    /// two ``VectorBlocks/block``s of rows on (``VectorBlocks/prefixSum(count:block:mode:total:fill:)``).
    static func slots(for nominal: KernelRows) -> (starts: [Int], room: Int) {
        let count = nominal.count
        var room = 0
        // Every offset is written by the prefix sum, so the array is not zeroed first.
        let starts: [Int] = makeArray(capacity: count) { sb in
            nominal.rowStart.withUnsafeBufferPointer { rs in
                nominal.rowEnd.withUnsafeBufferPointer { re in
                    guard let base = sb.baseAddress else { return }
                    let out = DisjointSlices(base: base)
                    room = VectorBlocks.prefixSum(
                        count: count, mode: VectorBlocks.mode(count: count, execution: .automatic),
                        total: { range in
                            var sum = 0
                            for i in range { sum += re[i] - rs[i] + 1 }
                            return sum
                        },
                        fill: { range, offset in
                            var o = offset
                            for i in range {
                                out.base[i] = o
                                o += re[i] - rs[i] + 1
                            }
                            return o
                        })
                }
            }
            return count
        }
        return (starts, room)
    }

    /// The number of rows.
    package var count: Int { rowStart.count }

    /// The number of stored entries (gaps excluded).
    var entryCount: Int {
        var total = 0
        for i in 0..<count { total += rowEnd[i] - rowStart[i] }
        return total
    }

    /// The number of entries of row `i`.
    package func entryCount(ofRow i: Int) -> Int { rowEnd[i] - rowStart[i] }

    /// Row `i` as a distribution.
    package func row(_ i: Int) -> SparseDistribution {
        let range = rowStart[i]..<rowEnd[i]
        return SparseDistribution(indices: Array(indices[range]), probabilities: Array(probabilities[range]))
    }

    /// Every row as a distribution.
    var rows: [SparseDistribution] { (0..<count).map(row) }

    /// Raw views of the four arrays, for the loops that read many rows.
    struct View {
        let rowStart: UnsafeBufferPointer<Int>
        let rowEnd: UnsafeBufferPointer<Int>
        let indices: UnsafeBufferPointer<Int>
        let probabilities: UnsafeBufferPointer<Double>

        /// Row `i`'s states.
        @inline(__always) func indices(_ i: Int) -> UnsafeBufferPointer<Int> {
            UnsafeBufferPointer(rebasing: indices[rowStart[i]..<rowEnd[i]])
        }

        /// Row `i`'s probabilities.
        @inline(__always) func probabilities(_ i: Int) -> UnsafeBufferPointer<Double> {
            UnsafeBufferPointer(rebasing: probabilities[rowStart[i]..<rowEnd[i]])
        }
    }

    /// Calls `body` with a ``View`` of the rows (valid only inside `body`).
    @inline(__always)
    func withView<R>(_ body: (View) -> R) -> R {
        rowStart.withUnsafeBufferPointer { rs in
            rowEnd.withUnsafeBufferPointer { re in
                indices.withUnsafeBufferPointer { ki in
                    probabilities.withUnsafeBufferPointer { kp in
                        body(View(rowStart: rs, rowEnd: re, indices: ki, probabilities: kp))
                    }
                }
            }
        }
    }
}

/// Scratch space that mixes one state's kernel rows by a policy,
/// `P(s, ·) = Σ_a π(a|s) K(·|s, a)`, into a dense accumulator, remembering which
/// states it touched (in first-touch order). Used by ``TransitionMatrix`` (which
/// stores the rows) and by the population step (which only adds them up), so both
/// sum in the same order and agree bit for bit.
struct RowMixer {
    /// `P(s, t)` for the touched `t`, zero elsewhere.
    let accumulator: UnsafeMutableBufferPointer<Double>
    let touched: UnsafeMutableBufferPointer<Bool>
    /// The touched states, `list[0..<count]`.
    let list: UnsafeMutableBufferPointer<Int>

    /// Runs `body` with a mixer for `n` states (scratch allocated once).
    static func with<R>(stateCount n: Int, _ body: (RowMixer) -> R) -> R {
        var accumulator = [Double](repeating: 0, count: n)
        var touched = [Bool](repeating: false, count: n)
        var list = [Int](repeating: 0, count: n)
        return accumulator.withUnsafeMutableBufferPointer { acc in
            touched.withUnsafeMutableBufferPointer { seen in
                list.withUnsafeMutableBufferPointer { lst in
                    body(RowMixer(accumulator: acc, touched: seen, list: lst))
                }
            }
        }
    }

    /// Accumulates state `s`'s mixed row (actions with `π(a|s) > 0`, in action order);
    /// returns how many states it touched.
    @inline(__always)
    func mix(state s: Int, actionCount m: Int, policy: UnsafeBufferPointer<Double>, kernels: KernelRows.View) -> Int {
        var count = 0
        for a in 0..<m {
            let w = policy[s &* m &+ a]
            guard w > 0 else { continue }
            let row = s &* m &+ a
            for j in kernels.rowStart[row]..<kernels.rowEnd[row] {
                let t = kernels.indices[j]
                if !touched[t] {
                    touched[t] = true
                    list[count] = t
                    count &+= 1
                }
                accumulator[t] += w * kernels.probabilities[j]
            }
        }
        return count
    }

    /// Clears state `t` after its entry was used.
    @inline(__always)
    func clear(_ t: Int) {
        accumulator[t] = 0
        touched[t] = false
    }
}
