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
    /// The largest `|s − t|` over the entries, where known (``FrozenChain`` computes it once for
    /// its columns): the steps may then run by tiles (``applyByTiles(_:steps:stopChange:relativeStop:execution:scratch:)``).
    var reach: Int? = nil

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
    /// policy and the kernel rows, without the row-sorted ``TransitionMatrix``: each entry
    /// `P(s, t)` is summed over the actions in order as ``RowMixer`` sums it, so the entries
    /// equal those of `LazyPopulationSteps(TransitionMatrix(…))` bit for bit, whatever
    /// `groups` and `execution` are (tested).
    ///
    /// The states are split into `groups` ranges (default: 1 when serial or on one thread by
    /// ``VectorBlocks/mode(count:entries:execution:)`` for `n` states and the rows' entries, else 4). Each group counts its distinct columns
    /// per state; a prefix sum places every column and, within it, each group after the
    /// groups of lower states; then each group writes its entries straight into their
    /// columns, adding an action's weight to the entry its state already has in that column
    /// (the last one written there). Groups run in parallel unless `execution` is serial.
    /// No mixed copy of the rows is made (it was 12 bytes per entry, 660 MB at 10⁶ states).
    ///
    /// `spare` lends the buffers of an earlier chain (``recycle(into:)``) of the same game:
    /// they are overwritten instead of faulting in fresh pages; the results do not depend on
    /// it (tested). ``sources`` and ``weights`` may then be longer than ``columnStart``'s last
    /// entry; the entries past it are never read.
    ///
    /// - Precondition: `n ≤ Int32.max`; `policy` has `n·m` entries and `kernelRows` `n·m` rows.
    init(policy: [Double], kernelRows: KernelRows, stateCount n: Int, actionCount m: Int,
         execution: ExecutionMode, groups: Int? = nil, recycling spare: inout ChainBuffers) {
        precondition(n <= Int(Int32.max), "more than 2^31 - 1 states")
        let mode = VectorBlocks.mode(count: n, entries: kernelRows.indices.count, execution: execution)
        let groupCount = max(1, min(n, groups ?? (mode == .serial ? 1 : 4)))
        var parts = Self.countGroups(policy: policy, kernelRows: kernelRows, stateCount: n, actionCount: m,
                                     groups: groupCount, mode: mode, spare: &spare)
        var start = spare.columnStart.count == n + 1 ? spare.take(\.columnStart) : [Int](repeating: 0, count: n + 1)
        Self.placeColumns(&parts, start: &start, stateCount: n, mode: mode)
        let total = start[n]
        var src = spare.sources.count >= total ? spare.take(\.sources) : []
        var w = spare.weights.count >= total ? spare.take(\.weights) : []
        if src.isEmpty || w.isEmpty {
            // Room for every kernel entry of the actions the policy uses, so that later chains
            // of the same game fit (the tail past `total` is zero and never read).
            let room = max(total, kernelRows.entryCount)
            src = [Int32](repeating: 0, count: room)
            w = [Double](repeating: 0, count: room)
        }
        src.withUnsafeMutableBufferPointer { sb in
            w.withUnsafeMutableBufferPointer { wb in
                Self.scatter(&parts, policy: policy, kernelRows: kernelRows, actionCount: m, sources: sb, weights: wb, mode: mode)
            }
        }
        spare.groups = parts
        stateCount = n
        columnStart = start
        sources = src
        weights = w
    }

    /// A chain from its column form as it is (``FrozenChain``, which keeps its columns and
    /// rewrites its entries in place).
    ///
    /// - Precondition: `columnStart` has `n + 1` non-decreasing entries from 0, `sources` and
    ///   `weights` at least `columnStart[n]`, sources in `0..<n` and increasing within a column.
    init(stateCount n: Int, columnStart: [Int], sources: [Int32], weights: [Double], reach: Int? = nil) {
        stateCount = n
        self.columnStart = columnStart
        self.sources = sources
        self.weights = weights
        self.reach = reach
    }

    /// ``init(policy:kernelRows:stateCount:actionCount:execution:groups:recycling:)`` in fresh memory.
    init(policy: [Double], kernelRows: KernelRows, stateCount n: Int, actionCount m: Int,
         execution: ExecutionMode, groups: Int? = nil) {
        var spare = ChainBuffers()
        self.init(policy: policy, kernelRows: kernelRows, stateCount: n, actionCount: m, execution: execution, groups: groups,
                  recycling: &spare)
    }

    /// Hands this chain's buffers to `spare`, for the next chain's build.
    consuming func recycle(into spare: inout ChainBuffers) {
        spare.columnStart = columnStart
        spare.sources = sources
        spare.weights = weights
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
    ///
    /// With `scratch`, a chain of known ``reach`` that is large enough takes its steps by tiles
    /// (``applyByTiles(_:steps:stopChange:relativeStop:execution:scratch:)``): the same image and
    /// count bit for bit, several steps per pass over the chain.
    func apply(_ mu: [Double], steps: Int, stopChange: Double, relativeStop: Double = 0,
               execution: ExecutionMode, scratch: StepScratch? = nil) -> (image: [Double], steps: Int) {
        if let scratch, let tiled = applyByTiles(mu, steps: steps, stopChange: stopChange, relativeStop: relativeStop,
                                                 execution: execution, scratch: scratch) {
            return tiled
        }
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

/// One group of consecutive states of ``LazyPopulationSteps``' parallel build: per column,
/// first the group's entry count, then (after ``LazyPopulationSteps/placeColumns(_:start:stateCount:)``)
/// where the group's next entry of that column goes; and per column the last state that
/// wrote to it (the merge of a state's actions).
struct ChainGroup {
    var states: Range<Int> = 0..<0
    /// Per column `t`: the group's entries in it, then its next write position.
    var columnSlot: [Int] = []
    /// Per column `t`: the last state of the group with an entry in it (−1: none yet).
    var lastSource: [Int32] = []
}

/// The buffers of a dropped ``LazyPopulationSteps`` and of its build's groups, lent to the
/// next build (``LazyPopulationSteps/init(policy:kernelRows:stateCount:actionCount:execution:groups:recycling:)``)
/// so that it overwrites memory already mapped (at 10⁶ states about 0.7 GB, page faults and
/// zeroing that took 5 s of CPU per solve; Docs/Performance.md, section 10).
struct ChainBuffers {
    var groups: [ChainGroup] = []
    var columnStart: [Int] = []
    var sources: [Int32] = []
    var weights: [Double] = []

    /// Moves one buffer out (leaving it empty), so the caller holds its only reference.
    mutating func take<T>(_ path: WritableKeyPath<ChainBuffers, [T]>) -> [T] {
        let out = self[keyPath: path]
        self[keyPath: path] = []
        return out
    }
}

extension LazyPopulationSteps {
    /// Counts each group's entries per column (groups in parallel when `mode` allows),
    /// reusing `spare`'s group buffers when they have the right size.
    fileprivate static func countGroups(policy: [Double], kernelRows: KernelRows, stateCount n: Int, actionCount m: Int,
                                        groups: Int, mode: ExecutionMode, spare: inout ChainBuffers) -> [ChainGroup] {
        var parts = spare.groups.count == groups ? spare.groups : [ChainGroup](repeating: ChainGroup(), count: groups)
        spare.groups = []
        for g in 0..<groups {
            parts[g].states = (g * n / groups)..<((g + 1) * n / groups)
        }
        parts.withUnsafeMutableBufferPointer { pb in
            guard let base = pb.baseAddress else { return }
            let out = DisjointSlices(base: base)
            VectorBlocks.forEach(count: groups, block: 1, mode: mode) { range in
                for g in range {
                    countGroup(&out.base[g], policy: policy, kernelRows: kernelRows, stateCount: n, actionCount: m)
                }
            }
        }
        return parts
    }

    /// The group's distinct `(s, t)` entries counted per column `t` (a documented hot kernel:
    /// the row loop over unsafe buffers). `lastSource` ends holding, per column, the group's
    /// last state in it.
    private static func countGroup(_ group: inout ChainGroup, policy: [Double], kernelRows: KernelRows,
                                   stateCount n: Int, actionCount m: Int) {
        Self.reset(&group.columnSlot, count: n, to: 0)
        Self.reset(&group.lastSource, count: n, to: -1)
        let states = group.states
        policy.withUnsafeBufferPointer { pol in
        kernelRows.withView { k in
        group.columnSlot.withUnsafeMutableBufferPointer { counts in
        group.lastSource.withUnsafeMutableBufferPointer { last in
            for s in states {
                let source = Int32(truncatingIfNeeded: s)
                for a in 0..<m where pol[s &* m &+ a] > 0 {
                    let row = s &* m &+ a
                    for j in k.rowStart[row]..<k.rowEnd[row] {
                        let t = k.indices[j]
                        if last[t] != source {
                            last[t] = source
                            counts[t] &+= 1
                        }
                    }
                }
            }
        }}}}
    }

    /// `array` as `count` copies of `value`, overwriting it in place when it has that length.
    private static func reset<T>(_ array: inout [T], count: Int, to value: T) {
        guard array.count == count else {
            array = [T](repeating: value, count: count)
            return
        }
        array.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
    }

    /// Fills the column starts (`n + 1` entries) and turns each group's
    /// ``ChainGroup/columnSlot`` from counts into its first write position in every column
    /// (after the entries of the groups of lower states): a prefix sum over the columns, by blocks
    /// of columns on threads when `mode` allows (``VectorBlocks/prefixSum(count:block:mode:total:fill:)``;
    /// integer counts, so the same positions whatever the blocks).
    fileprivate static func placeColumns(_ parts: inout [ChainGroup], start: inout [Int], stateCount n: Int,
                                         mode: ExecutionMode) {
        guard n > 0 else {
            start[0] = 0
            return
        }
        start.withUnsafeMutableBufferPointer { sb in
            guard let startBase = sb.baseAddress else { return }
            let starts = DisjointSlices(base: startBase)
            parts.withUnsafeMutableBufferPointer { pb in
                withColumnSlots(pb, from: 0, []) { slots in
                    starts.base[n] = VectorBlocks.prefixSum(
                        count: n, mode: mode,
                        total: { range in
                            var sum = 0
                            for t in range { for g in slots { sum &+= g[t] } }
                            return sum
                        },
                        fill: { range, offset in
                            var position = offset
                            for t in range {
                                starts.base[t] = position
                                for g in slots {
                                    let count = g[t]
                                    g[t] = position
                                    position &+= count
                                }
                            }
                            return position
                        })
                }
            }
        }
    }

    /// `body` with the base addresses of the groups' ``ChainGroup/columnSlot`` arrays from group
    /// `g` on appended to `held` (each array held through its own buffer access).
    private static func withColumnSlots(_ pb: UnsafeMutableBufferPointer<ChainGroup>, from g: Int,
                                        _ held: [UnsafeMutablePointer<Int>], _ body: ([UnsafeMutablePointer<Int>]) -> Void) {
        guard g < pb.count else { return body(held) }
        pb[g].columnSlot.withUnsafeMutableBufferPointer { sb in
            guard let base = sb.baseAddress else { preconditionFailure("a chain group without its column counts") }
            withColumnSlots(pb, from: g + 1, held + [base], body)
        }
    }

    /// Writes every group's entries at its column positions (groups in parallel when
    /// `mode` allows; they write disjoint positions). Every position `0..<start[n]` is
    /// written once, and a state's later actions add their weight to the entry it already
    /// has in a column, in action order, as ``RowMixer`` adds them.
    fileprivate static func scatter(_ parts: inout [ChainGroup], policy: [Double], kernelRows: KernelRows, actionCount m: Int,
                                    sources sb: UnsafeMutableBufferPointer<Int32>,
                                    weights wb: UnsafeMutableBufferPointer<Double>, mode: ExecutionMode) {
        let out = UncheckedBox((sb, wb))
        parts.withUnsafeMutableBufferPointer { pb in
            guard let base = pb.baseAddress else { return }
            let groups = DisjointSlices(base: base)
            VectorBlocks.forEach(count: pb.count, block: 1, mode: mode) { range in
                for g in range {
                    scatterGroup(&groups.base[g], policy: policy, kernelRows: kernelRows, actionCount: m,
                                 sources: out.value.0, weights: out.value.1)
                }
            }
        }
    }

    /// One group's part of ``scatter(_:policy:kernelRows:actionCount:sources:weights:mode:)``
    /// (a documented hot kernel: the row loop over unsafe buffers).
    private static func scatterGroup(_ group: inout ChainGroup, policy: [Double], kernelRows: KernelRows, actionCount m: Int,
                                     sources src: UnsafeMutableBufferPointer<Int32>, weights w: UnsafeMutableBufferPointer<Double>) {
        let states = group.states
        group.lastSource.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        policy.withUnsafeBufferPointer { pol in
        kernelRows.withView { k in
        group.columnSlot.withUnsafeMutableBufferPointer { slots in
        group.lastSource.withUnsafeMutableBufferPointer { last in
            for s in states {
                let source = Int32(truncatingIfNeeded: s)
                for a in 0..<m {
                    let pi = pol[s &* m &+ a]
                    guard pi > 0 else { continue }
                    let row = s &* m &+ a
                    for j in k.rowStart[row]..<k.rowEnd[row] {
                        let t = k.indices[j]
                        let x = pi * k.probabilities[j]
                        if last[t] != source {
                            // The state's first entry in column t: `0 + x` as the mixer's sum starts.
                            last[t] = source
                            let e = slots[t]
                            src[e] = source
                            w[e] = 0 + x
                            slots[t] = e &+ 1
                        } else {
                            w[slots[t] &- 1] += x
                        }
                    }
                }
            }
        }}}}
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
    /// section 8. On the frozen-policy crowd steps (`frozenSteps`) at least
    /// ``frozenPolicyMemory``.
    func andersonMemory(populationSteps steps: Int, frozenSteps: Bool = false) -> Int {
        let memory = steps > 1 ? max(andersonMemory, Self.lazyStepsMemory) : andersonMemory
        return frozenSteps ? max(memory, Self.frozenPolicyMemory) : memory
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
