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
/// (``VectorBlocks``), and serial and parallel runs are bit-identical.
struct LazyPopulationSteps {
    let stateCount: Int
    /// Column `t` occupies `columnStart[t]..<columnStart[t+1]` of ``sources`` and ``weights``.
    let columnStart: [Int]
    /// The source states `s` of each column, increasing within a column.
    let sources: [Int]
    /// `P(s, t)`.
    let weights: [Double]

    /// The column form of `chain` (a counting sort of its entries by column: `O(n + nnz)`).
    init(_ chain: TransitionMatrix) {
        let n = chain.stateCount
        var start = [Int](repeating: 0, count: n + 1)
        for t in chain.columns { start[t + 1] += 1 }
        for t in 0..<n { start[t + 1] += start[t] }
        var fill = start
        var src = [Int](repeating: 0, count: chain.columns.count)
        var w = [Double](repeating: 0, count: chain.columns.count)
        for s in 0..<n {
            for k in chain.rowStart[s]..<chain.rowStart[s + 1] {
                let t = chain.columns[k]
                src[fill[t]] = s
                w[fill[t]] = chain.probabilities[k]
                fill[t] += 1
            }
        }
        stateCount = n
        columnStart = start
        sources = src
        weights = w
    }

    /// `μ L^k` (`k = steps ≥ 0`): `ν ← ½ν + ½νP`, `k` times.
    func apply(_ mu: [Double], steps: Int, execution: ExecutionMode) -> [Double] {
        let n = stateCount
        var current = mu
        var next = [Double](repeating: 0, count: n)
        let mode = VectorBlocks.mode(count: n, execution: execution)
        for _ in 0..<steps {
            current.withUnsafeBufferPointer { cur in
            next.withUnsafeMutableBufferPointer { nb in
            columnStart.withUnsafeBufferPointer { cs in
            sources.withUnsafeBufferPointer { src in
            weights.withUnsafeBufferPointer { w in
                let out = UncheckedBox(nb)
                VectorBlocks.forEach(count: n, mode: mode) { range in
                    for t in range {
                        var acc = 0.0
                        for e in cs[t]..<cs[t + 1] { acc += cur[src[e]] * w[e] }
                        out.value[t] = 0.5 * cur[t] + 0.5 * acc
                    }
                }
            }}}}}
            swap(&current, &next)
        }
        return current
    }
}

extension EquilibriumOptions {
    /// The smallest game on which Anderson iterates lazy population steps automatically.
    static let lazyStepsThreshold = 1024
    /// The most lazy steps chosen automatically.
    static let lazyStepsCap = 64

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
