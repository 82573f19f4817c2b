import Ambiguity

/// The result of one robust Bellman sweep over every `(s, a)` row.
struct Sweep {
    /// `Q(s, a) = r(s, a, μ) + γ σ_{U(s,a,μ)}(V)`, row-major.
    var q: [Double]
    /// The reported worst-case distribution of each row (tie-break of Docs/Theory.md, §1), when requested.
    var kernels: KernelRows?
    /// `V(s)` reduced from `q` in the same pass, when a ``Reduction`` was requested
    /// and the sweep could fuse it (in-place sets, and the LP path, whose workers reduce
    /// their own states); otherwise `nil`.
    var stateValues: [Double]?
    /// `σ_{U(s,a,μ)}(V)` of every row, when requested (in-place sets only; ``ReusableSweep``).
    var worstValues: [Double]? = nil
}

extension Sweep {
    /// Moves this sweep's buffers into `pool` (then ``q`` is empty and ``kernels`` `nil`,
    /// so the pool holds the only references); drops them when the pool is full.
    mutating func release(into pool: inout SweepPool) {
        pool.give(SweepBuffers(self))
        kernels = nil
        q = []
    }
}

/// The buffers of a discarded ``Sweep`` with kernels, for the next sweep to overwrite.
struct SweepBuffers {
    var q: [Double]
    var ends: [Int]
    var indices: [Int]
    var masses: [Double]

    /// The buffers of `sweep` (`nil` without kernels); `sweep` should not be used afterwards.
    init?(_ sweep: consuming Sweep) {
        guard let kernels = sweep.kernels else { return nil }
        self.init(kernels: kernels, q: sweep.q)
    }

    /// The buffers of a value solution's kernels and `q` (`q` may be empty: a sweep into
    /// these buffers then allocates its own `q`).
    init(kernels: KernelRows, q: [Double]) {
        self.q = q
        ends = kernels.rowEnd
        indices = kernels.indices
        masses = kernels.probabilities
    }

    /// The masses' storage, which identifies the set (`nil` when empty).
    var identity: UnsafeRawPointer? {
        masses.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    func fits(rows: Int, room: Int) -> Bool {
        (q.count == rows || q.isEmpty) && ends.count == rows && indices.count == room && masses.count == room
    }

    /// Moves `q` out like ``take(_:)``; when the set has no `q` (a solution's kernels without
    /// it), a new zeroed one of `rows` entries.
    mutating func takeQ(rows: Int) -> [Double] {
        let q = take(\.q)
        return q.isEmpty ? [Double](repeating: 0, count: rows) : q
    }

    /// Moves one buffer out (leaving it empty), so the caller holds its only reference.
    mutating func take<T>(_ path: WritableKeyPath<SweepBuffers, [T]>) -> [T] {
        let out = self[keyPath: path]
        self[keyPath: path] = []
        return out
    }
}

/// Buffers of discarded sweeps (at most ``capacity`` sets), handed to later sweeps of the
/// same size so that they overwrite memory already mapped instead of faulting in fresh
/// pages (at 10⁶ states a set is about 1 GB; Docs/Performance.md, section 10). Whatever
/// it holds, the sweeps' results are the same: a sweep takes only buffers of its size and
/// writes every entry it later reads, and a buffer still shared with a live value is
/// copied on write, never overwritten.
struct SweepPool {
    /// The most sets kept: a value solve has at most two sweeps alive at once.
    static let capacity = 2
    private(set) var buffers: [SweepBuffers] = []
    /// The kernels a ``ReusableSweep`` holds (their masses' storage): a set sharing them is not
    /// kept, since the sweep that took it would copy all three kernel buffers on write (2.9 M
    /// instructions of `memcpy` per 200-state solve; Docs/Performance.md, section 4).
    private(set) var reserved: UnsafeRawPointer? = nil
    /// Sets taken by a sweep that had to copy them (still shared elsewhere): a diagnostic,
    /// which the tests keep at 0.
    var copiedOnWrite = 0

    /// A set of buffers, if the pool holds one (the most recently given).
    mutating func take() -> SweepBuffers? { buffers.popLast() }

    /// Keeps `spare` unless it is `nil`, the pool is full, or it shares the ``reserved`` kernels.
    mutating func give(_ spare: consuming SweepBuffers?) {
        guard let spare, buffers.count < Self.capacity else { return }
        if let reserved, spare.identity == reserved { return }
        buffers.append(spare)
    }

    /// Marks `kernels` as held elsewhere (by a ``ReusableSweep``) from now on, in place of the
    /// previous ones, and drops a kept set that shares them; `nil` marks none.
    mutating func reserve(_ kernels: KernelRows?) {
        let id = kernels?.probabilities.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        reserved = id
        if let id { buffers.removeAll { $0.identity == id } }
    }
}

/// How a sweep's `Q` is reduced to state values.
enum Reduction: Sendable {
    /// `max_a Q` (`τ = 0`) or `τ log Σ_a exp(Q/τ)`.
    case softMax(temperature: Double)
    /// `Σ_a π(a|s)[Q(s, a) − τ log π(a|s)]`, `π` at `s·m + a`.
    case policy([Double], temperature: Double)
}

extension GameSnapshot {
    /// The robust Q-function of `V`: `Q(s, a) = r(s, a, μ) + γ σ_{U(s,a,μ)}(V)` (Docs/Theory.md).
    ///
    /// For `none`, `tv` and uniform `l1` each row compares `(V_t, t)` directly and writes
    /// its result in place (no sort of `V`); the other sets share one sort of `V`
    /// (`SortedValues`). Rows are computed independently (in parallel chunks when
    /// ``ExecutionMode`` allows), so the result is bit-identical to a serial sweep.
    ///
    /// - Parameters:
    ///   - values: `V`, `n` finite numbers.
    ///   - execution: serial or parallel rows.
    ///   - inner: closed form (default) or the LP path (serial, one GLPK solve per row;
    ///     `kl`/`chi2` use the certified closed form, having no LP).
    /// - Returns: `n·m` numbers, row `(s, a)` at `s·m + a`.
    /// - Complexity: `n·m` closed-form inner problems, plus one sort of `V` for the sets
    ///   other than `none`, `tv` and uniform `l1`.
    /// - Throws: ``MeanFieldError/numerical(_:)`` when `values` has the wrong length or a non-finite entry;
    ///   ``MeanFieldError/ambiguity(_:)`` when the LP path fails.
    public func robustQ(values: [Double], execution: ExecutionMode = .automatic,
                        inner: InnerMethod = .closedForm) throws(MeanFieldError) -> [Double] {
        try checkValues(values)
        return try sweep(values: values, wantKernels: false, inner: inner, execution: execution).q
    }

    /// The robust Bellman operator `(TV)(s) = max_a Q(s, a)` for `τ = 0`, or the soft
    /// maximum `τ log Σ_a exp(Q(s, a)/τ)` for `τ > 0`, with `Q` from ``robustQ(values:execution:inner:)``.
    /// A `γ`-contraction in the sup norm.
    ///
    /// - Throws: ``MeanFieldError/numerical(_:)`` for invalid `values`,
    ///   ``MeanFieldError/invalidOption(field:message:)`` for a negative or non-finite `temperature`.
    public func bellman(values: [Double], temperature: Double, execution: ExecutionMode = .automatic) throws(MeanFieldError) -> [Double] {
        try checkTemperature(temperature)
        try checkValues(values)
        let sw = try sweep(values: values, wantKernels: false, execution: execution,
                           reduction: .softMax(temperature: temperature))
        return sw.stateValues ?? Self.stateValues(q: sw.q, stateCount: stateCount, actionCount: actionCount,
                                                  temperature: temperature, execution: execution)
    }

    /// The policy Bellman operator `(T^π V)(s) = Σ_a π(a|s) [r − τ log π(a|s) + γ σ_U(V)]`
    /// (Docs/Theory.md, §1), with `0 log 0 = 0`. A `γ`-contraction.
    ///
    /// - Throws: as ``bellman(values:temperature:execution:)``, and
    ///   ``MeanFieldError/invalidPolicy(_:)`` when `policy` has another shape.
    public func policyBellman(values: [Double], policy: Policy, temperature: Double,
                              execution: ExecutionMode = .automatic) throws(MeanFieldError) -> [Double] {
        try checkTemperature(temperature)
        try checkPolicy(policy)
        let q = try robustQ(values: values, execution: execution)
        return Self.policyValues(q: q, policy: policy.probabilities, stateCount: stateCount,
                                 actionCount: actionCount, temperature: temperature)
    }

    /// The robust Q-function together with each row's reported worst-case distribution.
    /// A documented hot kernel (Docs/Development.md): the dispatch of every sweep.
    ///
    /// With a `reduction`, the in-place sweep also computes the state values in the
    /// same parallel pass (chunks of whole states: one round of threads instead of
    /// two, and `Q` still in cache); other sweeps leave ``Sweep/stateValues`` `nil`.
    ///
    /// With `inner: .lp` the rows are solved by `engine` (its live GLPK problems,
    /// warm-started), or by a fresh engine when `engine` is `nil`.
    func sweep(values: [Double], wantKernels: Bool, inner: InnerMethod = .closedForm,
               execution: ExecutionMode, reduction: Reduction? = nil,
               engine: LPRowEngine? = nil) throws(MeanFieldError) -> Sweep {
        var none: SweepBuffers? = nil
        return try sweep(values: values, wantKernels: wantKernels, inner: inner, execution: execution, reduction: reduction,
                         engine: engine, recycled: &none)
    }

    /// ``sweep(values:wantKernels:inner:execution:reduction:engine:)``, writing an in-place
    /// sweep with kernels into `recycled` (taken, when it has the right sizes) instead of
    /// new buffers. The results are the same.
    func sweep(values: [Double], wantKernels: Bool, inner: InnerMethod = .closedForm,
               execution: ExecutionMode, reduction: Reduction? = nil,
               engine: LPRowEngine? = nil, recycled: inout SweepBuffers?, wantWorstValues: Bool = false) throws(MeanFieldError) -> Sweep {
        let rows = stateCount * actionCount
        if inner == .lp || rowSets != nil {
            let lp = engine ?? LPRowEngine(stateCount: stateCount, actionCount: actionCount, execution: execution)
            // The workers write Q = r + γσ and, given a reduction, V(s) of their states.
            let result = try lp.sweep(snapshot: self, values: values, wantKernels: wantKernels, reduction: reduction)
            return Sweep(q: result.q, kernels: result.kernels, stateValues: result.stateValues)
        }
        if ambiguity.writesRowsInPlace {
            return sweepInPlace(values: values, wantKernels: wantKernels, execution: execution, reduction: reduction,
                                recycled: &recycled, wantWorstValues: wantWorstValues)
        }
        // Once: a flat-only snapshot builds its rows when read (a batch-written snapshot keeps
        // them for these sets, ``MeanFieldGame`` `evaluate`).
        let kernels = self.kernels
        let sorted = SortedValues(values)
        let set = ambiguity
        let context = set.sweepContext(values: sorted)
        let gamma = discount
        var q = [Double](repeating: 0, count: rows)
        var kernelsOut: KernelRows? = nil
        if wantKernels {
            // Each chunk appends its rows' kernels to its own fragment, stored at the
            // chunk's first row; the fragments are joined in row order afterwards.
            var fragments = [KernelRows?](repeating: nil, count: rows)
            q.withUnsafeMutableBufferPointer { qb in
                fragments.withUnsafeMutableBufferPointer { fb in
                    guard let qbase = qb.baseAddress, let fbase = fb.baseAddress else { return }
                    let qs = DisjointSlices(base: qbase), fs = DisjointSlices(base: fbase)
                    Parallel.forEachChunk(count: rows, mode: execution) { range in
                        var starts: [Int] = [], ends: [Int] = []
                        starts.reserveCapacity(range.count)
                        ends.reserveCapacity(range.count)
                        var idx: [Int] = [], pr: [Double] = []
                        var estimate = 0
                        for i in range { estimate += kernels[i].indices.count + 1 }
                        idx.reserveCapacity(estimate)
                        pr.reserveCapacity(estimate)
                        for i in range {
                            starts.append(idx.count)
                            let v = set.appendWorstCase(nominal: kernels[i], values: sorted, radius: radii[i],
                                                        context: context, indices: &idx, probabilities: &pr)
                            qs.base[i] = rewards[i] + gamma * v
                            ends.append(idx.count)
                        }
                        fs.base[range.lowerBound] = KernelRows(rowStart: starts, rowEnd: ends, indices: idx, probabilities: pr)
                    }
                }
            }
            if let whole = fragments.first ?? nil, whole.count == rows {
                // One chunk (a serial sweep): its fragment is the result.
                kernelsOut = whole
            } else {
                var starts: [Int] = [], ends: [Int] = []
                starts.reserveCapacity(rows)
                ends.reserveCapacity(rows)
                var idx: [Int] = [], pr: [Double] = []
                for fragment in fragments {
                    guard let fragment else { continue }
                    let offset = idx.count
                    idx.append(contentsOf: fragment.indices)
                    pr.append(contentsOf: fragment.probabilities)
                    for j in 0..<fragment.count {
                        starts.append(offset + fragment.rowStart[j])
                        ends.append(offset + fragment.rowEnd[j])
                    }
                }
                kernelsOut = KernelRows(rowStart: starts, rowEnd: ends, indices: idx, probabilities: pr)
            }
        } else {
            q.withUnsafeMutableBufferPointer { qb in
                guard let qbase = qb.baseAddress else { return }
                let qs = DisjointSlices(base: qbase)
                Parallel.forEachChunk(count: rows, mode: execution) { range in
                    for i in range {
                        qs.base[i] = rewards[i] + gamma * set.worstCaseValue(nominal: kernels[i], values: sorted, radius: radii[i],
                                                                             context: context)
                    }
                }
            }
        }
        return Sweep(q: q, kernels: kernelsOut)
    }

    /// The sweep for sets that write rows in place (``AmbiguitySet/writesRowsInPlace``:
    /// none, tv, uniform l1): every row reads its nominal row from the snapshot's flat
    /// ``NominalLayout`` and writes its worst case straight into its own slot of one
    /// shared buffer, so nothing is allocated per row or per chunk and nothing is joined.
    /// These rows compare `(V_t, t)` directly, so `V` is not sorted: the only serial
    /// work besides the rows is one `O(n)` minimum.
    ///
    /// Kept as one function so the row loop, its unsafe buffers and the fused reduction
    /// stay visible together.
    private func sweepInPlace(values: [Double], wantKernels: Bool, execution: ExecutionMode,
                              reduction: Reduction?, recycled: inout SweepBuffers?, wantWorstValues: Bool = false) -> Sweep {
        let n = stateCount, rows = stateCount * actionCount
        let worstCount = wantWorstValues ? rows : 0, room = wantKernels ? layout.slotRoom : 0
        var worstValues: [Double] = []
        let reduced = reduction == nil ? 0 : n
        // Chunks of whole states, so each chunk can reduce its own rows; the automatic
        // mode still decides on the number of rows.
        let mode: ExecutionMode = execution == .automatic
            ? (rows >= ExecutionMode.parallelRowThreshold ? .parallel : .serial) : execution
        // Recycled buffers (a discarded sweep's, fully initialized) are overwritten in
        // place: no allocation, no page faults on a fresh mapping (Docs/Performance.md).
        if wantKernels, var spare = recycled.take(), spare.fits(rows: rows, room: room) {
            var q = spare.takeQ(rows: rows), ends = spare.take(\.ends), idx = spare.take(\.indices), masses = spare.take(\.masses)
            var stateValues: [Double] = []
            q.withUnsafeMutableBufferPointer { qb in
            ends.withUnsafeMutableBufferPointer { eb in
            idx.withUnsafeMutableBufferPointer { oi in
            masses.withUnsafeMutableBufferPointer { om in
            worstValues = makeArray(capacity: worstCount) { wb in
                stateValues = makeArray(capacity: reduced) { vb in
                    fillRows(values: values, mode: mode, reduction: reduction, q: qb, ends: eb, outIndices: oi, outMasses: om,
                             stateValues: vb, worstValues: wb)
                    return reduced
                }
                return worstCount
            }}}}}
            return Sweep(q: q, kernels: KernelRows(rowStart: layout.slotStarts, rowEnd: ends, indices: idx, probabilities: masses),
                         stateValues: reduction == nil ? nil : stateValues, worstValues: wantWorstValues ? worstValues : nil)
        }
        // The outputs are filled inside their `unsafeUninitializedCapacity` initializers,
        // so each initialized count covers only written elements: every q[i] and ends[i]
        // (with kernels), every state value (with a reduction), and every entry of every
        // row's kernel slot (its worst case, then zeros up to the slot's end).
        var q: [Double] = [], ends: [Int] = [], outMasses: [Double] = [], stateValues: [Double] = []
        let outIndices: [Int] = makeArray(capacity: room) { oi in
        outMasses = makeArray(capacity: room) { om in
        ends = makeArray(capacity: wantKernels ? rows : 0) { eb in
        q = makeArray(capacity: rows) { qb in
        worstValues = makeArray(capacity: worstCount) { wb in
        stateValues = makeArray(capacity: reduced) { vb in
            fillRows(values: values, mode: mode, reduction: reduction, q: qb, ends: eb, outIndices: oi, outMasses: om,
                     stateValues: vb, worstValues: wb)
            return reduced
        }
        return worstCount
        }
        return rows
        }
        return wantKernels ? rows : 0
        }
        return room
        }
        return room
        }
        return Sweep(q: q, kernels: wantKernels
                     ? KernelRows(rowStart: layout.slotStarts, rowEnd: ends, indices: outIndices, probabilities: outMasses)
                     : nil,
                     stateValues: reduction == nil ? nil : stateValues, worstValues: wantWorstValues ? worstValues : nil)
    }

    /// The row loop of ``sweepInPlace(values:wantKernels:execution:reduction:recycled:wantWorstValues:)``:
    /// writes every `q[i]`, and with kernels (non-empty `outIndices`) every `ends[i]` and
    /// every entry of row `i`'s slot, with a reduction every state value, and with a non-empty
    /// `worstValues` every row's `σ`.
    ///
    /// Kept as one function so the row loop, its unsafe buffers and the fused reduction
    /// stay visible together.
    private func fillRows(values: [Double], mode: ExecutionMode, reduction: Reduction?,
                          q qb: UnsafeMutableBufferPointer<Double>, ends eb: UnsafeMutableBufferPointer<Int>,
                          outIndices oi: UnsafeMutableBufferPointer<Int>, outMasses om: UnsafeMutableBufferPointer<Double>,
                          stateValues vb: UnsafeMutableBufferPointer<Double>, worstValues wb: UnsafeMutableBufferPointer<Double>) {
        let n = stateCount, m = actionCount
        let set = ambiguity, short = set.shortRows
        let gamma = discount
        let nominal = layout.rows
        let wantKernels = oi.baseAddress != nil
        let policy: [Double]
        if case let .policy(p, _) = reduction { policy = p } else { policy = [] }
        RowValues.with(values) { view in
        nominal.withView { nominalRows in
        rewards.withUnsafeBufferPointer { rw in
        radii.withUnsafeBufferPointer { rd in
        layout.slotStarts.withUnsafeBufferPointer { slots in
        policy.withUnsafeBufferPointer { pol in
            // Each chunk writes only q[i], ends[i], row i's slot for the rows of its
            // states, and those states' values.
            Parallel.forEachChunk(count: n, mode: mode) { states in
                for i in (states.lowerBound * m)..<(states.upperBound * m) {
                    let idx = nominalRows.indices(i), mass = nominalRows.probabilities(i)
                    if wantKernels, let oiBase = oi.baseAddress, let omBase = om.baseAddress {
                        let slot = slots[i]
                        let (v, count) = set.writeWorstCase(short: short, indices: idx, masses: mass, view: view, radius: rd[i],
                                                            outIndices: oiBase + slot, outMasses: omBase + slot)
                        qb[i] = rw[i] + gamma * v
                        wb.baseAddress?[i] = v
                        eb[i] = slot + count
                        // The slot has room for k + 1 entries; the rest is never read.
                        for j in (slot + count)..<(slot + idx.count + 1) {
                            oiBase[j] = 0
                            omBase[j] = 0
                        }
                    } else {
                        let v = set.writeWorstCase(short: short, indices: idx, masses: mass, view: view, radius: rd[i],
                                                   outIndices: nil, outMasses: nil).value
                        qb[i] = rw[i] + gamma * v
                        wb.baseAddress?[i] = v
                    }
                }
                switch reduction {
                case nil:
                    break
                case let .softMax(tau):
                    for s in states {
                        vb[s] = Self.softMax(UnsafeBufferPointer(rebasing: qb[(s * m)..<(s * m + m)]), temperature: tau)
                    }
                case let .policy(_, tau):
                    for s in states {
                        vb[s] = Self.policyValue(q: UnsafeBufferPointer(rebasing: qb[(s * m)..<(s * m + m)]),
                                                 policy: UnsafeBufferPointer(rebasing: pol[(s * m)..<(s * m + m)]),
                                                 temperature: tau)
                    }
                }
            }
        }}}}}}
    }

    func checkValues(_ values: [Double]) throws(MeanFieldError) {
        guard values.count == stateCount else {
            throw .numerical("value vector has \(values.count) entries, expected \(stateCount)")
        }
        for (s, v) in values.enumerated() where !v.isFinite {
            throw .numerical("V(\(s)) = \(v), expected a finite number")
        }
    }

    func checkTemperature(_ tau: Double) throws(MeanFieldError) {
        guard tau.isFinite, tau >= 0 else { throw .invalidOption(field: .temperature, message: "\(tau), expected a finite number >= 0") }
    }

    func checkPolicy(_ policy: Policy) throws(MeanFieldError) {
        guard policy.stateCount == stateCount, policy.actionCount == actionCount else {
            throw .invalidPolicy("shape \(policy.stateCount) x \(policy.actionCount), expected \(stateCount) x \(actionCount)")
        }
    }

    // MARK: Reductions over actions (per state, serial, O(n·m)).

    /// `max_a Q(s,a)` (`τ = 0`) or `τ log Σ_a exp(Q(s,a)/τ)` computed as
    /// `M + τ log Σ_a exp((Q(s,a) − M)/τ)` with `M = max_a Q(s,a)` (no overflow).
    static func softMax(_ q: UnsafeBufferPointer<Double>, temperature tau: Double) -> Double {
        var best = -Double.infinity
        for x in q where x > best { best = x }
        guard tau > 0 else { return best }
        var sum = 0.0
        for x in q { sum += mathExp((x - best) / tau) }
        return best + tau * mathLog(sum)
    }

    static func stateValues(q: [Double], stateCount n: Int, actionCount m: Int, temperature tau: Double,
                            execution: ExecutionMode = .serial) -> [Double] {
        var v = [Double](repeating: 0, count: n)
        // Per state, independent: chunked like the sweep (same threshold on n·m rows),
        // so the soft maximum's exp/log work does not stay serial in large sweeps.
        let mode: ExecutionMode = execution == .automatic && n * m < ExecutionMode.parallelRowThreshold ? .serial : execution
        q.withUnsafeBufferPointer { qb in
            v.withUnsafeMutableBufferPointer { vb in
                guard let vbase = vb.baseAddress else { return }
                let out = DisjointSlices(base: vbase)
                let qs = UncheckedBox(qb)
                Parallel.forEachChunk(count: n, mode: mode == .automatic ? .parallel : mode) { range in
                    for s in range {
                        out.base[s] = softMax(UnsafeBufferPointer(rebasing: qs.value[(s * m)..<(s * m + m)]), temperature: tau)
                    }
                }
            }
        }
        return v
    }

    /// `Σ_a π(a|s) [Q(s,a) − τ log π(a|s)]` with `0 log 0 = 0`; states in parallel blocks
    /// when `execution` allows (each state's sum is the same either way).
    /// With `helpers`, split with the LP row engine's workers as in
    /// ``BestResponse/unchecked(qValues:stateCount:actionCount:temperature:execution:helpers:)``.
    static func policyValues(q: [Double], policy: [Double], stateCount n: Int, actionCount m: Int, temperature tau: Double,
                             execution: ExecutionMode = .serial, helpers: LPRowEngine? = nil) -> [Double] {
        makeArray(capacity: n) { vb in
            q.withUnsafeBufferPointer { qb in
                policy.withUnsafeBufferPointer { pb in
                    let out = UncheckedBox(vb)
                    let input = UncheckedBox((qb, pb))
                    VectorBlocks.forEachState(count: n, mode: VectorBlocks.mode(count: n * m, execution: execution),
                                              helpers: helpers) { states in
                        let (qb, pb) = input.value
                        for s in states {
                            out.value[s] = policyValue(q: UnsafeBufferPointer(rebasing: qb[(s * m)..<(s * m + m)]),
                                                       policy: UnsafeBufferPointer(rebasing: pb[(s * m)..<(s * m + m)]), temperature: tau)
                        }
                    }
                }
            }
            return n
        }
    }

    /// One state's `Σ_a π(a|s) [Q(s,a) − τ log π(a|s)]` (actions in order, `0 log 0 = 0`).
    @inline(__always)
    static func policyValue(q: UnsafeBufferPointer<Double>, policy: UnsafeBufferPointer<Double>, temperature tau: Double) -> Double {
        var acc = 0.0
        for a in 0..<q.count {
            let p = policy[a]
            guard p > 0 else { continue }
            acc += p * (tau > 0 ? q[a] - tau * mathLog(p) : q[a])
        }
        return acc
    }

    /// The one-step reward of a policy including the entropy bonus: `Σ_a π(a|s)[r − τ log π(a|s)]`.
    static func policyRewards(rewards: [Double], policy: [Double], stateCount n: Int, actionCount m: Int, temperature tau: Double,
                              execution: ExecutionMode = .serial, helpers: LPRowEngine? = nil) -> [Double] {
        policyValues(q: rewards, policy: policy, stateCount: n, actionCount: m, temperature: tau, execution: execution,
                     helpers: helpers)
    }
}

/// Best responses to a Q-function (Docs/Theory.md, §1).
public enum BestResponse {
    /// The relative tolerance of the greedy tie-break: actions within
    /// `1e-12·(1 + |max_a Q|)` of the maximum count as attaining it.
    public static let tieTolerance = 1e-12

    /// `BR_τ`: for `τ = 0` all mass on the first action within
    /// `1e-12·(1 + |max_a Q(s,·)|)` of the maximum; for `τ > 0`
    /// `π(a|s) ∝ exp(Q(s,a)/τ)`, computed as `exp((Q − max)/τ)` normalized.
    ///
    /// - Parameters:
    ///   - qValues: `Q(s, a)` at `s·m + a`, `n·m` finite numbers.
    ///   - stateCount: `n`.
    ///   - actionCount: `m`.
    ///   - temperature: `τ ≥ 0`.
    /// - Complexity: `O(n·m)`.
    /// - Throws: ``MeanFieldError/invalidOption(field:message:)`` for a bad `temperature` or shape,
    ///   ``MeanFieldError/numerical(_:)`` for a non-finite Q-value.
    public static func policy(qValues: [Double], stateCount: Int, actionCount: Int, temperature: Double) throws(MeanFieldError) -> Policy {
        guard temperature.isFinite, temperature >= 0 else {
            throw .invalidOption(field: .temperature, message: "\(temperature), expected a finite number >= 0")
        }
        guard stateCount >= 1, actionCount >= 1, qValues.count == stateCount * actionCount else {
            throw .invalidOption(field: .qValues, message: "\(qValues.count) entries, expected \(stateCount) x \(actionCount)")
        }
        for (i, x) in qValues.enumerated() where !x.isFinite {
            throw .numerical("Q(\(i / actionCount), \(i % actionCount)) = \(x), expected a finite number")
        }
        return unchecked(qValues: qValues, stateCount: stateCount, actionCount: actionCount, temperature: temperature)
    }

    /// ``policy(qValues:stateCount:actionCount:temperature:)`` without the checks; states
    /// in parallel blocks when `execution` allows (each state's row is the same either way).
    /// With `helpers` (the LP row engine of the solve), a serial computation is split between
    /// the calling thread and the engine's idle workers (``VectorBlocks/forEachState(count:block:mode:helpers:_:)``):
    /// each state's row is computed alone, so the policy is the same bit for bit.
    static func unchecked(qValues q: [Double], stateCount n: Int, actionCount m: Int, temperature tau: Double,
                          execution: ExecutionMode = .serial, helpers: LPRowEngine? = nil) -> Policy {
        let p: [Double] = makeArray(capacity: n * m) { pb in
            q.withUnsafeBufferPointer { qb in
                let out = UncheckedBox(pb)
                let input = UncheckedBox(qb)
                VectorBlocks.forEachState(count: n, mode: VectorBlocks.mode(count: n * m, execution: execution),
                                          helpers: helpers) { states in
                    for s in states { row(q: input.value, state: s, actionCount: m, temperature: tau, into: out.value) }
                }
            }
            return n * m
        }
        return Policy(unchecked: n, m, p)
    }

    /// State `s`'s row of ``unchecked(qValues:stateCount:actionCount:temperature:execution:)``,
    /// written to `p[s·m ..< s·m + m]` (every entry).
    @inline(__always)
    private static func row(q: UnsafeBufferPointer<Double>, state s: Int, actionCount m: Int, temperature tau: Double,
                            into p: UnsafeMutableBufferPointer<Double>) {
        let base = s * m
        var best = -Double.infinity
        for a in 0..<m where q[base + a] > best { best = q[base + a] }
        if tau == 0 {
            let threshold = best - tieTolerance * (1 + abs(best))
            var chosen = false
            for a in 0..<m {
                let pick = !chosen && q[base + a] >= threshold
                p[base + a] = pick ? 1 : 0
                if pick { chosen = true }
            }
        } else {
            var sum = 0.0
            for a in 0..<m {
                let e = mathExp((q[base + a] - best) / tau)
                p[base + a] = e
                sum += e
            }
            for a in 0..<m { p[base + a] /= sum }
        }
    }
}

extension AmbiguitySet {
    /// ``writeWorstCase(indices:masses:view:radius:outIndices:outMasses:)``, with the rows of one or
    /// two entries taken by `short` (this set's ``shortRows``, read once per loop): the same `σ`,
    /// count and entries bit for bit, without the general entry point's dispatch on the set and
    /// the row (the sweeps' and the frozen chain's row loops; Docs/Performance.md, section 8,
    /// "Twenty-sixth round").
    @inline(__always)
    func writeWorstCase(short: ShortRows?, indices: UnsafeBufferPointer<Int>, masses: UnsafeBufferPointer<Double>,
                        view: RowValues, radius: Double,
                        outIndices: UnsafeMutablePointer<Int>?, outMasses: UnsafeMutablePointer<Double>?) -> (value: Double, count: Int) {
        if let short, indices.count <= 2 {
            return short.worstCase(indices: indices, masses: masses, values: view.values, radius: radius,
                                   outIndices: outIndices, outMasses: outMasses)
        }
        return writeWorstCase(indices: indices, masses: masses, view: view, radius: radius,
                              outIndices: outIndices, outMasses: outMasses)
    }
}
