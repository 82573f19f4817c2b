import Ambiguity
import Synchronization

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
            throw .invalidOption(field: .valueTolerance, message: "\(tolerance), expected a finite number > 0")
        }
        guard maxSweeps >= 1 else { throw .invalidOption(field: .maxSweeps, message: "\(maxSweeps), expected at least 1") }
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
            return Self.policyValues(q: q, policy: policy, stateCount: stateCount, actionCount: actionCount, temperature: tau,
                                     execution: execution)
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
        var pool = SweepPool()
        var reuse: ReusableSweep? = nil
        return try solveValues(policy: policy, temperature: tau, warmStart: warmStart, options: options, engine: engine,
                               pool: &pool, reuse: &reuse)
    }

    /// The value solve; each sweep writes into buffers taken from `pool` (discarded
    /// sweeps' buffers) when it holds some of the right size, and every sweep the solve
    /// discards goes back into `pool`, for the solve's later sweeps and the caller's next
    /// solves. The results do not depend on it.
    ///
    /// `reuse`: when it holds the first sweep of an earlier solve at the same values and the same
    /// rows (``ReusableSweep``), this solve's first sweep is rebuilt from it instead of swept; with
    /// `keepFirst`, this solve's own first sweep is stored there for the next solve (when the set
    /// writes rows in place and the game is small). The results do not depend on it either.
    func solveValues(policy: [Double]?, temperature tau: Double, warmStart: [Double]?,
                     options: ValueSolverOptions, engine: LPRowEngine?,
                     pool: inout SweepPool, reuse: inout ReusableSweep?,
                     keepFirst: Bool = false) throws(MeanFieldError) -> ValueSolution {
        let engine = options.inner == .lp || rowSets != nil
            ? (engine ?? LPRowEngine(stateCount: stateCount, actionCount: actionCount, execution: options.execution))
            : nil
        let n = stateCount, gamma = discount
        let factor = gamma / (1 - gamma)
        var v = warmStart ?? [Double](repeating: 0, count: n)
        let reduction: Reduction = policy.map { .policy($0, temperature: tau) } ?? .softMax(temperature: tau)
        let inner: InnerMethod = engine == nil ? options.inner : .lp
        var sw = try firstSweep(values: v, inner: inner, reduction: reduction, options: options, engine: engine,
                                pool: &pool, reuse: &reuse, keepFirst: keepFirst)
        var tv = sw.stateValues ?? reduce(sw.q, policy: policy, temperature: tau, execution: options.execution)
        var res = Self.supDistance(tv, v)
        var sweeps = 1, skip = 0, penalty = 1
        while true {
            guard res.isFinite else { throw .numerical("value iteration produced a non-finite value (‖TV − V‖∞ = \(res))") }
            if let done = Self.stopped(tv: tv, sweep: sw, residual: res, factor: factor, sweeps: sweeps, options: options) {
                if keepFirst, sweeps > 1 { ReusableSweep.dropUnreturned(&reuse, pool: &pool, snapshot: self) }
                return done
            }
            if options.acceleration == .policyIteration, skip == 0, let kernels = sw.kernels {
                let pol = policy ?? BestResponse.unchecked(qValues: sw.q, stateCount: n, actionCount: actionCount, temperature: tau,
                                                           execution: options.execution, helpers: engine).probabilities
                let w = newtonCandidate(policy: pol, kernels: kernels, temperature: tau, start: tv,
                                        residual: res, options: options, engine: engine)
                if let w {
                    let swW = try pooledSweep(values: w, wantKernels: true, inner: inner, options: options,
                                              reduction: reduction, engine: engine, pool: &pool)
                    sweeps += 1
                    let tw = swW.stateValues ?? reduce(swW.q, policy: policy, temperature: tau, execution: options.execution)
                    let resW = Self.supDistance(tw, w)
                    if resW <= gamma * res {
                        v = w
                        pool.give(SweepBuffers(sw))
                        sw = swW
                        tv = tw
                        res = resW
                        penalty = 1
                        continue
                    }
                    pool.give(SweepBuffers(swW))
                }
                skip = penalty
                penalty = min(2 * penalty, 64)
                if sweeps >= options.maxSweeps { continue }
            } else if skip > 0 {
                skip -= 1
            }
            v = tv
            sw.release(into: &pool)
            sw = try pooledSweep(values: v, wantKernels: options.acceleration == .policyIteration, inner: inner,
                                 options: options, reduction: reduction, engine: engine, pool: &pool)
            sweeps += 1
            tv = sw.stateValues ?? reduce(sw.q, policy: policy, temperature: tau, execution: options.execution)
            res = Self.supDistance(tv, v)
        }
    }

    /// The first sweep of a solve at `v`: rebuilt from `reuse` when it applies, else swept into
    /// buffers from `pool` (and stored in `reuse` with `keepFirst`).
    private func firstSweep(values v: [Double], inner: InnerMethod, reduction: Reduction, options: ValueSolverOptions,
                            engine: LPRowEngine?, pool: inout SweepPool, reuse: inout ReusableSweep?,
                            keepFirst: Bool) throws(MeanFieldError) -> Sweep {
        if engine == nil, let rebuilt = reuse?.sweep(for: self, values: v, reduction: reduction) { return rebuilt }
        let keeps = keepFirst && engine == nil && ReusableSweep.applies(to: self)
        let sw = try pooledSweep(values: v, wantKernels: true, inner: inner, options: options, reduction: reduction,
                                 engine: engine, pool: &pool, wantWorstValues: keeps)
        if keeps, let first = ReusableSweep(snapshot: self, values: v, sweep: sw) {
            reuse = first
            pool.reserve(first.kernels)
        }
        return sw
    }

    /// ``sweep(values:wantKernels:inner:execution:reduction:engine:recycled:wantWorstValues:)`` into
    /// buffers taken from `pool` (returned to it when the sweep did not use them).
    private func pooledSweep(values: [Double], wantKernels: Bool, inner: InnerMethod, options: ValueSolverOptions,
                             reduction: Reduction, engine: LPRowEngine?, pool: inout SweepPool,
                             wantWorstValues: Bool = false) throws(MeanFieldError) -> Sweep {
        var recycled = wantKernels ? pool.take() : nil
        let offered = recycled.flatMap { $0.fits(rows: stateCount * actionCount, room: layout.slotRoom) ? $0.identity : nil }
        defer { pool.give(recycled) }
        let sw = try sweep(values: values, wantKernels: wantKernels, inner: inner, execution: options.execution, reduction: reduction,
                           engine: engine, recycled: &recycled, wantWorstValues: wantWorstValues)
        // Taken buffers that end up elsewhere were shared, so the sweep copied them on write.
        if let offered, recycled == nil, sw.kernels?.probabilities.withUnsafeBufferPointer({ UnsafeRawPointer($0.baseAddress) }) != offered {
            pool.copiedOnWrite += 1
        }
        return sw
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
    ///
    /// On the LP path the products, the policy's rewards and the products' weights are split
    /// between the calling thread and the LP row engine's workers, which are idle between
    /// sweeps (``FrozenSystem/helpers``), as is the best response before it.
    private func newtonCandidate(policy: [Double], kernels: KernelRows, temperature tau: Double,
                                 start: [Double], residual: Double, options: ValueSolverOptions,
                                 engine: LPRowEngine?) -> [Double]? {
        let n = stateCount
        let gamma = discount
        let c = Self.policyRewards(rewards: rewards, policy: policy, stateCount: n, actionCount: actionCount, temperature: tau,
                                   execution: options.execution, helpers: engine)
        // Inexact Newton: solve (I − γP) W = c from the current iterate to an error
        // below 1e-5 times the Bellman residual (or 0.01 times the tolerance). First
        // BiCGSTAB (a Krylov method: it removes the slow modes that make stationary
        // iterations crawl at rate γ), stopped on the true residual r = c − (I − γP)W
        // with ‖W − W*‖∞ ≤ ‖r‖∞/(1−γ); if it breaks down or stalls, Gauss–Seidel
        // finishes from the best iterate. The caller accepts W only if it contracts
        // the Bellman residual, so the method never affects correctness.
        let system = FrozenSystem(policy: policy, kernels: kernels, stateCount: n, actionCount: actionCount,
                                  gamma: gamma, rewards: c, execution: options.execution, helpers: engine)
        let w: [Double]
        if let target = FrozenSystem.newtonResidualTarget(residual: residual, tolerance: options.tolerance, gamma: gamma,
                                                          kernelEntries: kernels.indices.count) {
            w = system.solve(from: start, residualTarget: target)
        } else {
            w = system.solve(from: start, errorTarget: max(1e-5 * residual, 0.01 * options.tolerance))
        }
        for x in w where !x.isFinite { return nil }
        return w
    }
}

/// The frozen policy-evaluation system `(I − γP) W = c` of a Newton step, with
/// `P(s, ·) = Σ_a π(a|s) K(·|s, a)` never built: a product reads each action's kernel
/// entries and weights them by `π(a|s)` on the fly (`(π(a|s)·K(t|s, a))·x_t`, actions
/// and entries in order, actions with `π(a|s) = 0` skipped). These are the products,
/// in the order, that a stored unmerged copy of the rows gave, without the copy
/// (16 bytes per kernel entry, 800 MB for a 10⁶-state garnet). States are independent,
/// so products run in parallel blocks of states, and BiCGSTAB's inner products are
/// ``VectorBlocks`` sums: serial and parallel solves are bit-identical.
struct FrozenSystem {
    let stateCount: Int
    let actionCount: Int
    /// `π(a|s)` at `s·m + a`.
    let policy: [Double]
    /// `K(·|s, a)` at row `s·m + a`.
    let kernels: KernelRows
    let gamma: Double
    let rewards: [Double]
    /// Serial or parallel products (never `.automatic`): by states and kernel entries
    /// (``VectorBlocks/mode(count:entries:execution:)``), so a 150×150 crowd grid's products
    /// (22,500 states, 0.34 M entries) use both cores.
    let mode: ExecutionMode
    /// Serial or parallel vector operations of BiCGSTAB (updates, inner products, norms): ``mode``
    /// from ``vectorParallelStates`` states on, serial below (never `.automatic`). The blocks are
    /// the same either way, so the results are too.
    let vectorMode: ExecutionMode
    /// The block length of the vector operations (``VectorBlocks/block``; tests pass small blocks).
    let block: Int
    /// The LP row engine whose worker threads take a share of each product when the
    /// products would otherwise run on one thread (``mode`` serial, yet the engine has
    /// more than one share: a small game on the LP path, whose workers are idle between
    /// sweeps); `nil` otherwise. Each state's entry is computed by one thread exactly as
    /// in the serial loop, so results do not change.
    let helpers: LPRowEngine?
    /// The products' weights `π(a|s)·K(t|s, a)` computed once, when the kernels have at most
    /// ``weightedLimit`` entries; `nil` otherwise (each product then weights the entries itself).
    let weighted: WeightedRows?

    /// The largest number of kernel entries for which ``weighted`` is built (12 bytes an entry:
    /// 192 MiB). A Newton step takes about a dozen products, so computing each weight once and
    /// reading one flat row per state instead of each action's row saves about a third of the
    /// products' instructions (Docs/Performance.md, section 4, "Fourth round") and, on a grid
    /// of 300×300 cells (1.3 M entries), a third of their CPU time (section 8, "Solver-side
    /// costs of a refresh"). 2²² until 2026-12-05: the 1000×1000 crowd grid (9 M entries) then
    /// weighted every product's entries again, a third of its CPU (section 8, "The 1000×1000
    /// grid"). Larger games keep the on-the-fly products and their memory.
    static let weightedLimit = 1 << 24

    /// The number of kernel entries above which a system counts as large for the Newton steps'
    /// BiCGSTAB target (``newtonResidualTarget(residual:tolerance:gamma:kernelEntries:)``) and
    /// for the first sweep a policy evaluation keeps (``ReusableSweep/keepsOnlyReturned(_:)``):
    /// 2²⁰, which was also the limit of ``weighted`` before it rose to ``weightedLimit``.
    static let largeSystemEntries = 1 << 20

    /// The fewest states for which BiCGSTAB's vector operations run in parallel when the products
    /// do: 2¹⁶ (four blocks of ``VectorBlocks/block``). Below, a pass over the vectors is short
    /// (a few tens of microseconds a block) and the second thread's wake-up costs about as much as
    /// it saves, while on one thread two blocks run side by side: on the 200×200 crowd grid
    /// (40,000 states, 3 blocks) the vector operations took a quarter fewer samples and the
    /// scheduler's wake-ups half as many. At 90,000 states (the 300×300 grid) the passes on one
    /// thread cost wall time on an idle machine (Docs/Performance.md, section 8, "Fourteenth round").
    static let vectorParallelStates = 1 << 16

    init(policy: [Double], kernels: KernelRows, stateCount n: Int, actionCount m: Int, gamma: Double, rewards: [Double],
         execution: ExecutionMode = .serial, block: Int = VectorBlocks.block, helpers: LPRowEngine? = nil,
         weightedLimit: Int = FrozenSystem.weightedLimit, vectorParallelStates: Int = FrozenSystem.vectorParallelStates) {
        stateCount = n
        actionCount = m
        self.policy = policy
        self.kernels = kernels
        self.gamma = gamma
        self.rewards = rewards
        mode = VectorBlocks.mode(count: n, entries: kernels.indices.count, execution: execution)
        vectorMode = n >= vectorParallelStates ? mode : .serial
        self.block = max(1, block)
        self.helpers = mode == .serial && (helpers?.shareCount ?? 1) > 1 ? helpers : nil
        if kernels.indices.count <= weightedLimit && n <= Int(Int32.max) {
            // Stored entries, without the sweep's spare slots (`indices.count` holds one per row); the
            // array's length, never smaller, skips the count over every row on small systems.
            let limit = Self.testMergedEntries ?? Self.mergedEntries
            let merging = kernels.indices.count > limit && kernels.entryCount > limit
            weighted = (merging ? WeightedRows(merging: policy, kernels: kernels, stateCount: n, actionCount: m, mode: mode) : nil)
                ?? WeightedRows(policy: policy, kernels: kernels, stateCount: n, actionCount: m, helpers: self.helpers, mode: mode)
        } else {
            weighted = nil
        }
    }

    /// The number of kernel entries (stored entries, without a sweep's spare slots) above which
    /// ``weighted`` merges each state's entries by column (``WeightedRows/init(merging:kernels:stateCount:actionCount:mode:)``): 2²⁰. A
    /// product then streams each distinct `(s, t)` once (on the 1000×1000 crowd grid about 5
    /// entries a state instead of 9); it sums them in another order, so its last bits differ
    /// from the unmerged product's. Below the limit the products keep the unmerged rows and their
    /// bits, and with them every small game's documented results (Docs/Performance.md, section 8,
    /// "Twenty-fifth round"; the Nineteenth round found a τ = 0.01 regime on a small grid that
    /// the merged rounding tipped over).
    static let mergedEntries = largeSystemEntries

    /// Replaces ``mergedEntries`` in the tests that merge small systems.
    @TaskLocal static var testMergedEntries: Int? = nil

    /// `y = (I − γP) x` for `n`-vectors: by blocks of states (in parallel when ``mode``
    /// allows), or split with ``helpers``' workers.
    func apply(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>) {
        let m = actionCount, gamma = gamma
        let vectors = UncheckedBox((x, y))
        policy.withUnsafeBufferPointer { pol in
            kernels.withView { k in
                weighted.withView { w in
                    let product = { (states: Range<Int>) in
                        if let w {
                            Self.product(states: states, gamma: gamma, weighted: w, x: vectors.value.0, y: vectors.value.1)
                        } else {
                            Self.product(states: states, m: m, gamma: gamma, policy: pol, kernels: k, x: vectors.value.0,
                                         y: vectors.value.1)
                        }
                    }
                    if let helpers {
                        helpers.split(count: stateCount, product)
                        return
                    }
                    // Each state's entry stands alone, so small blocks (at most
                    // ``VectorBlocks/stateBlock`` states) let the threads balance dynamically.
                    VectorBlocks.forEach(count: stateCount, block: Swift.min(block, VectorBlocks.stateBlock), mode: mode, product)
                }
            }
        }
    }

    /// ``product(states:m:gamma:policy:kernels:x:y:)`` with the weights computed beforehand:
    /// unmerged, the same products `(π(a|s)·K(t|s, a))·x_t`, summed in the same order, so the same
    /// result bit for bit; merged (large systems, ``FrozenSystem/mergedEntries``), `P(s, t)·x_t`
    /// summed by distinct column, the same sum in another order.
    @inline(__always)
    private static func product(states: Range<Int>, gamma: Double, weighted w: WeightedRows.View,
                                x xb: UnsafePointer<Double>, y yb: UnsafeMutablePointer<Double>) {
        for s in states {
            var acc = 0.0
            for j in w.stateStart[s]..<w.stateStart[s &+ 1] { acc += w.weights[j] * xb[Int(w.columns[j])] }
            yb[s] = xb[s] - gamma * acc
        }
    }

    /// `y_s = x_s − γ Σ_a π(a|s) Σ_t K(t|s, a) x_t` for `s ∈ states` (actions and entries in
    /// order, actions with `π(a|s) = 0` skipped).
    @inline(__always)
    private static func product(states: Range<Int>, m: Int, gamma: Double, policy pol: UnsafeBufferPointer<Double>,
                                kernels k: KernelRows.View, x xb: UnsafePointer<Double>, y yb: UnsafeMutablePointer<Double>) {
        for s in states {
            var acc = 0.0
            for a in 0..<m {
                let w = pol[s &* m &+ a]
                guard w > 0 else { continue }
                let row = s &* m &+ a
                for j in k.rowStart[row]..<k.rowEnd[row] { acc += (w * k.probabilities[j]) * xb[k.indices[j]] }
            }
            yb[s] = xb[s] - gamma * acc
        }
    }

    /// `Σ_i a_i b_i`, the number ``VectorBlocks/sum(count:block:mode:_:)`` gives (each block in
    /// index order, the blocks in order).
    func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>) -> Double {
        fused(.sum, .max, DotTerms(a: a, b: b)).0
    }

    /// Runs `body` on every block of `0..<n` (in parallel when allowed); it must write
    /// only its block's indices.
    func eachBlock(_ body: (Range<Int>) -> Void) {
        VectorBlocks.forEach(count: stateCount, block: block, mode: vectorMode, body)
    }

    /// The BiCGSTAB target of a Newton step on a large system (more than ``largeSystemEntries`` kernel
    /// entries), on the residual `‖c − (I − γP)W‖∞`; `nil` on smaller systems, whose target stays
    /// the error `max(10⁻⁵ · residual, 0.01 · tolerance)` (so small games are solved bit for bit as
    /// before).
    ///
    /// That residual is the frozen pair's Bellman residual at `W`: `T^{π,K}W − W = c + γPW − W`. The
    /// candidate's own Bellman residual is that plus the change of policy and worst case, which is
    /// of second order, and the solve stops once it is at most `stop = tolerance·(1 − γ)/γ`. So a
    /// step from a Bellman residual within `10⁴ · stop` aims at `0.1 · stop` (it can end the solve);
    /// a step from farther away cannot, and aims at `10⁻³ · residual`, below the second-order change
    /// it will meet (inexact Newton). The old error target asked for a residual of
    /// `(1 − γ) · max(10⁻⁵ · residual, 0.01 · tolerance)`: about 11 times (at `γ = 0.9`) below what
    /// a final step needs, and 1000 times below what an early one needs (Docs/Performance.md,
    /// section 10). The target changes only how many products a step takes: the caller's
    /// acceptance and stopping tests are the same.
    static func newtonResidualTarget(residual: Double, tolerance: Double, gamma: Double, kernelEntries: Int) -> Double? {
        guard kernelEntries > largeSystemEntries, gamma > 0 else { return nil }
        let stop = tolerance * (1 - gamma) / gamma
        guard stop.isFinite, stop > 0 else { return nil }
        return residual > 1e4 * stop ? 1e-3 * residual : 0.1 * stop
    }

    /// `W` with `‖W − W*‖∞ ≤ errorTarget` (up to rounding), from `start`.
    func solve(from start: [Double], errorTarget: Double) -> [Double] {
        // ‖W − W*‖∞ ≤ ‖r‖∞ / (1 − γ) for r = c − (I − γP)W, since ‖(I − γP)⁻¹‖∞ ≤ 1/(1 − γ).
        solve(from: start, residualTarget: errorTarget * (1 - gamma), errorTarget: errorTarget)
    }

    /// `W` with `‖c − (I − γP)W‖∞ ≤ residualTarget` (up to rounding), from `start`; if BiCGSTAB fails,
    /// Gauss–Seidel to the error `residualTarget / (1 − γ)`.
    func solve(from start: [Double], residualTarget: Double) -> [Double] {
        solve(from: start, residualTarget: residualTarget, errorTarget: residualTarget / (1 - gamma))
    }

    private func solve(from start: [Double], residualTarget: Double, errorTarget: Double) -> [Double] {
        let work = BiCGSTABWork(count: stateCount)
        let n = stateCount
        let x = work.x, r = work.r
        for i in 0..<n { x[i] = start[i] }
        apply(x, into: r)
        var bestNorm = residual(r)
        if bestNorm <= residualTarget { return start }
        work.best.update(from: x, count: n)
        work.rHat.update(from: r, count: n)
        return iterate(work, bestNorm: &bestNorm, residualTarget: residualTarget)
            ?? gaussSeidel(from: Array(UnsafeBufferPointer(start: work.best, count: n)), errorTarget: errorTarget)
    }

    /// BiCGSTAB from `work.x` with residual `work.r` (at most 200 iterations): the
    /// solution once the true residual meets `residualTarget`, else `nil` with the best
    /// iterate in `work.best` (for the Gauss–Seidel fallback).
    ///
    /// The vector updates carry the reductions that follow them in the same pass
    /// (``fused(_:_:_:)``): `s` with `‖s‖∞`, `x` and `r` with `‖r‖∞` and the next `r̂·r`, and
    /// `t·t` with `t·s`. Each block's sums run in index order and the blocks combine in block
    /// order as separate passes of ``VectorBlocks/sum(count:block:mode:_:)`` and
    /// ``VectorBlocks/max(count:block:mode:_:)`` would, so the iterates are the same bit for bit,
    /// with 4 fewer passes over the vectors per iteration. The vector operations run on one
    /// thread below ``vectorParallelStates`` states (``vectorMode``), two blocks side by side.
    private func iterate(_ work: BiCGSTABWork, bestNorm: inout Double, residualTarget: Double) -> [Double]? {
        let n = stateCount
        let x = work.x, r = work.r, rHat = work.rHat, p = work.p, v = work.v, s = work.s, t = work.t
        var rho = 1.0, alpha = 1.0, omega = 1.0
        var rhoNew = dot(rHat, r)
        for _ in 0..<200 {
            guard rhoNew.isFinite, abs(rhoNew) > 1e-300 else { break }
            let beta = (rhoNew / rho) * (alpha / omega)
            let (b, o) = (beta, omega)
            eachBlock { range in for i in range { p[i] = r[i] + b * (p[i] - o * v[i]) } }
            apply(p, into: v)
            let denominator = dot(rHat, v)
            guard denominator.isFinite, abs(denominator) > 1e-300 else { break }
            alpha = rhoNew / denominator
            let al = alpha
            if intermediate(work, alpha: al) <= residualTarget {
                eachBlock { range in for i in range { x[i] += al * p[i] } }
                return Array(UnsafeBufferPointer(start: x, count: n))
            }
            apply(s, into: t)
            let (tt, ts) = fused(.sum, .sum, TangentTerms(t: t, s: s))
            guard tt.isFinite, tt > 0 else { break }
            omega = ts / tt
            guard omega.isFinite, omega != 0 else { break }
            let om = omega
            rho = rhoNew
            // Track the true residual's best iterate (recomputed, not the recurrence's).
            let norm: Double
            (norm, rhoNew) = advance(work, alpha: al, omega: om)
            if norm < bestNorm {
                bestNorm = norm
                work.best.update(from: x, count: n)
            }
            if norm <= residualTarget, trueResidualNorm(x, scratch: t) <= residualTarget {
                return Array(UnsafeBufferPointer(start: x, count: n))
            }
        }
        return nil
    }

    /// `s = r − α v` and, from the same pass, `‖s‖∞`.
    private func intermediate(_ work: BiCGSTABWork, alpha al: Double) -> Double {
        fused(.max, .max, IntermediateStep(r: work.r, v: work.v, s: work.s, alpha: al)).0
    }

    /// `x += α p + ω s` and `r = s − ω t`, and from the same pass `‖r‖∞` and the next `r̂·r`.
    private func advance(_ work: BiCGSTABWork, alpha al: Double, omega om: Double) -> (norm: Double, rho: Double) {
        fused(.max, .sum, AdvanceStep(work: work, alpha: al, omega: om))
    }

    /// Two reductions over `0..<n` in one pass of `element`, which may write index `i` (and reads
    /// only index `i` of what any call writes) and returns its two terms: each block's terms
    /// folded in index order from `0` (``VectorBlocks/Combine/fold(_:_:)``), the blocks combined in
    /// order (``VectorBlocks/reducePair(count:block:mode:_:pair:combine:_:)``). With serial vector
    /// operations two whole blocks run side by side, each still in its own index order: the same
    /// numbers as one block after the other, with two independent chains of additions.
    private func fused<Element: FusedElement>(_ first: VectorBlocks.Combine, _ second: VectorBlocks.Combine,
                                              _ element: Element) -> (Double, Double) {
        let one = { (range: Range<Int>) -> (Double, Double) in
            var (a, b) = (0.0, 0.0)
            for i in range {
                let (u, w) = element(i)
                (a, b) = (first.fold(a, u), second.fold(b, w))
            }
            return (a, b)
        }
        let two = { (x: Range<Int>, y: Range<Int>) -> ((Double, Double), (Double, Double)) in
            var (a, b, c, d) = (0.0, 0.0, 0.0, 0.0)
            let offset = y.lowerBound &- x.lowerBound
            for i in x {
                let (u, w) = element(i)
                let (u2, w2) = element(i &+ offset)
                (a, b, c, d) = (first.fold(a, u), second.fold(b, w), first.fold(c, u2), second.fold(d, w2))
            }
            return ((a, b), (c, d))
        }
        return VectorBlocks.reducePair(count: stateCount, block: block, mode: vectorMode, one, pair: two, combine: first,
                                       second)
    }

    /// `‖c − (I − γP)x‖∞`, using `scratch` (overwritten).
    private func trueResidualNorm(_ x: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double {
        apply(x, into: scratch)
        return residual(scratch)
    }

    /// `r = c − r` in place (`r` holding `(I − γP)x`), and `‖r‖∞` from the same pass (the
    /// running maximum of `|r_i|` from `0`, NaN entries skipped, gives).
    private func residual(_ r: UnsafeMutablePointer<Double>) -> Double {
        rewards.withUnsafeBufferPointer { c in fused(.max, .max, ResidualStep(c: c, r: r)).0 }
    }

    /// Gauss–Seidel sweeps until the error bound `γ/(1−γ)·‖ΔW‖∞` is below the target
    /// (serial: each state reads the states updated before it).
    func gaussSeidel(from start: [Double], errorTarget: Double) -> [Double] {
        let n = stateCount, m = actionCount
        let factor = gamma / (1 - gamma)
        var w = start
        policy.withUnsafeBufferPointer { pol in
            kernels.withView { k in
                w.withUnsafeMutableBufferPointer { wb in
                    for _ in 0..<2000 {
                        var change = 0.0
                        for s in 0..<n {
                            var acc = rewards[s]
                            var diagonal = 0.0
                            for a in 0..<m {
                                let pa = pol[s &* m &+ a]
                                guard pa > 0 else { continue }
                                let row = s &* m &+ a
                                for j in k.rowStart[row]..<k.rowEnd[row] {
                                    let t = k.indices[j], weight = pa * k.probabilities[j]
                                    if t == s { diagonal += weight } else { acc += gamma * weight * wb[t] }
                                }
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
        return w
    }
}

/// One index of a fused pass of BiCGSTAB (``FrozenSystem``): writes index `i` of its outputs,
/// reading only index `i` of any vector a call writes, and returns the index's two terms. A
/// generic parameter rather than a closure, so that each pass is compiled with its element inline
/// also inside the closures that run the blocks on other threads.
private protocol FusedElement {
    func callAsFunction(_ i: Int) -> (Double, Double)
}

/// `(a_i b_i, 0)`.
private struct DotTerms: FusedElement {
    let a: UnsafePointer<Double>, b: UnsafePointer<Double>
    @inline(__always)
    func callAsFunction(_ i: Int) -> (Double, Double) { (a[i] * b[i], 0) }
}

/// `(t_i t_i, t_i s_i)`.
private struct TangentTerms: FusedElement {
    let t: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>
    @inline(__always)
    func callAsFunction(_ i: Int) -> (Double, Double) { (t[i] * t[i], t[i] * s[i]) }
}

/// `s_i = r_i − α v_i`; `(|s_i|, 0)`.
private struct IntermediateStep: FusedElement {
    let r: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>
    let alpha: Double
    @inline(__always)
    func callAsFunction(_ i: Int) -> (Double, Double) {
        s[i] = r[i] - alpha * v[i]
        return (abs(s[i]), 0)
    }
}

/// `x_i += α p_i + ω s_i`, `r_i = s_i − ω t_i`; `(|r_i|, r̂_i r_i)`.
private struct AdvanceStep: FusedElement {
    let x: UnsafeMutablePointer<Double>, r: UnsafeMutablePointer<Double>, rHat: UnsafeMutablePointer<Double>
    let p: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>, t: UnsafeMutablePointer<Double>
    let alpha: Double, omega: Double

    init(work: BiCGSTABWork, alpha: Double, omega: Double) {
        (x, r, rHat, p, s, t) = (work.x, work.r, work.rHat, work.p, work.s, work.t)
        (self.alpha, self.omega) = (alpha, omega)
    }

    @inline(__always)
    func callAsFunction(_ i: Int) -> (Double, Double) {
        x[i] += alpha * p[i] + omega * s[i]
        r[i] = s[i] - omega * t[i]
        return (abs(r[i]), rHat[i] * r[i])
    }
}

/// `r_i = c_i − r_i`; `(|r_i|, 0)`.
private struct ResidualStep: FusedElement {
    let c: UnsafeBufferPointer<Double>, r: UnsafeMutablePointer<Double>
    @inline(__always)
    func callAsFunction(_ i: Int) -> (Double, Double) {
        r[i] = c[i] - r[i]
        return (abs(r[i]), 0)
    }
}

/// The rows of a frozen system's products, weighted once: for each state, the entries of its
/// actions with `π(a|s) > 0` (actions and entries in order) as `(t, π(a|s)·K(t|s, a))`, not
/// merged, or merged by column on large systems (``init(merging:kernels:stateCount:actionCount:mode:)``,
/// ``FrozenSystem/mergedEntries``).
/// The columns `t` are 32-bit (12 bytes an entry instead of 16: a product streams every entry).
///
/// - Precondition: `n ≤ Int32.max`.
struct WeightedRows {
    /// State `s`'s entries are `stateStart[s]..<stateStart[s + 1]` (`n + 1` offsets).
    let stateStart: [Int]
    let columns: [Int32]
    let weights: [Double]

    /// Built in two passes over the policy (where each state's entries start, then the
    /// entries), written in place: no growth and no per-entry capacity checks. With `helpers`
    /// (the LP row engine of the solve) the second pass is split between the calling thread and
    /// the engine's idle workers by states (``VectorBlocks/forEachState(count:block:mode:helpers:_:)``):
    /// each state's entries are computed alone, so the rows are the same bit for bit, and a
    /// worker writes the weights of the states whose products it computes
    /// (``LPRowEngine/split(count:_:)`` cuts `0..<n` the same way each time). Without helpers,
    /// `mode` (the frozen system's) runs the pass by blocks of states in parallel when it allows.
    init(policy: [Double], kernels: KernelRows, stateCount n: Int, actionCount m: Int, helpers: LPRowEngine? = nil,
         mode: ExecutionMode = .serial) {
        var columns: [Int32] = []
        var weights: [Double] = []
        let starts: [Int] = makeArray(capacity: n + 1) { sb in
            policy.withUnsafeBufferPointer { pol in
                kernels.withView { k in
                    // Pass 1 (on this thread: n·m additions, less than a hand-off): state s's
                    // entries start at sb[s].
                    sb[0] = 0
                    for s in 0..<n {
                        var count = sb[s]
                        for row in (s * m)..<(s * m + m) where pol[row] > 0 { count += k.rowEnd[row] - k.rowStart[row] }
                        sb[s + 1] = count
                    }
                    let kept = sb[n]
                    let input = UncheckedBox((pol, k, sb))
                    columns = makeArray(capacity: kept) { cb in
                        weights = makeArray(capacity: kept) { wb in
                            let output = UncheckedBox((cb, wb))
                            // Pass 2: state s's entries from sb[s].
                            VectorBlocks.forEachState(count: n, mode: mode, helpers: helpers) { states in
                                let (pol, k, sb) = input.value
                                let (cb, wb) = output.value
                                for s in states {
                                    var j = sb[s]
                                    for row in (s * m)..<(s * m + m) {
                                        let w = pol[row]
                                        guard w > 0 else { continue }
                                        for e in k.rowStart[row]..<k.rowEnd[row] {
                                            cb[j] = Int32(truncatingIfNeeded: k.indices[e])
                                            wb[j] = w * k.probabilities[e]
                                            j += 1
                                        }
                                    }
                                }
                            }
                            return kept
                        }
                        return kept
                    }
                }
            }
            return n + 1
        }
        stateStart = starts
        self.columns = columns
        self.weights = weights
    }

    struct View {
        let stateStart: UnsafeBufferPointer<Int>
        let columns: UnsafeBufferPointer<Int32>
        let weights: UnsafeBufferPointer<Double>
    }

    /// Calls `body` with a ``View`` (valid only inside `body`).
    @inline(__always)
    func withView<R>(_ body: (View) -> R) -> R {
        stateStart.withUnsafeBufferPointer { ss in
            columns.withUnsafeBufferPointer { c in
                weights.withUnsafeBufferPointer { w in body(View(stateStart: ss, columns: c, weights: w)) }
            }
        }
    }
}

extension WeightedRows {
    /// The most distinct columns (over its actions with `π(a|s) > 0`) a state may have for
    /// ``init(merging:kernels:stateCount:actionCount:mode:)``: 32 (each entry is looked up among
    /// the state's columns so far).
    static let mergeWidth = 32

    /// The rows merged by column: for each state, one entry per distinct `t` of its actions with
    /// `π(a|s) > 0`, in the order the actions and entries first reach it, weighing
    /// `P(s, t) = Σ_a π(a|s)·K(t|s, a)` summed in action order: the entries of
    /// ``TransitionMatrix``'s rows, bit for bit (``RowMixer`` sums in the same order). `nil` when
    /// a state has more than ``mergeWidth`` distinct columns (the caller then keeps the rows
    /// unmerged).
    ///
    /// Built in two passes by blocks of states (in parallel when `mode` allows): each state's
    /// count of distinct columns, then its entries, from where the counts' prefix sum puts them.
    init?(merging policy: [Double], kernels: KernelRows, stateCount n: Int, actionCount m: Int, mode: ExecutionMode) {
        var starts = [Int](repeating: 0, count: n + 1)
        let fits = Atomic<Bool>(true)
        policy.withUnsafeBufferPointer { pol in
            kernels.withView { k in
                starts.withUnsafeMutableBufferPointer { sb in
                    let out = UncheckedBox(sb)
                    VectorBlocks.forEach(count: n, block: VectorBlocks.stateBlock, mode: mode) { states in
                        withUnsafeTemporaryAllocation(of: Int32.self, capacity: Self.mergeWidth) { cols in
                            // A state too wide elsewhere ends the pass: the rows stay unmerged.
                            guard let c = cols.baseAddress, fits.load(ordering: .relaxed) else { return }
                            for s in states {
                                guard let count = Self.merge(state: s, m: m, pol, k, columns: c, weights: nil) else {
                                    fits.store(false, ordering: .relaxed)
                                    return
                                }
                                out.value[s + 1] = count
                            }
                        }
                    }
                }
            }
        }
        guard fits.load(ordering: .relaxed) else { return nil }
        for s in 0..<n { starts[s + 1] += starts[s] }
        let total = starts[n]
        var weights: [Double] = []
        let columns: [Int32] = makeArray(capacity: total) { cb in
            weights = makeArray(capacity: total) { wb in
                let output = UncheckedBox((cb, wb))
                policy.withUnsafeBufferPointer { pol in
                    kernels.withView { k in
                        starts.withUnsafeBufferPointer { sb in
                            VectorBlocks.forEach(count: n, block: VectorBlocks.stateBlock, mode: mode) { states in
                                let (cb, wb) = output.value
                                guard let c = cb.baseAddress, let w = wb.baseAddress else { return }
                                // Each state's entries are its own: the same count as in the first pass.
                                for s in states { _ = Self.merge(state: s, m: m, pol, k, columns: c + sb[s], weights: w + sb[s]) }
                            }
                        }
                    }
                }
                return total
            }
            return total
        }
        (stateStart, self.columns, self.weights) = (starts, columns, weights)
    }

    /// State `s`'s entries merged by column into `columns` (and `weights`, when given): the
    /// number of distinct columns, or `nil` above ``mergeWidth``.
    @inline(__always)
    private static func merge(state s: Int, m: Int, _ pol: UnsafeBufferPointer<Double>, _ k: KernelRows.View,
                              columns: UnsafeMutablePointer<Int32>, weights: UnsafeMutablePointer<Double>?) -> Int? {
        var count = 0
        for row in (s &* m)..<(s &* m &+ m) {
            let w = pol[row]
            guard w > 0 else { continue }
            for e in k.rowStart[row]..<k.rowEnd[row] {
                let t = Int32(truncatingIfNeeded: k.indices[e])
                var i = 0
                while i < count, columns[i] != t { i &+= 1 }
                if i == count {
                    guard count < mergeWidth else { return nil }
                    columns[i] = t
                    // The accumulator's first term, as ``RowMixer`` adds it (`+0` for a `−0`).
                    weights?[i] = 0 + w * k.probabilities[e]
                    count &+= 1
                } else {
                    weights?[i] += w * k.probabilities[e]
                }
            }
        }
        return count
    }
}

extension Optional where Wrapped == WeightedRows {
    /// Calls `body` with the rows' ``WeightedRows/View``, or `nil`.
    @inline(__always)
    func withView<R>(_ body: (WeightedRows.View?) -> R) -> R {
        guard let rows = self else { return body(nil) }
        return rows.withView { body($0) }
    }
}

/// The first sweep of a value solve, kept so that the next solve starting at the same values
/// does not sweep them again: each sweep of an equilibrium solve is at a new mean field, but the
/// optimal-value solve at `μ_{k+1}` starts at `V*` of `μ_k`, where the policy evaluation at `μ_k`
/// made its first sweep. On a set that writes rows in place, a row's worst case `σ` and kernel
/// depend only on `V`, the nominal row and the radius, so with the same three the sweep at the new
/// mean field is `Q = r + γσ` with the new rewards — the same operations as the sweep's own, so
/// the same numbers bit for bit — and the same kernels.
struct ReusableSweep {
    let values: [Double]
    let worstValues: [Double]
    let kernels: KernelRows
    let radii: [Double]
    let nominal: KernelRows

    /// Kept only for in-place sets on the closed-form path, without row sets. On games whose
    /// kernels have more than ``FrozenSystem/largeSystemEntries`` entries it is kept only when the
    /// solve returns its first sweep (``keepsOnlyReturned(_:)``).
    static func applies(to snapshot: GameSnapshot) -> Bool {
        snapshot.ambiguity.writesRowsInPlace && snapshot.rowSets == nil
    }

    /// Whether the kept sweep must be the one the solve returns: on games with more than
    /// ``FrozenSystem/largeSystemEntries`` kernel entries, a kept sweep that the solve moved past would
    /// hold a whole set of kernels (about 0.9 GB at 10⁶ states) until the next solve, so it is
    /// dropped; the one the solve returns is held by its caller anyway (the pair's `V^π`), so
    /// keeping it costs only `σ` (`n·m` numbers). The policy evaluation of an equilibrium solve
    /// starts at `V*`, its own fixed point up to the solve's error, and usually ends at its first
    /// sweep (every pair of the garnets of Docs/Performance.md, section 10).
    static func keepsOnlyReturned(_ snapshot: GameSnapshot) -> Bool {
        snapshot.layout.slotRoom > FrozenSystem.largeSystemEntries
    }

    /// After a keeping solve that did not return its first sweep: drops the kept sweep (and its
    /// mark in `pool`) when ``keepsOnlyReturned(_:)``.
    static func dropUnreturned(_ reuse: inout ReusableSweep?, pool: inout SweepPool, snapshot: GameSnapshot) {
        guard keepsOnlyReturned(snapshot) else { return }
        reuse = nil
        pool.reserve(nil)
    }

    /// The sweep's values, `σ` and kernels (`nil` when it has none of them).
    init?(snapshot: GameSnapshot, values: [Double], sweep: Sweep) {
        guard let worst = sweep.worstValues, let kernels = sweep.kernels else { return nil }
        self.values = values
        worstValues = worst
        self.kernels = kernels
        radii = snapshot.radii
        nominal = snapshot.layout.rows
    }

    /// The sweep of `snapshot` at `v` with `reduction`, when `v` (bit for bit), the radii and the
    /// nominal rows are this sweep's; else `nil`.
    func sweep(for snapshot: GameSnapshot, values v: [Double], reduction: Reduction) -> Sweep? {
        guard Self.applies(to: snapshot), v.count == values.count,
              zip(v, values).allSatisfy({ $0.bitPattern == $1.bitPattern }),
              snapshot.radii == radii, snapshot.layout.rows.rowStart == nominal.rowStart,
              snapshot.layout.rows.rowEnd == nominal.rowEnd, snapshot.layout.rows.indices == nominal.indices,
              snapshot.layout.rows.probabilities == nominal.probabilities
        else { return nil }
        let n = snapshot.stateCount, m = snapshot.actionCount, gamma = snapshot.discount
        let rewards = snapshot.rewards
        let q = (0..<(n * m)).map { i in rewards[i] + gamma * worstValues[i] }
        let stateValues = q.withUnsafeBufferPointer { qb in
            (0..<n).map { s in
                let row = UnsafeBufferPointer(rebasing: qb[(s * m)..<(s * m + m)])
                switch reduction {
                case let .softMax(tau):
                    return GameSnapshot.softMax(row, temperature: tau)
                case let .policy(p, tau):
                    return p.withUnsafeBufferPointer { pb in
                        GameSnapshot.policyValue(q: row, policy: UnsafeBufferPointer(rebasing: pb[(s * m)..<(s * m + m)]),
                                                 temperature: tau)
                    }
                }
            }
        }
        return Sweep(q: q, kernels: kernels, stateValues: stateValues)
    }
}

/// BiCGSTAB's seven `n`-vectors, allocated once per solve and zeroed (freed on `deinit`).
private final class BiCGSTABWork {
    let x, r, rHat, p, v, s, t, best: UnsafeMutablePointer<Double>
    private let storage: UnsafeMutablePointer<Double>

    init(count n: Int) {
        let size = max(1, n)
        storage = .allocate(capacity: 8 * size)
        storage.initialize(repeating: 0, count: 8 * size)
        x = storage
        r = storage + size
        rHat = storage + 2 * size
        p = storage + 3 * size
        v = storage + 4 * size
        s = storage + 5 * size
        t = storage + 6 * size
        best = storage + 7 * size
    }

    deinit { storage.deallocate() }
}
