extension SolverRun {
    /// Anderson-accelerated fixed point on `μ = G(μ)`, `G(μ) = Φ(μ, BR_τ(μ))`, with
    /// residual `f(μ) = G(μ) − μ` (type-II Anderson, Walker & Ni 2011). `Φ` (one population
    /// step) is used rather than the stationary distribution: it is a smooth map for `τ > 0`,
    /// whereas `Stat(BR_τ(μ))` jumps between nearly deterministic chains' sinks. On games
    /// of at least 300 states `G(μ) = μ L^j`, at most `k` lazy steps `L = (I + P)/2` of the
    /// chain `P` of `BR_τ(μ)` at `μ`, stopped once a step moves `μ` by little (same fixed
    /// points; see ``EquilibriumOptions/andersonSteps``, ``populationImage(_:steps:)`` and
    /// ``LazyPopulationSteps``); with lazy steps the memory is at least 30 columns
    /// (``EquilibriumOptions/andersonMemory(populationSteps:)``) and the value solves of all
    /// but the converged pair stop at a tolerance tied to the residual
    /// (``andersonPair(_:steps:residual:frozen:)``). The trace and the convergence test keep the
    /// one-step residual `‖Φ(μ, π) − μ‖₁`.
    ///
    /// With the last `m` differences `ΔX = [μ_{i+1} − μ_i]`, `ΔF = [f_{i+1} − f_i]`:
    /// `γ = argmin ‖f_k − ΔF γ‖₂` (QR; the oldest columns are dropped while the
    /// least-squares problem is ill-conditioned), then
    /// `μ_{k+1} = Π_Δ(μ_k + β f_k − (ΔX + β ΔF) γ)` with `Π_Δ` clipping at 0 and rescaling.
    ///
    /// Safeguard: when a step makes `‖f‖₁` more than 4 times the best seen, the history is
    /// cleared and the iteration restarts from the best iterate with half the mixing `β`
    /// (restored after the next improvement). The pair held at iteration `k` is `(BR_τ(μ_k), μ_k)`.
    ///
    /// Stagnation safeguard: when `‖f‖₁` has not fallen below 0.9 times the best seen for
    /// 25 iterations (Anderson cycling, typically because the worst-case kernel jumps
    /// where values tie), the history is cleared, the base mixing is halved (down to
    /// 1/256) and the iteration restarts from the best iterate. With no history and a
    /// small mixing this is the damped iteration `μ ← μ + β(Φ(μ, BR(μ)) − μ)`.
    ///
    /// Fallback: when the Anderson phase has used its budget (``directAndersonBudget``:
    /// `min(200, maxIterations / 2)` iterations, `maxIterations − 1` with lazy population
    /// steps), or stalled three times (with lazy steps: a third or later stall once the best
    /// residual has not halved over the last 100 iterations, ``SteadyProgress``), without converging (a discontinuous `Φ`, for example where the worst-case kernel
    /// switches between tied states, can defeat every extrapolation), the solve continues
    /// from the best iterate with the damped fixed point on `Stat(BR_τ(μ))` (step 0.5,
    /// halved after every 100 iterations without halving the best residual, down to 1/64),
    /// and the message says so.
    mutating func anderson() throws(MeanFieldError) -> EquilibriumResult {
        switch try andersonPhase(budget: directAndersonBudget) {
        case let .finished(result):
            return result
        case let .exhausted(best):
            return try dampedFallback(from: best, switchedAt: trace.count)
        }
    }

    enum PhaseOutcome {
        case finished(EquilibriumResult)
        case exhausted(best: [Double])
    }

    /// The damped fixed point on `Stat(BR_τ(μ))` with a shrinking step, from `start`.
    mutating func dampedFallback(from start: [Double], switchedAt: Int) throws(MeanFieldError) -> EquilibriumResult {
        var alpha = 0.5
        var mu = start
        var bestResidual = Double.infinity
        var sinceHalving = 0
        let note = "; Anderson stalled, switched to the damped fixed point at iteration \(switchedAt)"
        switchMethod(to: .fixedPoint)
        while true {
            let p = try evaluator.bestResponsePair(mu)
            if isConverged(p) {
                record(p, change: 0)
                return try finish(p, converged: true, message: convergedMessage(p) + note)
            }
            if trace.count + 1 >= options.maxIterations {
                record(p, change: 0)
                return try finish(p, converged: false, message: budgetMessage(p) + note)
            }
            if p.stationarityResidual < 0.5 * bestResidual {
                bestResidual = p.stationarityResidual
                sinceHalving = 0
            } else {
                sinceHalving += 1
                if sinceHalving >= 100 {
                    alpha = max(alpha / 2, 1.0 / 64)
                    sinceHalving = 0
                    bestResidual = p.stationarityResidual
                }
            }
            mu = dampedStep(p, from: mu, alpha: alpha)
        }
    }

    /// Anderson's phase from `start` (default: the initial mean field) for `budget`
    /// iterations; `frozen` iterates the frozen-policy crowd steps
    /// (``frozenPolicyImage(_:lazySteps:)``) instead of the lazy steps, when the game allows
    /// them (``frozenPolicyStepsApply(lazySteps:)``).
    ///
    /// `handOverAtFirstStall` ends the phase at its first stall instead of its third, and
    /// counts as a stall ``EquilibriumOptions/frozenPolicyHandOverWindow`` iterations without
    /// a 10 % gain instead of 25 (``andersonThenNewton(budget:)`` when the frozen-policy stage
    /// follows, ``frozenPolicyStageApplies``).
    mutating func andersonPhase(budget: Int, from start: [Double]? = nil, frozen: Bool = false, handOverAtFirstStall: Bool = false) throws(MeanFieldError) -> PhaseOutcome {
        let steps = options.populationSteps(stateCount: game.stateCount)
        let frozen = frozen || options.frozenPolicyRefresh > 0
        let frozenSteps = frozen && frozenPolicyStepsApply(lazySteps: steps)
        let memory = options.andersonMemory(populationSteps: steps, frozenSteps: frozenSteps)
        var state = try andersonStart(at: start ?? initialMeanField, steps: steps, frozen: frozen, frozenSteps: frozenSteps)
        var k = 0
        while true {
            let p = state.p, x = state.x
            if isConverged(p) {
                record(p, change: 0)
                return .finished(try finish(p, converged: true, message: convergedMessage(p)))
            }
            k += 1
            if k >= budget {
                if budget >= options.maxIterations { return .finished(try finishUnconverged(p, steps: steps)) }
                record(p, change: Simplex.l1(state.best.x, x))
                return .exhausted(best: state.best.x)
            }
            let next = state.extrapolated(execution: options.execution)
            record(p, change: Simplex.l1(next, x))
            let pNext = try andersonPair(next, steps: steps, residual: state.best.norm, frozen: frozenSteps)
            state.stall.tick()
            state.progress.record(state.best.norm)
            let handOver = handOverAtFirstStall && state.stall.iterations >= EquilibriumOptions.frozenPolicyHandOverWindow
            if handOver || state.stall.iterations >= StallCount.window, budget < options.maxIterations {
                state.stalls += 1
                if handOver || (state.stalls >= 3 && !(steps > 1 && state.progress.isSteady)) {
                    record(p, change: Simplex.l1(state.best.x, x))
                    return .exhausted(best: state.best.x)
                }
            }
            if state.stall.iterations >= StallCount.window {
                restart(&state, stagnant: true, discarding: pNext)
                continue
            }
            // A converged pair is returned without its (unread) image where the divergence safeguard cannot
            // reject it, and on the frozen steps, where no bound says so but it is an answer anyway.
            if isConverged(pNext), state.dF.isEmpty || frozenSteps
                || Self.imageCannotDiverge(pNext, steps: steps, bestNorm: state.best.norm) {
                record(pNext, change: 0)
                return .finished(try finish(pNext, converged: true, message: convergedMessage(pNext)))
            }
            let fNext = Self.difference(try andersonImage(pNext, steps: steps, frozen: frozen), next)
            let normNext = Self.norm1(fNext)
            if normNext > 4 * state.best.norm, !state.dF.isEmpty {
                restart(&state, stagnant: false, discarding: pNext)
                continue
            }
            let held = [state.p, state.best.pair]
            state.accept(next, residual: fNext, pair: pNext, norm: normNext, memory: memory, execution: options.execution)
            evaluator.recycle(held, keeping: [state.p, state.best.pair])
        }
    }

    /// Anderson's state at its first iterate `x0`: the pair, its image and the stall count, which
    /// counts gains since its start on the frozen-policy steps (`frozenSteps`, ``StallCount``).
    private mutating func andersonStart(at x0: [Double], steps: Int, frozen: Bool, frozenSteps: Bool) throws(MeanFieldError) -> AndersonState {
        // The first pair lives only in the state: a local holding it when `recycle` hands its buffers to
        // the pool would make the next sweep copy them on write (unoptimized builds keep locals alive).
        let p0 = try andersonPair(x0, steps: steps, residual: .infinity, frozen: frozenSteps)
        let updated = game.stateCount >= AndersonFactors.minimumStates ? options.andersonMemory(populationSteps: steps, frozenSteps: frozenSteps) : nil
        return AndersonState(x: x0, image: try andersonImage(p0, steps: steps, frozen: frozen), pair: p0, beta: options.damping ?? 1,
                             cumulativeGains: frozenSteps, updatedFactors: updated)
    }

    /// Restarts Anderson from its best iterate (``AndersonState/restartStagnant()`` or
    /// ``AndersonState/restartDiverged()``), handing the buffers of the pairs it no longer
    /// holds (`rejected` and the iterate it leaves) to later sweeps.
    private mutating func restart(_ state: inout AndersonState, stagnant: Bool, discarding rejected: PairEvaluation) {
        let dropped = [rejected, state.p]
        if stagnant { state.restartStagnant() } else { state.restartDiverged() }
        evaluator.recycle(dropped, keeping: [state.p, state.best.pair])
    }

    /// Anderson's map at the pair's mean field: `Φ(μ, π) = μP` for one step, else
    /// `μ L^j` with `L = (I + P)/2` and `j ≤ k = steps` (``LazyPopulationSteps``), `P` the
    /// pair's chain (the population model's kernel mixed by the pair's policy), built in
    /// column form straight from the policy and the kernel rows, in parallel groups of
    /// states unless the execution is serial (the same entries either way).
    ///
    /// The steps stop after the first one that moves `ν` by at most
    /// `max(tolerance / (100 k), 10⁻³ · δ₁)` in L1, `δ₁` the first step's movement
    /// (``EquilibriumOptions/lazyStepsRelativeStop``). `L` does not expand L1 distances, so
    /// later steps would move `ν` no more than that step did; `μ L^j = μ` exactly when
    /// `μP = μ`, so the fixed points stay the equilibria's mean fields. A fast-mixing chain
    /// (a garnet) stops after about 20 steps; a slowly mixing one (a grid) takes all `k`.
    ///
    /// The chain is built in the buffers of the previous image's chain
    /// (``PairEvaluator/chainBuffers``), which it hands back afterwards.
    mutating func populationImage(_ p: PairEvaluation, steps: Int) -> [Double] {
        guard steps > 1 else { return p.populationUpdate }
        let chain = LazyPopulationSteps(policy: p.policy.probabilities, kernelRows: p.chainKernels,
                                        stateCount: game.stateCount, actionCount: game.actionCount,
                                        execution: options.execution, recycling: &evaluator.chainBuffers)
        let image = chain.apply(p.meanField, steps: steps, stopChange: options.tolerance / (100 * Double(steps)),
                                relativeStop: EquilibriumOptions.lazyStepsRelativeStop, execution: options.execution).image
        chain.recycle(into: &evaluator.chainBuffers)
        return image
    }

    /// `(BR_τ(μ), μ)` for Anderson. On lazy population steps (`steps > 1`) the value solves
    /// first run to ``looseValueTolerance(residual:requested:frozen:temperature:)`` of
    /// `residual` (the best image residual so far; `frozen`: the frozen-policy crowd steps),
    /// and a pair that then meets the equilibrium tolerance is evaluated again to the requested
    /// value tolerance: a pair that passes the convergence test, and so every converged result,
    /// is always evaluated in full.
    mutating func andersonPair(_ mu: [Double], steps: Int, residual: Double, frozen: Bool) throws(MeanFieldError) -> PairEvaluation {
        let requested = evaluator.valueOptions.tolerance
        let loose = steps > 1
            ? Self.looseValueTolerance(residual: residual, requested: requested, frozen: frozen, temperature: options.temperature)
            : requested
        guard loose > requested else { return try evaluator.bestResponsePair(mu) }
        #if DEBUG || RMFG_TEST_HOOKS
        looseValueSolves.append((tolerance: loose, residual: residual, frozen: frozen))
        #endif
        evaluator.valueOptions.tolerance = loose
        let p: PairEvaluation
        do throws(MeanFieldError) {
            p = try evaluator.bestResponsePair(mu)
        } catch {
            evaluator.valueOptions.tolerance = requested
            throw error
        }
        evaluator.valueOptions.tolerance = requested
        return isConverged(p) ? try evaluator.bestResponsePair(mu) : p
    }

    /// The value tolerance of Anderson's pairs on lazy population steps before the last:
    /// `f · residual`, between the requested tolerance and `10⁻⁶`, with `f = 10⁻⁴` on the lazy
    /// steps and ``EquilibriumOptions/frozenPolicyValueFactor(temperature:)`` (`τ/2` between
    /// `10⁻⁴` and `10⁻¹`) on the frozen-policy crowd steps (`frozen`). A value error `ε` moves
    /// the best response by about `ε/τ` and the image with it, an error that Anderson's next
    /// step corrects while it stays below the residual: far below it on the lazy steps, at most
    /// half of it on the frozen steps. The factors were chosen by measurement, not from a
    /// bound. A converged result never rests on a loose pair. The exploitability such a pair
    /// records in the trace is within `2ε` of the exact one.
    static func looseValueTolerance(residual: Double, requested: Double, frozen: Bool, temperature: Double) -> Double {
        let factor = frozen ? EquilibriumOptions.frozenPolicyValueFactor(temperature: temperature)
            : EquilibriumOptions.lazyStepsValueFactor
        return max(requested, min(1e-6, factor * residual))
    }

    /// ``finish(_:converged:message:)`` for the last pair of a spent budget, evaluated again
    /// to the requested value tolerance when its value solves were looser (``andersonPair(_:steps:residual:frozen:)``).
    mutating func finishUnconverged(_ p: PairEvaluation, steps: Int) throws(MeanFieldError) -> EquilibriumResult {
        let requested = evaluator.valueOptions.tolerance
        let loose = steps > 1 && max(p.optimal.errorBound, p.policyValues.errorBound) > requested
        let last = loose ? try evaluator.bestResponsePair(p.meanField) : p
        record(last, change: 0)
        let converged = isConverged(last)
        return try finish(last, converged: converged, message: converged ? convergedMessage(last) : budgetMessage(last))
    }

    /// Whether the image residual `‖μ L^k − μ‖₁` of `p` is certainly at most `4 · bestNorm`,
    /// so that the divergence safeguard would accept `p`: `‖μ L^k − μ‖₁ ≤ (k/2)‖μP − μ‖₁`
    /// (`μ L^k − μ = Σ_{j<k} (μL − μ)L^j`, `L^j` stochastic, `μL − μ = ½(μP − μ)`), with room
    /// for the rounding of both computed norms.
    static func imageCannotDiverge(_ p: PairEvaluation, steps: Int, bestNorm: Double) -> Bool {
        let bound = steps > 1 ? 0.5 * Double(steps) * p.stationarityResidual * (1 + 1e-6) + 1e-11 : p.stationarityResidual
        return bound <= 4 * bestNorm
    }

    static func difference(_ a: [Double], _ b: [Double]) -> [Double] {
        var d = a
        for i in d.indices { d[i] -= b[i] }
        return d
    }

    static func norm1(_ a: [Double]) -> Double {
        var s = 0.0
        for x in a { s += abs(x) }
        return s
    }

    /// `argmin_γ ‖f − ΔF γ‖₂` by modified Gram–Schmidt QR. Drops the oldest columns of
    /// `dF` and `dX` while `min |R_jj| ≤ 1e-10 · max |R_jj|` (ill-conditioned history).
    ///
    /// The columns are copied into one flat buffer and worked on through pointers (no
    /// per-element bounds or uniqueness checks of nested arrays): the same operations in
    /// the same order as on `[[Double]]`, so the same numbers bit for bit
    /// (`AndersonLeastSquaresTests`). Columns must have `f.count` entries. `execution` says
    /// whether the column passes may run on threads (``columnMode(columns:length:execution:)``);
    /// each column's sums are the same either way.
    static func leastSquares(_ dF: inout [[Double]], _ dX: inout [[Double]], _ f: [Double],
                             execution: ExecutionMode = .serial) -> [Double] {
        let n = f.count
        while !dF.isEmpty {
            let k = dF.count
            var q = [Double]()
            q.reserveCapacity(k * n)
            for column in dF { q.append(contentsOf: column.prefix(n)) }
            if q.count < k * n { q.append(contentsOf: repeatElement(0, count: k * n - q.count)) }
            var r = [Double](repeating: 0, count: k * k)
            let ok = q.withUnsafeMutableBufferPointer { qb in
                r.withUnsafeMutableBufferPointer { rb in
                    orthonormalize(qb, columns: k, length: n, r: rb, execution: execution)
                }
            }
            if ok, let g = backSubstitute(q, r, columns: k, f: f, execution: execution) { return g }
            dF.removeFirst()
            dX.removeFirst()
        }
        return []
    }

    /// Anderson's column passes run on threads under ``ExecutionMode/automatic`` when one step's
    /// remaining columns hold at least this many entries together (2¹⁷: at about a nanosecond an
    /// entry, 0.1 ms of work against the tens of microseconds a wake-up of the second core costs).
    static let columnParallelEntries = 1 << 17

    /// Serial or parallel for one step's `columns` columns of `length` entries.
    static func columnMode(columns: Int, length: Int, execution: ExecutionMode) -> ExecutionMode {
        switch execution {
        case .serial: return .serial
        case .parallel: return .parallel
        case .automatic: return columns * length >= columnParallelEntries ? .parallel : .serial
        }
    }

    /// `body(j, j + 1)` for the columns `columns` taken two at a time (`nil` for a last column
    /// without a partner), pairs on threads when ``columnMode(columns:length:execution:)`` allows.
    /// The pairs are fixed by `columns` alone, and each column's results by its own operations.
    private static func forEachColumnPair(_ columns: Range<Int>, length n: Int, execution: ExecutionMode,
                                          _ body: (Int, Int?) -> Void) {
        let pairs = (columns.count + 1) / 2
        let mode = columnMode(columns: columns.count, length: n, execution: execution)
        VectorBlocks.forEach(count: pairs, block: 1, mode: mode) { range in
            for p in range {
                let j = columns.lowerBound + 2 * p
                body(j, j + 1 < columns.upperBound ? j + 1 : nil)
            }
        }
    }

    /// `(x·a, x·b)`, each summed in index order; `b` beside `a` in the same loop (two independent
    /// chains of additions), `0` for a missing `b`.
    @inline(__always)
    private static func dotPair(_ x: UnsafePointer<Double>, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>?,
                                length n: Int) -> (Double, Double) {
        var sa = 0.0
        guard let b else {
            for t in 0..<n { sa += x[t] * a[t] }
            return (sa, 0)
        }
        var sb = 0.0
        for t in 0..<n {
            sa += x[t] * a[t]
            sb += x[t] * b[t]
        }
        return (sa, sb)
    }

    /// `a ← a − da·qi` with `next·a` (the updated `a`) in the same pass, and the same for `b`
    /// beside it (`0` for a missing `b`); `next` may be `a` itself (its squared norm).
    @inline(__always)
    private static func updatePair(_ qi: UnsafePointer<Double>, _ next: UnsafePointer<Double>,
                                   _ a: UnsafeMutablePointer<Double>, _ da: Double,
                                   _ b: UnsafeMutablePointer<Double>?, _ db: Double, length n: Int) -> (Double, Double) {
        var sa = 0.0
        guard let b else {
            for t in 0..<n {
                a[t] -= da * qi[t]
                sa += next[t] * a[t]
            }
            return (sa, 0)
        }
        var sb = 0.0
        for t in 0..<n {
            a[t] -= da * qi[t]
            sa += next[t] * a[t]
            b[t] -= db * qi[t]
            sb += next[t] * b[t]
        }
        return (sa, sb)
    }

    /// Anderson's mixing `x + β f − Σ_j γ_j (ΔX_j + β ΔF_j)` (before the projection): each
    /// entry is `x_i + β f_i` minus the columns' terms in column order, computed by blocks of
    /// entries (on threads when `execution` allows, ``VectorBlocks/mode(count:execution:)``), so
    /// the same numbers whatever the blocks. `gammas` has at most as many entries as `dX` and `dF`.
    static func mixed(x: [Double], f: [Double], beta: Double, gammas: [Double], dX: [[Double]], dF: [[Double]],
                      execution: ExecutionMode) -> [Double] {
        var next = x
        next.withUnsafeMutableBufferPointer { nb in
            guard let base = nb.baseAddress else { return }
            let out = DisjointSlices(base: base)
            VectorBlocks.forEach(count: nb.count, block: VectorBlocks.stateBlock,
                                 mode: VectorBlocks.mode(count: nb.count, execution: execution)) { range in
                for i in range { out.base[i] = x[i] + beta * f[i] }
                for (j, g) in gammas.enumerated() {
                    let dXj = dX[j], dFj = dF[j]
                    for i in range { out.base[i] -= g * (dXj[i] + beta * dFj[i]) }
                }
            }
        }
        return next
    }

    /// Modified Gram–Schmidt on the `k` columns of `q` (column `j` at `j·n`), `R` into `r`
    /// (row-major `k × k`); `false` when a diagonal of `R` is ≤ `1e-10·max` or ≤ `1e-300`.
    ///
    /// Column `j` sees exactly the operations of the textbook loop, in its order: `r_0j = q_0·q_j`,
    /// then for `i < j` the update `q_j ← q_j − r_ij q_i`, whose pass also computes the next inner
    /// product (`r_{i+1,j} = q_{i+1}·q_j`, or `q_j·q_j` after the last), then `q_j /= ‖q_j‖`. The
    /// work is ordered by finished columns instead of by columns (right-looking): once `q_i` is
    /// normalized, every later column's update by `q_{i−1}` and inner product with `q_i` is one
    /// pass, the columns two at a time (two chains of additions side by side) and the pairs on
    /// threads (``forEachColumnPair(_:length:execution:_:)``). So every number is that of a serial
    /// column-by-column loop, whatever the threads.
    static func orthonormalize(_ q: UnsafeMutableBufferPointer<Double>, columns k: Int, length n: Int,
                                       r: UnsafeMutableBufferPointer<Double>, execution: ExecutionMode) -> Bool {
        guard let base = q.baseAddress, let rBase = r.baseAddress else { return k == 0 }
        let out = DisjointSlices(base: rBase)
        var maxDiag = 0.0
        var selfDot = 0.0
        for t in 0..<n { selfDot += base[t] * base[t] }
        for i in 0..<k {
            let qi = base + i * n
            if i > 0 {
                // Column i's last update (by q_{i−1}), with its squared norm in the same pass.
                selfDot = updatePair(qi - n, qi, qi, r[(i - 1) * k + i], nil, 0, length: n).0
            }
            let nrm = selfDot.squareRoot()
            r[i * k + i] = nrm
            maxDiag = max(maxDiag, nrm)
            if !(nrm > 1e-10 * maxDiag) || !(nrm > 1e-300) { return false }
            for t in 0..<n { qi[t] /= nrm }
            // The later columns: r_ij = q_i·q_j, after their update by q_{i−1} in the same pass.
            forEachColumnPair((i + 1)..<k, length: n, execution: execution) { j, j2 in
                let a = base + j * n, b = j2.map { base + $0 * n }
                let (x, y) = i == 0
                    ? dotPair(qi, a, b, length: n)
                    : updatePair(qi - n, qi, a, out.base[(i - 1) * k + j], b, j2.map { out.base[(i - 1) * k + $0] } ?? 0,
                                 length: n)
                out.base[i * k + j] = x
                if let j2 { out.base[i * k + j2] = y }
            }
        }
        return true
    }

    /// `γ = R⁻¹ Qᵀ f`, or `nil` when not finite (the inner products `q_j·f` two columns at a
    /// time, the pairs on threads as in ``orthonormalize(_:columns:length:r:execution:)``).
    private static func backSubstitute(_ q: [Double], _ r: [Double], columns k: Int, f: [Double],
                                       execution: ExecutionMode) -> [Double]? {
        let n = f.count
        var rhs = [Double](repeating: 0, count: k)
        q.withUnsafeBufferPointer { qb in
            f.withUnsafeBufferPointer { fb in
                rhs.withUnsafeMutableBufferPointer { hb in
                    guard let qBase = qb.baseAddress, let fBase = fb.baseAddress, let hBase = hb.baseAddress else { return }
                    let out = DisjointSlices(base: hBase)
                    forEachColumnPair(0..<k, length: n, execution: execution) { j, j2 in
                        let (x, y) = dotPair(fBase, qBase + j * n, j2.map { qBase + $0 * n }, length: n)
                        out.base[j] = x
                        if let j2 { out.base[j2] = y }
                    }
                }
            }
        }
        var g = [Double](repeating: 0, count: k)
        var j = k - 1
        while j >= 0 {
            var s = rhs[j]
            for i in (j + 1)..<max(j + 1, k) { s -= r[j * k + i] * g[i] }
            g[j] = s / r[j * k + j]
            j -= 1
        }
        return g.allSatisfy({ $0.isFinite }) ? g : nil
    }
}

/// Anderson's count of iterations without a 10 % gain in its best `‖f‖₁`: a stall at
/// ``window`` (Docs/Solvers.md, "anderson"). How a gain is counted:
/// - per step (`cumulative` `false`, the lazy and one-step maps): a step whose `‖f‖₁` is 10 %
///   below the best before it;
/// - since the count's start (`cumulative` `true`, the frozen-policy crowd steps): the best
///   `‖f‖₁` 10 % below ``reference``, the best when the count last started from 0. Steady
///   gains of a few per cent per step are progress: on the 500×500 and 1000×1000 crowd grids the
///   frozen stage's best image residual fell 1.6–3× in 25 iterations with no single step gaining
///   10 %, and the per-step count restarted the stage there (history cleared, mixing halved);
///   counted since the start, the 1000×1000 grid's stage converges (Docs/Performance.md,
///   section 8, "Sixteenth round").
///
/// Every per-step gain is also a gain since the start (`reference` is never below the best), so
/// a phase that never stalls per step never stalls counted the other way either.
struct StallCount {
    /// Iterations without a gain that make a stall.
    static let window = 25
    /// Whether gains are counted since the count's start (see the type's description).
    let cumulative: Bool
    /// Iterations since the count last started from 0.
    private(set) var iterations = 0
    /// The best `‖f‖₁` when the count last started from 0.
    private(set) var reference: Double

    init(cumulative: Bool, best: Double) {
        self.cumulative = cumulative
        self.reference = best
    }

    /// One more iteration.
    mutating func tick() { iterations += 1 }

    /// The best `‖f‖₁` fell from `old` to `new`: the count starts again from 0 on a gain.
    mutating func improved(from old: Double, to new: Double) {
        if new < 0.9 * (cumulative ? reference : old) { restart(best: new) }
    }

    /// The count starts again from 0 at the best `‖f‖₁` `best` (a gain, or a restart of the phase).
    mutating func restart(best: Double) {
        iterations = 0
        reference = best
    }
}

/// Whether an Anderson phase still makes steady progress: its best `‖f‖₁` is below half of
/// what it was ``window`` iterations ago (always, during the first ``window`` iterations).
/// With lazy population steps a third stall ends the phase only when this fails
/// (Docs/Solvers.md, "anderson"): on the 384-state crowd grid at `τ = 0.01` (nominal) the best
/// residual halves every 15–40 iterations, with stretches of 25 iterations without a 10 % gain,
/// and Anderson converges after 329 iterations; with the plain three-stall exit the solve
/// handed over to methods that had not converged after 30 CPU seconds.
struct SteadyProgress {
    /// Iterations over which the best residual must halve.
    static let window = 100
    /// The best residual after each iteration so far.
    private(set) var history: [Double] = []

    mutating func record(_ best: Double) { history.append(best) }

    var isSteady: Bool {
        let count = history.count
        guard count > Self.window, let last = history.last else { return true }
        return last < 0.5 * history[count - 1 - Self.window]
    }
}

/// The state of the Anderson phase: the iterate `x`, its residual `f` and pair `p`, the
/// difference history `ΔX`, `ΔF`, the best iterate seen, the mixing and the stall counters.
private struct AndersonState {
    var x: [Double]
    var f: [Double]
    var p: PairEvaluation
    var dX: [[Double]] = []
    var dF: [[Double]] = []
    /// `ΔF`'s factors, updated with the history when ``updatesFactors`` (``AndersonFactors``).
    var factors: AndersonFactors
    let updatesFactors: Bool
    var best: (x: [Double], f: [Double], pair: PairEvaluation, norm: Double)
    var baseBeta: Double
    var beta: Double
    /// Iterations since the last 10 % gain (a stall at ``StallCount/window``).
    var stall: StallCount
    var stalls = 0
    /// The best `‖f‖₁` after each iteration (whether a third stall ends a lazy-steps phase).
    var progress = SteadyProgress()

    init(x: [Double], image: [Double], pair: PairEvaluation, beta: Double, cumulativeGains: Bool = false,
         updatedFactors: Int? = nil) {
        let f = SolverRun.difference(image, x)
        self.factors = AndersonFactors(length: x.count, capacity: updatedFactors ?? 0)
        self.updatesFactors = updatedFactors != nil
        let norm = SolverRun.norm1(f)
        self.x = x
        self.f = f
        self.p = pair
        self.best = (x: x, f: f, pair: pair, norm: norm)
        self.baseBeta = beta
        self.beta = beta
        self.stall = StallCount(cumulative: cumulativeGains, best: norm)
    }

    /// `Π_Δ(x + β f − (ΔX + β ΔF) γ)` with `γ` the least-squares coefficients (which may drop
    /// the oldest history columns).
    mutating func extrapolated(execution: ExecutionMode = .serial) -> [Double] {
        let gammas = updatesFactors ? factors.leastSquares(&dF, &dX, f, execution: execution) : SolverRun.leastSquares(&dF, &dX, f, execution: execution)
        var next = SolverRun.mixed(x: x, f: f, beta: beta, gammas: gammas, dX: dX, dF: dF, execution: execution)
        Simplex.project(&next)
        return next
    }

    /// Stagnation: restart from the best iterate with a more damped, memoryless step.
    mutating func restartStagnant() {
        stall.restart(best: best.norm)
        dX.removeAll()
        dF.removeAll()
        factors.removeAll()
        baseBeta = max(baseBeta / 2, 1.0 / 256)
        beta = baseBeta
        x = best.x
        f = best.f
        p = best.pair
    }

    /// Safeguard: discard the model, restart from the best iterate with a smaller step.
    mutating func restartDiverged() {
        dX.removeAll()
        dF.removeAll()
        factors.removeAll()
        beta = max(beta / 2, baseBeta / 64)
        x = best.x
        f = best.f
        p = best.pair
    }

    /// Moves to `next`, extending the history (at most `memory` columns) and the best iterate.
    mutating func accept(_ next: [Double], residual fNext: [Double], pair pNext: PairEvaluation,
                         norm normNext: Double, memory: Int, execution: ExecutionMode = .serial) {
        let column = SolverRun.difference(fNext, f)
        dX.append(SolverRun.difference(next, x))
        dF.append(column)
        let dropped = dX.count > memory
        if dropped {
            dX.removeFirst()
            dF.removeFirst()
        }
        if updatesFactors { factors.follow(appended: column, droppedOldest: dropped, execution: execution) }
        x = next
        f = fNext
        p = pNext
        if normNext < best.norm {
            stall.improved(from: best.norm, to: normNext)
            best = (x, f, p, normNext)
            beta = baseBeta
        }
    }
}
