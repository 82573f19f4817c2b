import Ambiguity

/// A row-stochastic matrix stored by rows (compressed sparse rows): the state chain
/// `P(s, t) = Σ_a π(a|s) K(t|s, a)` that a policy and a kernel induce.
public struct TransitionMatrix: Sendable, Hashable {
    /// `n`.
    public let stateCount: Int
    /// Row `s` occupies `rowStart[s]..<rowStart[s+1]` of ``columns`` and ``probabilities``.
    public let rowStart: [Int]
    /// Column indices, strictly increasing within a row.
    public let columns: [Int]
    /// The entries `P(s, t)`.
    public let probabilities: [Double]

    /// The largest strongly connected component for which ``stationaryDistribution(from:)``
    /// uses a dense direct solve.
    public static let directSolveLimit = 600

    /// Mixes kernels by a policy: `P(s, t) = Σ_a π(a|s) K(t|s, a)`.
    ///
    /// - Parameters:
    ///   - policy: `π(a|s)` at `s·m + a`.
    ///   - kernels: `K(·|s, a)` at `s·m + a`.
    /// - Complexity: `O(n·m·k + nnz log k)` for rows of `k` non-zeros.
    /// - Throws: ``MeanFieldError/invalidPolicy(_:)`` when the shapes disagree.
    public init(policy: Policy, kernels: [SparseDistribution]) throws(MeanFieldError) {
        guard kernels.count == policy.stateCount * policy.actionCount else {
            throw .invalidPolicy("\(kernels.count) kernel rows for a \(policy.stateCount) x \(policy.actionCount) policy")
        }
        for k in kernels {
            for t in k.indices where t < 0 || t >= policy.stateCount {
                throw .invalidPolicy("kernel index \(t) outside 0..<\(policy.stateCount)")
            }
        }
        self.init(unchecked: policy.probabilities, kernels: kernels, stateCount: policy.stateCount, actionCount: policy.actionCount)
    }

    init(unchecked policy: [Double], kernels: [SparseDistribution], stateCount n: Int, actionCount m: Int) {
        self.init(unchecked: policy, kernelRows: KernelRows(rows: kernels), stateCount: n, actionCount: m)
    }

    /// Mixes flat (CSR) kernel rows by a policy; row `s·m + a` is `K(·|s, a)`.
    init(unchecked policy: [Double], kernelRows: KernelRows, stateCount n: Int, actionCount m: Int) {
        // Rows of the mixture have at most the union of their actions' supports.
        let capacity = min(kernelRows.entryCount, n * n)
        let rows = SparseRows.build(rows: n, capacity: capacity) { writer in
        policy.withUnsafeBufferPointer { pol in
        kernelRows.withView { kernels in
        RowMixer.with(stateCount: n) { mixer in
            for s in 0..<n {
                let count = mixer.mix(state: s, actionCount: m, policy: pol, kernels: kernels)
                // Columns in increasing order: scan the states when the row is dense
                // enough, else sort the (short) list of touched states.
                var columns = UnsafeMutableBufferPointer(rebasing: mixer.list[0..<count])
                if count * 8 >= n {
                    var c = 0
                    for t in 0..<n where mixer.touched[t] {
                        columns[c] = t
                        c += 1
                    }
                } else {
                    columns.sort()
                }
                for t in columns {
                    writer.append(column: t, value: mixer.accumulator[t])
                    mixer.clear(t)
                }
                writer.endRow()
            }
        }}}
        }
        stateCount = n
        rowStart = rows.rowStart
        columns = rows.columns
        probabilities = rows.values
    }

    /// `P(s, t)`. `O(log k)`.
    public subscript(s: Int, t: Int) -> Double {
        let lo = rowStart[s], hi = rowStart[s + 1]
        var l = lo, h = hi
        while l < h {
            let mid = (l + h) / 2
            if columns[mid] < t { l = mid + 1 } else { h = mid }
        }
        return l < hi && columns[l] == t ? probabilities[l] : 0
    }

    /// One step of the chain: `(μP)(t) = Σ_s μ(s) P(s, t)`. `O(nnz)`.
    ///
    /// - Precondition: `distribution.count == stateCount`.
    public func step(_ distribution: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: stateCount)
        step(distribution, into: &out)
        return out
    }

    /// ``step(_:)`` written into `out` (`stateCount` entries, overwritten), the same sums in
    /// the same order: the lazy chain's steps reuse one buffer.
    private func step(_ distribution: [Double], into out: inout [Double]) {
        for t in 0..<stateCount { out[t] = 0 }
        for s in 0..<stateCount {
            let w = distribution[s]
            guard w != 0 else { continue }
            for k in rowStart[s]..<rowStart[s + 1] { out[columns[k]] += w * probabilities[k] }
        }
    }

    /// `μP` for the chain that `policy` and `kernelRows` induce, without building it:
    /// each state's row is accumulated in a dense scratch vector exactly as
    /// ``init(unchecked:kernelRows:stateCount:actionCount:)`` merges it, then added
    /// with weight `μ(s)` (no sorting, no storage).
    ///
    /// The states are split into ``populationGroups(stateCount:)`` fixed groups of
    /// consecutive states (one group below 65,536 states); each group adds its states'
    /// rows into its own vector, in parallel when `execution` allows, and the vectors are
    /// added in group order. The groups depend only on `n`, so serial and parallel runs
    /// are bit-identical; with one group the result is bit-identical to
    /// `TransitionMatrix(...).step(μ)`, with more it differs from it by rounding only.
    static func step(_ mu: [Double], policy: [Double], kernelRows: KernelRows, stateCount n: Int, actionCount m: Int,
                     execution: ExecutionMode = .serial, groups: Int? = nil) -> [Double] {
        let groupCount = max(1, min(n, groups ?? populationGroups(stateCount: n)))
        var partial = [[Double]](repeating: [], count: groupCount)
        partial.withUnsafeMutableBufferPointer { pb in
            guard let base = pb.baseAddress else { return }
            let out = DisjointSlices(base: base)
            let mode: ExecutionMode = execution == .serial ? .serial : .parallel
            VectorBlocks.forEach(count: groupCount, block: 1, mode: mode) { group in
                for g in group {
                    out.base[g] = stepGroup(mu, states: (g * n / groupCount)..<((g + 1) * n / groupCount),
                                            policy: policy, kernelRows: kernelRows, stateCount: n, actionCount: m)
                }
            }
        }
        guard groupCount > 1 else { return partial[0] }
        let parts = partial
        var total = parts[0]
        total.withUnsafeMutableBufferPointer { tb in
            let out = UncheckedBox(tb)
            VectorBlocks.forEach(count: n, mode: VectorBlocks.mode(count: n, execution: execution)) { range in
                for g in 1..<groupCount {
                    parts[g].withUnsafeBufferPointer { gb in
                        for t in range { out.value[t] += gb[t] }
                    }
                }
            }
        }
        return total
    }

    /// The number of state groups of the population step for `n` states: 1 below
    /// 4 ``VectorBlocks/block``s (65,536 states), 4 from there on (a fixed number, not
    /// the number of cores).
    static func populationGroups(stateCount n: Int) -> Int { n >= 4 * VectorBlocks.block ? 4 : 1 }

    /// `Σ_{s ∈ states} μ(s) P(s, ·)` as a dense vector (states in order, each row's
    /// entries in first-touch order).
    private static func stepGroup(_ mu: [Double], states: Range<Int>, policy: [Double], kernelRows: KernelRows,
                                  stateCount n: Int, actionCount m: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        mu.withUnsafeBufferPointer { mb in
        policy.withUnsafeBufferPointer { pol in
        kernelRows.withView { kernels in
        out.withUnsafeMutableBufferPointer { ob in
        RowMixer.with(stateCount: n) { mixer in
            for s in states {
                let weight = mb[s]
                guard weight != 0 else { continue }
                let count = mixer.mix(state: s, actionCount: m, policy: pol, kernels: kernels)
                for x in 0..<count {
                    let t = mixer.list[x]
                    ob[t] += weight * mixer.accumulator[t]
                    mixer.clear(t)
                }
            }
        }}}}}
        return out
    }

    /// `P V`: `(PV)(s) = Σ_t P(s, t) V(t)`. `O(nnz)`.
    func apply(_ v: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: stateCount)
        for s in 0..<stateCount {
            var acc = 0.0
            for k in rowStart[s]..<rowStart[s + 1] { acc += probabilities[k] * v[columns[k]] }
            out[s] = acc
        }
        return out
    }

    /// The number of closed communicating classes (recurrent classes) of the chain,
    /// from the strongly connected components of its support graph (Tarjan). `O(n + nnz)`.
    public var closedClassCount: Int {
        let comp = components()
        var leaves = [Bool](repeating: true, count: comp.count)
        for s in 0..<stateCount {
            for k in rowStart[s]..<rowStart[s + 1] where probabilities[k] > 0 && comp.index[columns[k]] != comp.index[s] {
                leaves[comp.index[s]] = false
            }
        }
        return leaves.filter { $0 }.count
    }

    /// Strongly connected components (iterative Tarjan): `index[s]` is the component of `s`.
    func components() -> (index: [Int], count: Int) {
        let n = stateCount
        var index = [Int](repeating: -1, count: n)
        var low = [Int](repeating: 0, count: n)
        var onStack = [Bool](repeating: false, count: n)
        var comp = [Int](repeating: -1, count: n)
        var stack: [Int] = []
        var counter = 0, compCount = 0
        var callStack: [(node: Int, edge: Int)] = []
        for root in 0..<n where index[root] < 0 {
            callStack.append((root, rowStart[root]))
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack[root] = true
            while let top = callStack.last {
                let v = top.node
                var e = top.edge
                var descended = false
                while e < rowStart[v + 1] {
                    let w = columns[e]
                    e += 1
                    guard probabilities[e - 1] > 0 else { continue }
                    if index[w] < 0 {
                        callStack[callStack.count - 1].edge = e
                        index[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        callStack.append((w, rowStart[w]))
                        descended = true
                        break
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                }
                if descended { continue }
                callStack.removeLast()
                if low[v] == index[v] {
                    while let w = stack.popLast() {
                        onStack[w] = false
                        comp[w] = compCount
                        if w == v { break }
                    }
                    compCount += 1
                }
                if let parent = callStack.last { low[parent.node] = min(low[parent.node], low[v]) }
            }
        }
        return (comp, compCount)
    }

    /// A stationary distribution `ν = νP`: the Cesàro limit of `initial·Pᵏ`.
    ///
    /// Exact method (when every strongly connected component has at most
    /// ``directSolveLimit`` states): the components of the support graph (Tarjan) are
    /// visited in topological order. A transient component `C` receives the mass
    /// `b_C` (its share of `initial` plus what earlier components send into it); its expected
    /// visits `x_C` solve `x_C (I − P_CC) = b_C` (`|C|` unknowns) and `x_C P`
    /// is passed on to later components. A closed class keeps all the mass it receives,
    /// spread by its own stationary law (`ν (I − P_CC) = 0`, `Σν = 1`).
    /// So each closed class receives exactly the mass that `initial` eventually sends
    /// into it, with no iteration. Both solves use the subtraction-free state reduction
    /// of Grassmann, Taksar and Heyman (GTH): every entry has a small relative
    /// error, also when a component is itself nearly reducible (two halves joined by
    /// `10⁻¹²`) or leaks with probability `10⁻¹²`, where pivoted Gaussian elimination
    /// meets pivots of that size. A component whose double solve leaves the double range
    /// (subnormal probabilities such as `10⁻³²⁰` from a softmax policy at small `τ`: expected
    /// visits or an unnormalized law beyond `1.8e308`, a censored exit that underflows to 0)
    /// is solved again in wide-exponent arithmetic (`WideNumber`), which neither underflows
    /// nor overflows. The result is checked (`‖νP − ν‖₁ ≤ 1e-10`).
    ///
    /// Fallback (a component larger than ``directSolveLimit``, or a failed check): the limit
    /// from `initial` of the lazy chain `ν ← ½(ν + νP)` (which handles periodic chains),
    /// iterated until `‖νP − ν‖₁ ≤ 1e-14` or ``lazyStepLimit`` steps (then the last iterate,
    /// which is not stationary).
    ///
    /// - Parameter initial: the distribution to start from (the uniform one when its
    ///   length is not ``stateCount``); irrelevant when the chain has one closed class.
    /// - Complexity: `O(n + nnz + Σ_C |C|³/3)` exact, `O(nnz)` per lazy step.
    public func stationaryDistribution(from initial: [Double]) -> [Double] {
        stationaryLaw(from: initial, lazyStepLimit: Self.lazyStepLimit).law
    }

    /// The most steps of the lazy chain in ``stationaryDistribution(from:)``.
    public static let lazyStepLimit = 200_000

    /// ``stationaryDistribution(from:)`` when it is a stationary law: by the exact method, or
    /// by the lazy chain once `‖νP − ν‖₁ ≤ 1e-14` within `max(1, min(limit, Self.lazyStepLimit))`
    /// steps (the same iterates, so the same vector); `nil` when the lazy chain does not get
    /// there (its steps cost `O(nnz)` each).
    package func stationaryDistribution(from initial: [Double], lazyStepLimit limit: Int) -> [Double]? {
        let result = stationaryLaw(from: initial, lazyStepLimit: max(1, min(limit, Self.lazyStepLimit)))
        return result.converged ? result.law : nil
    }

    /// The exact method's law (`converged`), else the lazy chain's after at most `limit` steps.
    private func stationaryLaw(from initial: [Double], lazyStepLimit limit: Int) -> (law: [Double], converged: Bool) {
        let n = stateCount
        let start = initial.count == n ? initial : [Double](repeating: 1 / Double(n), count: n)
        if let nu = componentStationary(from: start) { return (nu, true) }
        return lazyPowerIteration(from: start, limit: limit)
    }

    /// The number of entries `P(s, t)` stored (the cost of one ``step(_:)``).
    package var entryCount: Int { columns.count }

    /// The exact Cesàro limit by components (see ``stationaryDistribution(from:)``), or
    /// `nil` when a component is too large or a solve or the final check fails.
    func componentStationary(from initial: [Double]) -> [Double]? {
        let n = stateCount
        let comp = components()
        var members = [[Int]](repeating: [], count: comp.count)
        for s in 0..<n { members[comp.index[s]].append(s) }
        guard members.allSatisfy({ $0.count <= Self.directSolveLimit }) else { return nil }
        var local = [Int](repeating: 0, count: n)
        for c in members { for (i, s) in c.enumerated() { local[s] = i } }
        var inflow = initial
        for s in 0..<n where !(inflow[s] > 0) { inflow[s] = 0 }
        var nu = [Double](repeating: 0, count: n)
        // Tarjan emits sinks first: an edge s → t between components has index[t] < index[s].
        for c in stride(from: comp.count - 1, through: 0, by: -1) {
            let states = members[c]
            var mass = 0.0
            for s in states { mass += inflow[s] }
            guard mass > 0 else { continue }
            if isClosed(states, comp.index) {
                guard let law = classStationary(states, local, comp.index) else { return nil }
                for (i, s) in states.enumerated() { nu[s] = mass * law[i] }
            } else {
                guard passOn(states, local, comp.index, &inflow) else { return nil }
            }
        }
        return checkedDistribution(nu)
    }

    /// `true` when no positive entry leaves `states`.
    private func isClosed(_ states: [Int], _ index: [Int]) -> Bool {
        let c = index[states[0]]
        for s in states {
            for k in rowStart[s]..<rowStart[s + 1] where probabilities[k] > 0 && index[columns[k]] != c {
                return false
            }
        }
        return true
    }

    /// A transient component passes on what it receives: its expected visits `x` solve
    /// `x (I − P_CC) = b_C` by ``StateReduction`` (subtraction-free, exact to a small relative
    /// error per entry even when the component leaks with probability `10⁻¹²`), and `x P` is
    /// added to the inflow of the states outside it. When the double solve fails (a quantity
    /// beyond the double range: leaks of `10⁻³²⁰`, or products of leaks that underflow), the
    /// same solve in ``WideNumber`` arithmetic (``StateReduction/solveWide(_:exit:_:m:closed:)``)
    /// and `x P` formed in it. `false` when both fail.
    private func passOn(_ states: [Int], _ local: [Int], _ index: [Int], _ inflow: inout [Double]) -> Bool {
        let c = index[states[0]]
        var b = states.map { inflow[$0] }
        if reducedSolve(states, local, index, &b, closed: false) {
            for (i, s) in states.enumerated() {
                for k in rowStart[s]..<rowStart[s + 1] where index[columns[k]] != c { inflow[columns[k]] += b[i] * probabilities[k] }
            }
            return true
        }
        let (q, exit) = reducedMatrix(states, local, index, closed: false)
        guard let visits = StateReduction.solveWide(q, exit: exit, states.map { inflow[$0] }, m: states.count, closed: false) else {
            return false
        }
        var added = [(Int, Double)]()
        for (i, s) in states.enumerated() {
            for k in rowStart[s]..<rowStart[s + 1] where index[columns[k]] != c {
                added.append((columns[k], (visits[i] * WideNumber(probabilities[k])).double))
            }
        }
        guard added.allSatisfy({ $0.1.isFinite }) else { return false }
        for (t, x) in added { inflow[t] += x }
        return true
    }

    /// The stationary law of a closed class, by ``StateReduction`` (in ``WideNumber``
    /// arithmetic when the double solve fails: a state with stationary mass below `10⁻³⁰⁸`
    /// times another's overflows the unnormalized law).
    private func classStationary(_ states: [Int], _ local: [Int], _ index: [Int]) -> [Double]? {
        if states.count == 1 { return [1] }
        var b = [Double](repeating: 0, count: states.count)
        if reducedSolve(states, local, index, &b, closed: true) { return b }
        let (q, exit) = reducedMatrix(states, local, index, closed: true)
        let law = StateReduction.solveWide(q, exit: exit, b, m: states.count, closed: true)?.map(\.double)
        return law.flatMap { $0.allSatisfy { $0.isFinite } ? $0 : nil }
    }

    /// The component's `Q` (dense, diagonal dropped) and exit probabilities, then
    /// ``StateReduction/solve(_:exit:_:m:closed:)``.
    private func reducedSolve(_ states: [Int], _ local: [Int], _ index: [Int], _ b: inout [Double], closed: Bool) -> Bool {
        var (q, exit) = reducedMatrix(states, local, index, closed: closed)
        return StateReduction.solve(&q, exit: &exit, &b, m: states.count, closed: closed)
    }

    /// The component's `Q` (dense, row-major, diagonal dropped) and exit probabilities (0 for
    /// a closed class).
    private func reducedMatrix(_ states: [Int], _ local: [Int], _ index: [Int], closed: Bool) -> (q: [Double], exit: [Double]) {
        let m = states.count, c = index[states[0]]
        var q = [Double](repeating: 0, count: m * m)
        var exit = [Double](repeating: 0, count: m)
        for (i, s) in states.enumerated() {
            for k in rowStart[s]..<rowStart[s + 1] where probabilities[k] > 0 {
                let t = columns[k]
                if index[t] != c {
                    exit[i] += probabilities[k]
                } else if t != s {
                    q[i * m + local[t]] += probabilities[k]
                }
            }
        }
        if closed { for i in 0..<m { exit[i] = 0 } }
        return (q, exit)
    }

    /// `nu` rescaled to sum 1 if it is a distribution with `‖νP − ν‖₁ ≤ 1e-10`, else `nil`.
    private func checkedDistribution(_ nu: [Double]) -> [Double]? {
        var nu = nu
        var sum = 0.0
        for x in nu { sum += x }
        guard sum > 0, sum.isFinite else { return nil }
        for s in nu.indices { nu[s] /= sum }
        let next = step(nu)
        var res = 0.0
        for s in nu.indices { res += abs(next[s] - nu[s]) }
        return res <= 1e-10 ? nu : nil
    }

    /// The lazy chain `ν ← ½(ν + νP)` from `initial` for at most `limit` steps, until
    /// `‖νP − ν‖₁ ≤ 1e-14` (`converged`), then normalized.
    private func lazyPowerIteration(from initial: [Double], limit: Int) -> (law: [Double], converged: Bool) {
        var nu = initial
        var next = [Double](repeating: 0, count: stateCount)
        var converged = false
        for _ in 0..<limit {
            step(nu, into: &next)
            var res = 0.0
            for s in 0..<stateCount {
                res += abs(next[s] - nu[s])
                nu[s] = 0.5 * (nu[s] + next[s])
            }
            if res <= 1e-14 {
                converged = true
                break
            }
        }
        var sum = 0.0
        for x in nu { sum += x }
        if sum > 0 { for s in 0..<stateCount { nu[s] /= sum } }
        return (nu, converged)
    }
}
