import Ambiguity

/// How inner value problems (robust optimal values `V*_μ` and robust policy values
/// `V^π_μ`) are solved.
public struct ValueSolverOptions: Sendable, Hashable {
    /// How each value iteration may be accelerated.
    public enum Acceleration: String, Sendable, Hashable, CaseIterable, Codable {
        /// Plain robust value iteration `V ← TV`.
        case none
        /// Safeguarded policy iteration (Newton's method on `TV − V = 0`): freeze the
        /// current policy and nature's worst-case kernels, solve the resulting linear
        /// system exactly, and accept the candidate only if its Bellman residual is at
        /// most `γ` times the current one; otherwise take a value-iteration step.
        case policyIteration
    }

    /// Target accuracy: a solve stops when `‖TV − V‖∞ · γ/(1−γ) ≤ tolerance`, which
    /// bounds the sup-norm error of the returned `TV` (or when `‖TV − V‖∞` reaches the
    /// floating-point floor `4 ε max(1, ‖TV‖∞)`).
    public var tolerance: Double
    /// The largest number of Bellman sweeps per solve.
    public var maxSweeps: Int
    /// Acceleration (default ``Acceleration/policyIteration``).
    public var acceleration: Acceleration
    /// Serial or parallel sweeps.
    public var execution: ExecutionMode
    /// How each row's inner problem is solved (default closed form). The LP path runs serially.
    public var inner: InnerMethod

    /// - Parameters:
    ///   - tolerance: sup-norm error bound, `> 0` (default `1e-12`).
    ///   - maxSweeps: `≥ 1` (default 100 000).
    ///   - acceleration: default ``Acceleration/policyIteration``.
    ///   - execution: default ``ExecutionMode/automatic``.
    ///   - inner: default ``InnerMethod/closedForm``.
    public init(tolerance: Double = 1e-12, maxSweeps: Int = 100_000,
                acceleration: Acceleration = .policyIteration, execution: ExecutionMode = .automatic,
                inner: InnerMethod = .closedForm) {
        self.inner = inner
        self.tolerance = tolerance
        self.maxSweeps = maxSweeps
        self.acceleration = acceleration
        self.execution = execution
    }

    func validate() throws(MeanFieldError) {
        guard tolerance.isFinite, tolerance > 0 else {
            throw .invalidOption(field: "valueTolerance", message: "\(tolerance), expected a finite number > 0")
        }
        guard maxSweeps >= 1 else { throw .invalidOption(field: "maxSweeps", message: "\(maxSweeps), expected at least 1") }
    }
}

/// A solved value function: `V`, its robust Q-function and nature's worst case.
public struct ValueSolution: Sendable {
    /// `V` (`n` numbers): `TV_k` for the last iterate `V_k`.
    public let values: [Double]
    /// `Q(s, a) = r + γ σ_U(V_k)` at `s·m + a`, for the last iterate `V_k`; within
    /// ``errorBound`` of the exact robust Q-function.
    public let qValues: [Double]
    /// The reported worst-case distribution `K(·|s, a)` against `V_k`, per row `s·m + a`.
    public var worstCaseKernels: [SparseDistribution] { kernelRows.rows }
    /// The same kernels in flat (CSR) form.
    let kernelRows: KernelRows
    /// `‖TV_k − V_k‖∞ · γ/(1−γ)`, a bound on `‖values − V_exact‖∞`.
    public let errorBound: Double
    /// Bellman sweeps used.
    public let sweeps: Int
    /// `true` when the tolerance (or the floating-point floor) was reached within `maxSweeps`.
    public let converged: Bool
}

extension GameSnapshot {
    /// Robust optimal values `V*_μ` (Docs/Theory.md): the fixed point of
    /// ``bellman(values:temperature:execution:)``.
    ///
    /// Robust value iteration is a `γ`-contraction; with
    /// ``ValueSolverOptions/Acceleration/policyIteration`` each iteration first tries a
    /// safeguarded Newton (policy-iteration) step and falls back to a value-iteration
    /// step, so convergence is never slower than value iteration's `γᵏ` (up to one
    /// wasted sweep per rejected step) and is typically quadratic near the solution.
    ///
    /// - Parameters:
    ///   - temperature: `τ ≥ 0`.
    ///   - warmStart: the initial `V` (default zeros).
    ///   - options: tolerance, budget, acceleration, execution.
    /// - Complexity: per iteration one sweep (`n·m` inner problems) plus, when
    ///   accelerated, one `n³/3` dense solve (`n ≤ 400`) or ≤ 200 sparse products.
    /// - Throws: ``MeanFieldError/invalidOption(field:message:)`` for bad options or
    ///   `temperature`, ``MeanFieldError/numerical(_:)`` for a bad `warmStart` or a
    ///   non-finite iterate.
    public func optimalValues(temperature: Double, warmStart: [Double]? = nil,
                              options: ValueSolverOptions = .init()) throws(MeanFieldError) -> ValueSolution {
        try checkTemperature(temperature)
        try options.validate()
        if let warmStart { try checkValues(warmStart) }
        return try solveValues(policy: nil, temperature: temperature, warmStart: warmStart, options: options)
    }

    /// Robust values of a fixed policy `V^π_μ` (Docs/Theory.md): the fixed point of
    /// ``policyBellman(values:policy:temperature:execution:)``, nature re-optimizing
    /// against `V^π`. Same algorithm and guarantees as ``optimalValues(temperature:warmStart:options:)``
    /// (the Newton step there is policy iteration for nature alone, which is monotone).
    ///
    /// - Throws: as ``optimalValues(temperature:warmStart:options:)``, and
    ///   ``MeanFieldError/invalidPolicy(_:)`` when `policy` has another shape.
    public func policyValues(policy: Policy, temperature: Double, warmStart: [Double]? = nil,
                             options: ValueSolverOptions = .init()) throws(MeanFieldError) -> ValueSolution {
        try checkTemperature(temperature)
        try checkPolicy(policy)
        try options.validate()
        if let warmStart { try checkValues(warmStart) }
        return try solveValues(policy: policy.probabilities, temperature: temperature, warmStart: warmStart, options: options)
    }

    private func reduce(_ q: [Double], policy: [Double]?, temperature tau: Double, execution: ExecutionMode = .serial) -> [Double] {
        if let policy {
            return Self.policyValues(q: q, policy: policy, stateCount: stateCount, actionCount: actionCount, temperature: tau)
        }
        return Self.stateValues(q: q, stateCount: stateCount, actionCount: actionCount, temperature: tau,
                                execution: execution)
    }

    private static func supDistance(_ x: [Double], _ y: [Double]) -> Double {
        var d = 0.0
        for i in x.indices {
            let e = abs(x[i] - y[i])
            if !(e <= d) { d = e }  // propagates NaN
        }
        return d
    }

    func solveValues(policy: [Double]?, temperature tau: Double, warmStart: [Double]?,
                     options: ValueSolverOptions, engine: LPRowEngine? = nil) throws(MeanFieldError) -> ValueSolution {
        let rows = stateCount * actionCount
        let engine = options.inner == .lp || rowSets != nil
            ? (engine ?? LPRowEngine(rows: rows, workerCount: LPRowEngine.workerCount(rows: rows, execution: options.execution)))
            : nil
        let n = stateCount
        let gamma = discount
        let factor = gamma / (1 - gamma)
        var v = warmStart ?? [Double](repeating: 0, count: n)
        let reduction: Reduction = policy.map { .policy($0, temperature: tau) } ?? .softMax(temperature: tau)
        let inner: InnerMethod = engine == nil ? options.inner : .lp
        var sw = try sweep(values: v, wantKernels: true, inner: inner, execution: options.execution, reduction: reduction, engine: engine)
        var tv = sw.stateValues ?? reduce(sw.q, policy: policy, temperature: tau, execution: options.execution)
        var res = Self.supDistance(tv, v)
        var sweeps = 1
        var skip = 0
        var penalty = 1
        while true {
            guard res.isFinite else { throw .numerical("value iteration produced a non-finite value (‖TV − V‖∞ = \(res))") }
            if let done = Self.stopped(tv: tv, sweep: sw, residual: res, factor: factor, sweeps: sweeps,
                                       options: options) {
                return done
            }
            if options.acceleration == .policyIteration, skip == 0, let kernels = sw.kernels {
                let pol = policy ?? BestResponse.unchecked(qValues: sw.q, stateCount: n, actionCount: actionCount,
                                                           temperature: tau).probabilities
                let w = newtonCandidate(policy: pol, kernels: kernels, temperature: tau, start: tv,
                                        residual: res, options: options)
                if let w {
                    let swW = try sweep(values: w, wantKernels: true, inner: inner, execution: options.execution,
                                        reduction: reduction, engine: engine)
                    sweeps += 1
                    let tw = swW.stateValues ?? reduce(swW.q, policy: policy, temperature: tau, execution: options.execution)
                    let resW = Self.supDistance(tw, w)
                    if resW <= gamma * res {
                        v = w
                        sw = swW
                        tv = tw
                        res = resW
                        penalty = 1
                        continue
                    }
                }
                skip = penalty
                penalty = min(2 * penalty, 64)
                if sweeps >= options.maxSweeps { continue }
            } else if skip > 0 {
                skip -= 1
            }
            v = tv
            sw = try sweep(values: v, wantKernels: options.acceleration == .policyIteration, inner: inner,
                           execution: options.execution, reduction: reduction, engine: engine)
            sweeps += 1
            tv = sw.stateValues ?? reduce(sw.q, policy: policy, temperature: tau, execution: options.execution)
            res = Self.supDistance(tv, v)
        }
    }

    /// The solution when value iteration stops at `tv` (residual `‖TV − V‖∞ = residual`):
    /// converged when the error bound `residual · γ/(1 − γ)` meets the tolerance or the residual
    /// is at rounding level, unconverged once the sweep budget is spent; `nil` to continue.
    private static func stopped(tv: [Double], sweep sw: Sweep, residual res: Double, factor: Double,
                                sweeps: Int, options: ValueSolverOptions) -> ValueSolution? {
        var scale = 1.0
        for x in tv { scale = max(scale, abs(x)) }
        if res * factor <= options.tolerance || res <= 4 * Double.ulpOfOne * scale {
            return ValueSolution(values: tv, qValues: sw.q, kernelRows: sw.kernels ?? KernelRows(rows: []),
                                 errorBound: res * factor, sweeps: sweeps, converged: true)
        }
        if sweeps >= options.maxSweeps {
            return ValueSolution(values: tv, qValues: sw.q, kernelRows: sw.kernels ?? KernelRows(rows: []),
                                 errorBound: res * factor, sweeps: sweeps, converged: false)
        }
        return nil
    }

    /// The value of the frozen pair (policy, kernels): `W = c + γ P W` with
    /// `c(s) = Σ_a π(a|s)[r − τ log π]` and `P = Σ_a π(a|s) K(·|s,a)`.
    private func newtonCandidate(policy: [Double], kernels: KernelRows, temperature tau: Double,
                                 start: [Double], residual: Double, options: ValueSolverOptions) -> [Double]? {
        let n = stateCount
        let gamma = discount
        let c = Self.policyRewards(rewards: rewards, policy: policy, stateCount: n, actionCount: actionCount, temperature: tau)
        // Inexact Newton: solve (I − γP) W = c from the current iterate to an error
        // below 1e-5 times the Bellman residual (or 0.01 times the tolerance). First
        // BiCGSTAB (a Krylov method: it removes the slow modes that make stationary
        // iterations crawl at rate γ), stopped on the true residual r = c − (I − γP)W
        // with ‖W − W*‖∞ ≤ ‖r‖∞/(1−γ); if it breaks down or stalls, Gauss–Seidel
        // finishes from the best iterate. The caller accepts W only if it contracts
        // the Bellman residual, so the method never affects correctness.
        let target = max(1e-5 * residual, 0.01 * options.tolerance)
        let system = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: actionCount,
                                  gamma: gamma, rewards: c)
        let w = system.solve(from: start, errorTarget: target)
        for x in w where !x.isFinite { return nil }
        return w
    }
}

/// The frozen policy-evaluation system `(I − γP) W = c` of a Newton step, with
/// `P(s, ·) = Σ_a π(a|s) K(·|s, a)` kept unmerged: state `s`'s row lists every
/// action's kernel entries weighted by `π(a|s)` (a state may appear more than once).
/// Building it is one multiply per entry, against a sort-and-merge for
/// ``TransitionMatrix``; a product costs a few more entries (duplicates), which the
/// Newton step's dozen or so products repay many times over.
struct FrozenSystem {
    let stateCount: Int
    /// State `s` occupies `rowStart[s]..<rowStart[s+1]`.
    let rowStart: [Int]
    let columns: [Int]
    /// `π(a|s) K(t|s, a)`.
    let weights: [Double]
    let gamma: Double
    let rewards: [Double]

    init(policy: [Double], kernels: KernelRows, stateCount n: Int, actionCount m: Int, gamma: Double, rewards: [Double]) {
        let built = SparseRows.build(rows: n, capacity: kernels.entryCount) { writer in
        policy.withUnsafeBufferPointer { pol in
        kernels.withView { k in
            for s in 0..<n {
                for a in 0..<m {
                    let w = pol[s &* m &+ a]
                    guard w > 0 else { continue }
                    let row = s &* m &+ a
                    for j in k.rowStart[row]..<k.rowEnd[row] {
                        writer.append(column: k.indices[j], value: w * k.probabilities[j])
                    }
                }
                writer.endRow()
            }
        }}
        }
        stateCount = n
        rowStart = built.rowStart
        columns = built.columns
        weights = built.values
        self.gamma = gamma
        self.rewards = rewards
    }

    /// `y = (I − γP) x`.
    func apply(_ x: [Double], into y: inout [Double]) {
        let n = stateCount
        rowStart.withUnsafeBufferPointer { rs in
            columns.withUnsafeBufferPointer { cols in
                weights.withUnsafeBufferPointer { pr in
                    x.withUnsafeBufferPointer { xb in
                        y.withUnsafeMutableBufferPointer { yb in
                            for s in 0..<n {
                                var acc = 0.0
                                for k in rs[s]..<rs[s + 1] { acc += pr[k] * xb[cols[k]] }
                                yb[s] = xb[s] - gamma * acc
                            }
                        }
                    }
                }
            }
        }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    static func supNorm(_ a: [Double]) -> Double {
        var m = 0.0
        for x in a { m = max(m, abs(x)) }
        return m
    }

    /// `W` with `‖W − W*‖∞ ≤ errorTarget` (up to rounding), from `start`.
    func solve(from start: [Double], errorTarget: Double) -> [Double] {
        let n = stateCount
        // ‖W − W*‖∞ ≤ ‖r‖∞ / (1 − γ) for r = c − (I − γP)W, since ‖(I − γP)⁻¹‖∞ ≤ 1/(1 − γ).
        let residualTarget = errorTarget * (1 - gamma)
        var x = start
        var r = [Double](repeating: 0, count: n)
        apply(x, into: &r)
        for i in 0..<n { r[i] = rewards[i] - r[i] }
        var best = x
        var bestNorm = Self.supNorm(r)
        if bestNorm <= residualTarget { return x }
        let rHat = r
        var p = [Double](repeating: 0, count: n), v = p, s = p, t = p
        var rho = 1.0, alpha = 1.0, omega = 1.0
        for _ in 0..<200 {
            let rhoNew = Self.dot(rHat, r)
            guard rhoNew.isFinite, abs(rhoNew) > 1e-300 else { break }
            let beta = (rhoNew / rho) * (alpha / omega)
            for i in 0..<n { p[i] = r[i] + beta * (p[i] - omega * v[i]) }
            apply(p, into: &v)
            let denominator = Self.dot(rHat, v)
            guard denominator.isFinite, abs(denominator) > 1e-300 else { break }
            alpha = rhoNew / denominator
            for i in 0..<n { s[i] = r[i] - alpha * v[i] }
            if Self.supNorm(s) <= residualTarget {
                for i in 0..<n { x[i] += alpha * p[i] }
                return x
            }
            apply(s, into: &t)
            let tt = Self.dot(t, t)
            guard tt.isFinite, tt > 0 else { break }
            omega = Self.dot(t, s) / tt
            guard omega.isFinite, omega != 0 else { break }
            for i in 0..<n {
                x[i] += alpha * p[i] + omega * s[i]
                r[i] = s[i] - omega * t[i]
            }
            rho = rhoNew
            // Track the true residual's best iterate (recomputed, not the recurrence's).
            let norm = Self.supNorm(r)
            if norm < bestNorm {
                bestNorm = norm
                best = x
            }
            if norm <= residualTarget {
                var trueResidual = [Double](repeating: 0, count: n)
                apply(x, into: &trueResidual)
                for i in 0..<n { trueResidual[i] = rewards[i] - trueResidual[i] }
                if Self.supNorm(trueResidual) <= residualTarget { return x }
            }
        }
        return gaussSeidel(from: best, errorTarget: errorTarget)
    }

    /// Gauss–Seidel sweeps until the error bound `γ/(1−γ)·‖ΔW‖∞` is below the target.
    func gaussSeidel(from start: [Double], errorTarget: Double) -> [Double] {
        let n = stateCount
        let factor = gamma / (1 - gamma)
        var w = start
        rowStart.withUnsafeBufferPointer { rs in
            columns.withUnsafeBufferPointer { cols in
                weights.withUnsafeBufferPointer { pr in
                    w.withUnsafeMutableBufferPointer { wb in
                        for _ in 0..<2000 {
                            var change = 0.0
                            for s in 0..<n {
                                var acc = rewards[s]
                                var diagonal = 0.0
                                for k in rs[s]..<rs[s + 1] {
                                    let t = cols[k]
                                    if t == s { diagonal += pr[k] } else { acc += gamma * pr[k] * wb[t] }
                                }
                                let next = acc / (1 - gamma * diagonal)
                                change = max(change, abs(next - wb[s]))
                                wb[s] = next
                            }
                            if change * factor <= errorTarget { break }
                        }
                    }
                }
            }
        }
        return w
    }
}
