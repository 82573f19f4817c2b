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

    /// The largest number of states for which ``stationaryDistribution(from:)`` uses a dense direct solve.
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
        for s in 0..<stateCount {
            let w = distribution[s]
            guard w != 0 else { continue }
            for k in rowStart[s]..<rowStart[s + 1] { out[columns[k]] += w * probabilities[k] }
        }
        return out
    }

    /// `μP` for the chain that `policy` and `kernelRows` induce, without building it:
    /// each state's row is accumulated in a dense scratch vector exactly as
    /// ``init(unchecked:kernelRows:stateCount:actionCount:)`` merges it, then added
    /// with weight `μ(s)`, so the result is bit-identical to
    /// `TransitionMatrix(...).step(μ)` at a fraction of the cost (no sorting, no storage).
    static func step(_ mu: [Double], policy: [Double], kernelRows: KernelRows, stateCount n: Int, actionCount m: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        mu.withUnsafeBufferPointer { mb in
        policy.withUnsafeBufferPointer { pol in
        kernelRows.withView { kernels in
        out.withUnsafeMutableBufferPointer { ob in
        RowMixer.with(stateCount: n) { mixer in
            for s in 0..<n {
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
    private func components() -> (index: [Int], count: Int) {
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

    /// A stationary distribution `ν = νP`.
    ///
    /// - With a single closed class and `n ≤` ``directSolveLimit``: the unique stationary
    ///   distribution, by Gaussian elimination on `(I − P)ᵀν = 0` with the last equation
    ///   replaced by `Σν = 1` (verified; negative round-off clipped and renormalized).
    /// - Otherwise (several closed classes, a large chain, or a failed direct solve): the
    ///   limit from `initial` of the lazy chain `ν ← ½(ν + νP)`, which handles periodic
    ///   chains. For a reducible chain this is the Cesàro limit of `initial·Pᵏ`: each
    ///   closed class receives the mass that `initial` eventually sends into it,
    ///   distributed by that class's stationary law. Iterates until `‖νP − ν‖₁ ≤ 1e-14`
    ///   or 200 000 steps.
    ///
    /// - Parameter initial: the distribution to start from (only used by the iterative branch).
    /// - Complexity: `O(n³)` direct, `O(nnz)` per lazy step.
    public func stationaryDistribution(from initial: [Double]) -> [Double] {
        let n = stateCount
        if n <= Self.directSolveLimit, closedClassCount == 1, let nu = directStationary() {
            return nu
        }
        return lazyPowerIteration(from: initial.count == n ? initial : [Double](repeating: 1 / Double(n), count: n))
    }

    private func directStationary() -> [Double]? {
        let n = stateCount
        if n == 1 { return [1] }
        // A = (I − P)ᵀ with the last row replaced by ones.
        var a = [Double](repeating: 0, count: n * n)
        for s in 0..<n { a[s * n + s] = 1 }
        for s in 0..<n {
            for k in rowStart[s]..<rowStart[s + 1] {
                let t = columns[k]
                a[t * n + s] -= probabilities[k]
            }
        }
        for s in 0..<n { a[(n - 1) * n + s] = 1 }
        var b = [Double](repeating: 0, count: n)
        b[n - 1] = 1
        guard DenseLinearSystem.solve(&a, &b, n: n) else { return nil }
        var sum = 0.0
        for s in 0..<n {
            guard b[s].isFinite, b[s] > -1e-10 else { return nil }
            b[s] = max(b[s], 0)
            sum += b[s]
        }
        guard sum > 0 else { return nil }
        for s in 0..<n { b[s] /= sum }
        let next = step(b)
        var res = 0.0
        for s in 0..<n { res += abs(next[s] - b[s]) }
        return res <= 1e-10 ? b : nil
    }

    private func lazyPowerIteration(from initial: [Double]) -> [Double] {
        var nu = initial
        for _ in 0..<200_000 {
            let next = step(nu)
            var res = 0.0
            for s in 0..<stateCount {
                res += abs(next[s] - nu[s])
                nu[s] = 0.5 * (nu[s] + next[s])
            }
            if res <= 1e-14 { break }
        }
        var sum = 0.0
        for x in nu { sum += x }
        if sum > 0 { for s in 0..<stateCount { nu[s] /= sum } }
        return nu
    }
}
