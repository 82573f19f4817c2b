/// `k` lazy population steps of one state chain: `μ ↦ μ L^k` with `L = (I + P)/2`,
/// the map Anderson iterates on large games (Docs/Solvers.md, "Population steps").
///
/// `μ L^k = μ` exactly when `μ P = μ`: the eigenvalues of `L` are `(1 + λ)/2` for the
/// eigenvalues `λ` of `P`, which lie on the unit circle only for `λ = 1`, and the
/// eigenvalue 1 of a stochastic matrix is semisimple. So the map has the fixed points of
/// the one-step map `Φ`, while its slow modes (eigenvalues near 1) move `k/2` times
/// further per evaluation and its oscillating ones (`λ` near `−1`, a grid's bipartite
/// walk) are damped instead of flipped.
///
/// The chain is stored by columns (`P(·, t)` for each `t`), so a step is a gather: each
/// `(μP)(t)` sums its sources `s` in increasing order, blocks of `t` run in parallel
/// (``VectorBlocks``), and serial and parallel runs are bit-identical. Sources are
/// 32-bit (12 bytes per entry instead of 16: a step streams every entry, so at 10⁶
/// states it is bound by memory traffic, Docs/Performance.md, section 10).
struct LazyPopulationSteps {
    let stateCount: Int
    /// Column `t` occupies `columnStart[t]..<columnStart[t+1]` of ``sources`` and ``weights``.
    let columnStart: [Int]
    /// The source states `s` of each column, increasing within a column.
    let sources: [Int32]
    /// `P(s, t)`.
    let weights: [Double]

    /// The column form of `chain` (a serial counting sort of its entries by column:
    /// `O(n + nnz)`); the plain reference for
    /// ``init(policy:kernelRows:stateCount:actionCount:execution:groups:)``.
    ///
    /// - Precondition: `chain.stateCount ≤ Int32.max`.
    init(_ chain: TransitionMatrix) {
        let n = chain.stateCount
        precondition(n <= Int(Int32.max), "more than 2^31 - 1 states")
        var start = [Int](repeating: 0, count: n + 1)
        for t in chain.columns { start[t + 1] += 1 }
        for t in 0..<n { start[t + 1] += start[t] }
        var fill = start
        var src = [Int32](repeating: 0, count: chain.columns.count)
        var w = [Double](repeating: 0, count: chain.columns.count)
        for s in 0..<n {
            for k in chain.rowStart[s]..<chain.rowStart[s + 1] {
                let t = chain.columns[k]
                src[fill[t]] = Int32(truncatingIfNeeded: s)
                w[fill[t]] = chain.probabilities[k]
                fill[t] += 1
            }
        }
        stateCount = n
        columnStart = start
        sources = src
        weights = w
    }

    /// The column form of the chain `P(s, t) = Σ_a π(a|s) K(t|s, a)` straight from the
    /// policy and the kernel rows, without the row-sorted ``TransitionMatrix``: each row
    /// is mixed exactly as ``TransitionMatrix`` mixes it (``RowMixer``), so the entries
    /// equal those of `LazyPopulationSteps(TransitionMatrix(…))` bit for bit, whatever
    /// `groups` and `execution` are (tested).
    ///
    /// The states are split into `groups` ranges (default: 1 when serial or below
    /// 2 ``VectorBlocks/block``s of states, else 4). Each group mixes its rows into its own
    /// scratch and counts its entries per column; a prefix sum places every column and,
    /// within it, each group after the groups of lower states; then each group writes
    /// its entries. Groups run in parallel unless `execution` is serial.
    ///
    /// - Precondition: `n ≤ Int32.max`; `policy` has `n·m` entries and `kernelRows` `n·m` rows.
    init(policy: [Double], kernelRows: KernelRows, stateCount n: Int, actionCount m: Int,
         execution: ExecutionMode, groups: Int? = nil) {
        precondition(n <= Int(Int32.max), "more than 2^31 - 1 states")
        let mode = VectorBlocks.mode(count: n, execution: execution)
        let groupCount = max(1, min(n, groups ?? (mode == .serial ? 1 : 4)))
        var parts = Self.mixGroups(policy: policy, kernelRows: kernelRows, stateCount: n, actionCount: m,
                                   groups: groupCount, mode: mode)
        let start = Self.placeColumns(&parts, stateCount: n)
        let total = start[n]
        var src: [Int32] = []
        let w: [Double] = makeArray(capacity: total) { wb in
            src = makeArray(capacity: total) { sb in
                Self.scatter(parts, sources: sb, weights: wb, mode: mode)
                return total
            }
            return total
        }
        stateCount = n
        columnStart = start
        sources = src
        weights = w
    }

    /// `μ L^k` (`k = steps ≥ 0`): `ν ← ½ν + ½νP`, `k` times.
    ///
    /// Each step computes every `(νL)(t)` by itself (its sources in increasing order), so
    /// the states are cut into small blocks (``VectorBlocks/stateBlock``, 1,024 states) that
    /// the threads share dynamically when `execution` allows: on two cores, 98 blocks at
    /// 10⁵ states balance to within a block, where the 7 blocks of the vector sums
    /// (16,384 indices) left one core a whole block more. Serial and parallel runs are
    /// bit-identical whatever the blocks.
    func apply(_ mu: [Double], steps: Int, execution: ExecutionMode) -> [Double] {
        apply(mu, steps: steps, stopChange: -1, execution: execution).image
    }

    /// `μ L^j` for the first `j ≤ steps` whose step changed the vector by at most
    /// `stopChange` in the L1 norm (`‖ν L − ν‖₁ ≤ stopChange`), or `j = steps`; also returns `j`.
    /// With `stopChange < 0` this is ``apply(_:steps:execution:)`` (same numbers).
    ///
    /// The change of each step is summed by blocks of ``VectorBlocks/stateBlock`` states
    /// added in block order, so the stop, like every entry, is the same in serial and
    /// parallel runs. `μ L^j = μ` only when `μ P = μ`, so a map that stops early still has
    /// exactly the stationary laws of `P` as its fixed points.
    func apply(_ mu: [Double], steps: Int, stopChange: Double, relativeStop: Double = 0,
               execution: ExecutionMode) -> (image: [Double], steps: Int) {
        let n = stateCount
        var current = mu
        var next = [Double](repeating: 0, count: n)
        let mode = VectorBlocks.mode(count: n, execution: execution)
        let block = VectorBlocks.stateBlock
        var changes = [Double](repeating: 0, count: max(1, (n + block - 1) / block))
        var taken = 0
        var threshold = stopChange
        while taken < steps {
            current.withUnsafeBufferPointer { cur in
                next.withUnsafeMutableBufferPointer { nb in
                    changes.withUnsafeMutableBufferPointer { cb in
                        step(from: cur, into: UncheckedBox(nb), mode: mode, changes: stopChange < 0 ? nil : UncheckedBox(cb))
                    }
                }
            }
            swap(&current, &next)
            taken += 1
            guard stopChange >= 0 else { continue }
            var change = 0.0
            for c in changes { change += c }
            if taken == 1 { threshold = max(threshold, relativeStop * change) }
            if change <= threshold { break }
        }
        return (current, taken)
    }

    /// One lazy step `out = ½ cur + ½ cur·P` by blocks of `t` (a documented hot kernel:
    /// the gather over unsafe buffers); with `changes`, block `b` also writes
    /// `Σ_{t ∈ block b} |out_t − cur_t|` at `b`.
    private func step(from cur: UnsafeBufferPointer<Double>, into out: UncheckedBox<UnsafeMutableBufferPointer<Double>>,
                      mode: ExecutionMode, changes: UncheckedBox<UnsafeMutableBufferPointer<Double>>? = nil) {
        let block = VectorBlocks.stateBlock
        columnStart.withUnsafeBufferPointer { cs in
        sources.withUnsafeBufferPointer { src in
        weights.withUnsafeBufferPointer { w in
            VectorBlocks.forEach(count: stateCount, block: block, mode: mode) { range in
                var change = 0.0
                for t in range {
                    var acc = 0.0
                    for e in cs[t]..<cs[t + 1] { acc += cur[Int(src[e])] * w[e] }
                    let x = 0.5 * cur[t] + 0.5 * acc
                    out.value[t] = x
                    change += abs(x - cur[t])
                }
                if let changes { changes.value[range.lowerBound / block] = change }
            }
        }}}
    }
}

/// One group of consecutive states of ``LazyPopulationSteps``' parallel build: the
/// group's mixed rows (each in the mixer's first-touch order; the order within a row
/// does not matter, a column is filled by increasing source) and, per column, first the
/// group's entry count, then (after ``LazyPopulationSteps/placeColumns(_:stateCount:)``)
/// where the group's next entry of that column goes.
private struct ChainGroup {
    var states: Range<Int> = 0..<0
    /// Row `states.lowerBound + i` ends at `rowEnd[i]` of ``targets`` and ``weights``.
    var rowEnd: [Int] = []
    var targets: [Int32] = []
    var weights: [Double] = []
    /// Per column `t`: the group's entries in it, then its next write position.
    var columnSlot: [Int] = []
}

extension LazyPopulationSteps {
    /// Mixes each group's rows into its own ``ChainGroup`` (groups in parallel when
    /// `mode` allows).
    fileprivate static func mixGroups(policy: [Double], kernelRows: KernelRows, stateCount n: Int, actionCount m: Int,
                                      groups: Int, mode: ExecutionMode) -> [ChainGroup] {
        var parts = [ChainGroup](repeating: ChainGroup(), count: groups)
        parts.withUnsafeMutableBufferPointer { pb in
            guard let base = pb.baseAddress else { return }
            let out = DisjointSlices(base: base)
            VectorBlocks.forEach(count: groups, block: 1, mode: mode) { range in
                for g in range {
                    out.base[g] = mixGroup(states: (g * n / groups)..<((g + 1) * n / groups), policy: policy,
                                           kernelRows: kernelRows, stateCount: n, actionCount: m)
                }
            }
        }
        return parts
    }

    /// The mixed rows of `states` and their counts per column (a documented hot kernel:
    /// the row loop over unsafe buffers).
    private static func mixGroup(states: Range<Int>, policy: [Double], kernelRows: KernelRows,
                                 stateCount n: Int, actionCount m: Int) -> ChainGroup {
        var capacity = 0
        for row in (states.lowerBound * m)..<(states.upperBound * m) {
            capacity += kernelRows.rowEnd[row] - kernelRows.rowStart[row]
        }
        var group = ChainGroup(states: states)
        var counts = [Int](repeating: 0, count: n)
        var ends = [Int](repeating: 0, count: states.count)
        var weights: [Double] = []
        group.targets = makeArray(capacity: capacity) { tb in
            weights = makeArray(capacity: capacity) { wb in
                var used = 0
                policy.withUnsafeBufferPointer { pol in
                kernelRows.withView { kernels in
                counts.withUnsafeMutableBufferPointer { cb in
                ends.withUnsafeMutableBufferPointer { eb in
                RowMixer.with(stateCount: n) { mixer in
                    for s in states {
                        let count = mixer.mix(state: s, actionCount: m, policy: pol, kernels: kernels)
                        for x in 0..<count {
                            let t = mixer.list[x]
                            tb[used] = Int32(truncatingIfNeeded: t)
                            wb[used] = mixer.accumulator[t]
                            cb[t] &+= 1
                            used &+= 1
                            mixer.clear(t)
                        }
                        eb[s - states.lowerBound] = used
                    }
                }}}}}
                return used
            }
            return weights.count
        }
        group.weights = weights
        group.rowEnd = ends
        group.columnSlot = counts
        return group
    }

    /// The column starts (`n + 1` entries), and each group's ``ChainGroup/columnSlot``
    /// turned from counts into its first write position in every column (after the
    /// entries of the groups of lower states).
    fileprivate static func placeColumns(_ parts: inout [ChainGroup], stateCount n: Int) -> [Int] {
        var start = [Int](repeating: 0, count: n + 1)
        var position = 0
        for t in 0..<n {
            start[t] = position
            for g in parts.indices {
                let count = parts[g].columnSlot[t]
                parts[g].columnSlot[t] = position
                position += count
            }
        }
        start[n] = position
        return start
    }

    /// Writes every group's entries at its column positions (groups in parallel when
    /// `mode` allows; they write disjoint positions). Every position `0..<start[n]` is
    /// written once.
    fileprivate static func scatter(_ parts: [ChainGroup], sources sb: UnsafeMutableBufferPointer<Int32>,
                                    weights wb: UnsafeMutableBufferPointer<Double>, mode: ExecutionMode) {
        let out = UncheckedBox((sb, wb))
        VectorBlocks.forEach(count: parts.count, block: 1, mode: mode) { range in
            for g in range {
                var slot = parts[g].columnSlot
                let part = parts[g]
                part.targets.withUnsafeBufferPointer { tb in
                part.weights.withUnsafeBufferPointer { pw in
                slot.withUnsafeMutableBufferPointer { slots in
                    var e = 0
                    for (i, s) in part.states.enumerated() {
                        let source = Int32(truncatingIfNeeded: s)
                        while e < part.rowEnd[i] {
                            let t = Int(tb[e])
                            out.value.0[slots[t]] = source
                            out.value.1[slots[t]] = pw[e]
                            slots[t] &+= 1
                            e &+= 1
                        }
                    }
                }}}
            }
        }
    }
}

extension EquilibriumOptions {
    /// The smallest game on which Anderson iterates lazy population steps automatically.
    /// 1024 before 3 December 2026; lowered for the 384-state crowd grid, whose one-step
    /// Anderson stalled at `τ ≤ 0.01` (residual `2.6e-4` after 3000 iterations at `τ = 0.01`,
    /// nominal) and which converges with `k = 20` lazy steps (`τ = 0.001`: 55 iterations; tv
    /// 0.05: 38). Not lower: on the 280-state crowd-grid-small (a crowd cost `0.3 log μ`, moves
    /// not slowed by congestion) lazy steps made the cells at `τ ≤ 0.01` up to twice as slow and
    /// nominal `τ = 0.001` red (Docs/Solvers.md, "Population steps").
    static let lazyStepsThreshold = 300
    /// The most lazy steps chosen automatically.
    static let lazyStepsCap = 64

    /// The lazy steps of one image stop after a step that moves `ν` by at most this
    /// fraction of the first step's movement (Docs/Solvers.md, "Population steps").
    static let lazyStepsRelativeStop = 1e-3

    /// The least Anderson memory used with lazy population steps.
    static let lazyStepsMemory = 30

    /// Anderson's memory: ``andersonMemory``, raised to at least ``lazyStepsMemory`` when
    /// Anderson iterates lazy population steps (`steps > 1`): on a 50×50 crowd grid 30
    /// columns took 63 iterations where 10 took 82 (60 columns: 62), Docs/Performance.md,
    /// section 8.
    func andersonMemory(populationSteps steps: Int) -> Int {
        steps > 1 ? max(andersonMemory, Self.lazyStepsMemory) : andersonMemory
    }

    /// The number of population steps `k` in Anderson's map for `n` states:
    /// ``andersonSteps`` when set; automatically 1 (the one-step map `Φ`) below
    /// ``lazyStepsThreshold`` states and `min(64, ⌈√n⌉)` lazy steps from there on (the
    /// side of a square grid of `n` cells: a walk needs of the order of its square to
    /// cross it, so more steps help, but each costs a sparse product and the map
    /// approaches the stationary law, which jumps where the chain is nearly reducible).
    func populationSteps(stateCount n: Int) -> Int {
        if andersonSteps > 0 { return andersonSteps }
        guard n >= Self.lazyStepsThreshold else { return 1 }
        var root = Int(Double(n).squareRoot())
        while root * root < n { root += 1 }
        return min(Self.lazyStepsCap, root)
    }
}
