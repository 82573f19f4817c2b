import Ambiguity
import Synchronization

/// The chain of the frozen-policy crowd steps (``SolverRun/frozenPolicyImage(_:lazySteps:)``)
/// rewritten in place at each refresh, for games whose kernel rows keep their states from one
/// mean field to the next.
///
/// **Why.** A refresh used to write the rows' worst cases against the frozen `V^π` into a
/// sweep's buffers, then build the chain `P(s, t) = Σ_a π(a|s) q*(t|s, a)` from them in column
/// form (count the entries per column, place the columns, scatter): three passes over every
/// entry, and two arrays of 16 bytes an entry written and read again, at every tenth population
/// step (Docs/Performance.md, section 8, "Twentieth round" and "Twenty-first round"). Where the
/// nominal rows' states do not move with `μ` (the crowd grid's rows, ``GameFiles`` `KeyedRows`),
/// the chain's columns and sources do not either: they are built here once, and a refresh is one
/// pass over the states that computes each row's worst case into a small scratch and adds
/// `π(a|s) q*(t)` straight into the chain entry of `(s, t)`.
///
/// **The structure.** Every state `s` has one entry in column `t` for each distinct `t` of its
/// `m` nominal rows, whatever the policy (entries that the policy or the worst case leave empty
/// hold 0), sources increasing within a column. `positions[j]` is the chain entry of the rows'
/// entry `j`.
///
/// **Same numbers.** Each entry is `0`, then `+ π(a|s) q*(t|s, a)` for the actions with
/// `π(a|s) > 0` in action order, as ``LazyPopulationSteps/init(policy:kernelRows:stateCount:actionCount:execution:groups:recycling:)``
/// sums it (its first term is `0 + x`), and the worst cases are those of the sweep
/// (``AmbiguitySet/writeWorstCase(indices:masses:view:radius:outIndices:outMasses:)`` on the
/// same rows, values and radii). An entry that chain would not have holds `+0`, and a step adds
/// `ν(s)·0 = +0` to a sum of non-negative terms, which leaves it unchanged: every step gives the
/// same vector bit for bit (tested, `FrozenChainTests`).
///
/// **Where it applies** (``applies(ambiguity:population:)``): a nominal population (the rows
/// themselves), or a worst-case population whose set writes rows in place
/// (``AmbiguitySet/writesRowsInPlace``) and keeps the worst case on the nominal support
/// (`support: nominal`, or the set `none`): then every worst-case row's states are among its
/// nominal row's. A snapshot whose rows are not the very arrays the structure was built from
/// (``matches(_:)``; a game that writes its rows afresh at each mean field, or that dropped a zero
/// entry) takes the sweep and the chain's build as before.
struct FrozenChain {
    /// The nominal rows' bounds and states the structure was built from, held so that their
    /// storage cannot be reused while snapshots are compared with it (``matches(_:)``).
    private let rowStart: [Int]
    private let rowEnd: [Int]
    private let indices: [Int]
    private let stateCount: Int
    private let actionCount: Int
    /// The most entries of one row.
    private let widest: Int
    private let columnStart: [Int]
    private let sources: [Int32]
    /// `positions[j]`: the chain entry of the rows' entry `j` (entries outside every row: 0).
    private let positions: [Int32]
    /// The chain's entries, rewritten by each ``chain(snapshot:policy:values:population:execution:)``.
    private var weights: [Double]
    /// The largest `|s − t|` over the chain's entries (``LazyPopulationSteps/reach``).
    private let reach: Int

    /// Whether the chain can be rewritten in place for this set and population (see the type's
    /// description).
    static func applies(ambiguity: AmbiguitySet, population: PopulationModel) -> Bool {
        guard population == .worstCase else { return true }
        return ambiguity.writesRowsInPlace && (ambiguity.kind == .none || ambiguity.support == .nominal)
    }

    /// The structure for `rows` (`n·m` rows of states `0..<n`, each row's entries after the
    /// row before it, so that no two rows share an entry), or `nil` when they are not, or have
    /// more than `2³¹ − 1` entries.
    init?(rows: KernelRows, stateCount n: Int, actionCount m: Int) {
        guard rows.count == n * m, n > 0, n <= Int(Int32.max), rows.indices.count <= Int(Int32.max) else { return nil }
        var start = [Int](repeating: 0, count: n + 1)
        var last = [Int32](repeating: -1, count: n)
        var widest = 0
        // Distinct columns per state.
        for s in 0..<n {
            let source = Int32(truncatingIfNeeded: s)
            for row in (s * m)..<(s * m + m) {
                // In order and apart: each entry belongs to one row, so to one state's pass.
                guard rows.rowStart[row] >= 0, rows.rowStart[row] <= rows.rowEnd[row], row == 0 || rows.rowStart[row] >= rows.rowEnd[row - 1],
                      rows.rowEnd[row] <= rows.indices.count else { return nil }
                widest = max(widest, rows.rowEnd[row] - rows.rowStart[row])
                for j in rows.rowStart[row]..<rows.rowEnd[row] {
                    let t = rows.indices[j]
                    guard t >= 0, t < n else { return nil }
                    if last[t] != source {
                        last[t] = source
                        start[t + 1] += 1
                    }
                }
            }
        }
        for t in 0..<n { start[t + 1] += start[t] }
        guard start[n] <= Int(Int32.max) else { return nil }
        var fill = start
        var sources = [Int32](repeating: 0, count: start[n])
        var positions = [Int32](repeating: 0, count: rows.indices.count)
        last.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        for s in 0..<n {
            let source = Int32(truncatingIfNeeded: s)
            for row in (s * m)..<(s * m + m) {
                for j in rows.rowStart[row]..<rows.rowEnd[row] {
                    let t = rows.indices[j]
                    if last[t] != source {
                        last[t] = source
                        sources[fill[t]] = source
                        fill[t] += 1
                    }
                    positions[j] = Int32(truncatingIfNeeded: fill[t] - 1)
                }
            }
        }
        (rowStart, rowEnd, indices) = (rows.rowStart, rows.rowEnd, rows.indices)
        (stateCount, actionCount, self.widest) = (n, m, widest)
        (columnStart, self.sources, self.positions) = (start, sources, positions)
        weights = [Double](repeating: 0, count: start[n])
        reach = LazyPopulationSteps.reach(columnStart: start, sources: sources, stateCount: n)
    }

    /// Whether `rows` are the very rows the structure was built from: the same storage of
    /// bounds and states (held by this value, so equal addresses mean equal contents).
    func matches(_ rows: KernelRows) -> Bool {
        Self.same(rows.rowStart, rowStart) && Self.same(rows.rowEnd, rowEnd) && Self.same(rows.indices, indices)
    }

    /// Whether `a` and `b` share the storage of their bounds and states (the caller holds both,
    /// so equal addresses mean equal contents).
    static func sameStructure(_ a: KernelRows, _ b: KernelRows) -> Bool {
        same(a.rowStart, b.rowStart) && same(a.rowEnd, b.rowEnd) && same(a.indices, b.indices)
    }

    private static func same<T>(_ a: [T], _ b: [T]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
    }

    /// The chain of `policy` at `snapshot`'s rows (nature's worst case against `values` for a
    /// worst-case population), written into this structure's entries; `nil` when a worst case
    /// has a state outside its nominal row (not expected where ``applies(ambiguity:population:)``;
    /// the caller then builds the chain as before).
    ///
    /// The returned chain shares the entries' storage: drop it before the next call, which
    /// otherwise copies them first.
    ///
    /// - Precondition: ``matches(_:)`` `snapshot.layout.rows`; `policy` has `n·m` entries and
    ///   `values` `n` finite ones; ``applies(ambiguity:population:)``.
    mutating func chain(snapshot: GameSnapshot, policy: [Double], values: [Double], population: PopulationModel,
                        execution: ExecutionMode) -> LazyPopulationSteps? {
        let n = stateCount, m = actionCount, widest = widest
        let set = snapshot.ambiguity
        let worstCase = population == .worstCase
        let short = set.shortRows
        let failed = Atomic<Bool>(false)
        let mode = VectorBlocks.mode(count: n, entries: indices.count, execution: execution)
        let rows = snapshot.layout.rows
        weights.withUnsafeMutableBufferPointer { wb in
            guard let base = wb.baseAddress else { return }
            let out = DisjointSlices(base: base)
            RowValues.with(values) { view in
            rows.withView { k in
            positions.withUnsafeBufferPointer { pos in
            policy.withUnsafeBufferPointer { pol in
            snapshot.radii.withUnsafeBufferPointer { radii in
                VectorBlocks.forEach(count: n, mode: mode) { states in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: widest + 1) { oi in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: widest + 1) { om in
                        guard let oiBase = oi.baseAddress, let omBase = om.baseAddress else { return }
                        for s in states {
                            guard Self.write(state: s, m: m, k, pos, pol, radii, view, set: set, short: short,
                                             worstCase: worstCase, scratch: (oiBase, omBase), into: out.base)
                            else {
                                failed.store(true, ordering: .relaxed)
                                return
                            }
                        }
                    }}
                }
            }}}}}
        }
        guard !failed.load(ordering: .relaxed) else { return nil }
        return LazyPopulationSteps(stateCount: n, columnStart: columnStart, sources: sources, weights: weights, reach: reach)
    }

    /// State `s`'s chain entries: zeroed, then each action's row (its worst case, or the
    /// nominal row) added in action order; `false` when a worst case has a state that is not in
    /// its nominal row.
    @inline(__always)
    private static func write(state s: Int, m: Int, _ k: KernelRows.View, _ pos: UnsafeBufferPointer<Int32>,
                              _ pol: UnsafeBufferPointer<Double>, _ radii: UnsafeBufferPointer<Double>, _ view: RowValues,
                              set: AmbiguitySet, short: ShortRows?, worstCase: Bool,
                              scratch: (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Double>),
                              into w: UnsafeMutablePointer<Double>) -> Bool {
        let first = s &* m
        for row in first..<(first &+ m) {
            for j in k.rowStart[row]..<k.rowEnd[row] { w[Int(pos[j])] = 0 }
        }
        for row in first..<(first &+ m) {
            let pi = pol[row]
            guard pi > 0 else { continue }
            let begin = k.rowStart[row], end = k.rowEnd[row]
            guard worstCase else {
                for j in begin..<end { w[Int(pos[j])] += pi * k.probabilities[j] }
                continue
            }
            let count = set.writeWorstCase(short: short, indices: k.indices(row), masses: k.probabilities(row), view: view,
                                           radius: radii[row], outIndices: scratch.0, outMasses: scratch.1).count
            // The worst case's states increase and lie in the nominal row: one merge walk.
            var j = begin
            for c in 0..<count {
                let t = scratch.0[c]
                while j < end, k.indices[j] != t { j &+= 1 }
                guard j < end else { return false }
                w[Int(pos[j])] += pi * scratch.1[c]
            }
        }
        return true
    }
}
