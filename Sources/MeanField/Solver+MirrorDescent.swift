extension SolverRun {
    /// Online mirror descent on robust Q-values (entropy mirror map).
    ///
    /// Start: `y_0 = 0` (uniform `π_0`), `μ_0` the initial mean field. Iteration `k` holds
    /// `(π_k, μ_k)`: it evaluates `Q^{π_k}_{μ_k}(s, a) = r + γ σ_U(V^{π_k}_{μ_k})`, then
    /// `y_{k+1} = (y_k + η Q^{π_k}_{μ_k}) / (1 + ητ)`, `π_{k+1} = softmax(y_{k+1})` per state, and
    /// `μ_{k+1} = (1 − α)μ_k + α Stat(π_{k+1} at μ_k)` (the population that `π_{k+1}` induces
    /// with the data frozen at `μ_k`). For `τ > 0` the fixed points are exactly
    /// `π = softmax(Q^π/τ)` with `μ` stationary, i.e. the equilibria.
    mutating func mirrorDescent() throws(MeanFieldError) -> EquilibriumResult {
        switch try mirrorDescent(from: initialMeanField, step: nil) {
        case let .finished(result): return result
        case .exhausted: throw .numerical("mirror descent ended without a result")
        }
    }

    /// Mirror descent from `start`. `step == nil`: the fixed learning rate
    /// `options.learningRate`. Otherwise the adaptive rule of ``EquilibriumMethod/auto``
    /// (``MirrorStep``), and the run stops with `.exhausted(best:)` (the mean field of the
    /// best merit `max(exploitability, residual)`) once the best merit has not fallen below
    /// 0.9 times its value for ``MirrorStep/stallLimit`` iterations, or finishes, not
    /// converged, when a stationary law is out of auto's reach
    /// (``autoStationaryLaw(_:from:)``).
    mutating func mirrorDescent(from start: [Double], step: MirrorStep?) throws(MeanFieldError) -> PhaseOutcome {
        let n = game.stateCount, m = game.actionCount
        let tau = options.temperature
        let alpha = options.damping ?? 0.5
        var adaptive = step
        var mu = start
        var y = warmLogits ?? [Double](repeating: 0, count: n * m)
        var policy = warmLogits == nil
            ? Policy.uniform(stateCount: n, actionCount: m) : Self.mirrorStep(&y, q: y, eta: 0, tau: 0, stateCount: n, actionCount: m)
        var pure = PureCheck()
        while true {
            let snap = try game.snapshot(at: mu)
            let opt = try evaluator.optimal(snap)
            let p = try evaluator.pair(snap, optimal: opt, policy: policy)
            if isConverged(p) {
                record(p, change: 0)
                return .finished(try finish(p, converged: true, message: convergedMessage(p)))
            }
            if step != nil, tau == 0, let found = try pure.candidate(&self, snap, opt), isConverged(found) {
                record(found, change: Simplex.l1(found.meanField, mu))
                return .finished(try finish(found, converged: true, message: convergedMessage(found) + " (the settled best-response pair)"))
            }
            if trace.count + 1 >= options.maxIterations {
                record(p, change: 0)
                return .finished(try finish(p, converged: false, message: budgetMessage(p)))
            }
            if adaptive?.stalled(merit: max(p.exploitability, p.stationarityResidual), meanField: mu) == true,
               let best = adaptive?.bestMeanField {
                record(p, change: 0)
                return .exhausted(best: best)
            }
            let q = p.policyValues.qValues
            let eta = adaptive?.next(merit: max(p.exploitability, p.stationarityResidual), qValues: q, actionCount: m)
                ?? options.learningRate
            policy = Self.mirrorStep(&y, q: q, eta: eta, tau: tau, stateCount: n, actionCount: m)
            let stepped = try evaluator.pair(snap, optimal: opt, policy: policy)
            guard let induced = stationaryLaw(stepped, auto: step != nil) else {
                let next = "fictitious play, which would follow, needs such laws too and was not tried; --method mirror-descent runs without the limit"
                return .finished(try endOutOfReach(p, chain: stepped.transition, next: next))
            }
            var next = mu
            for s in 0..<n { next[s] = (1 - alpha) * mu[s] + alpha * induced[s] }
            Simplex.project(&next)
            record(p, change: Simplex.l1(next, mu))
            mu = next
        }
    }

    /// `y ← (y + ηQ)/(1 + ητ)`, shifted so that each state's maximum is 0; returns `softmax(y)`.
    static func mirrorStep(_ y: inout [Double], q: [Double], eta: Double, tau: Double,
                           stateCount n: Int, actionCount m: Int) -> Policy {
        var probs = [Double](repeating: 0, count: n * m)
        for s in 0..<n {
            var best = -Double.infinity
            for a in 0..<m {
                let i = s * m + a
                y[i] = (y[i] + eta * q[i]) / (1 + eta * tau)
                best = max(best, y[i])
            }
            var sum = 0.0
            for a in 0..<m {
                let i = s * m + a
                y[i] -= best  // softmax is shift-invariant; keeps y bounded
                probs[i] = mathExp(y[i])
                sum += probs[i]
            }
            for a in 0..<m { probs[s * m + a] /= sum }
        }
        return Policy(unchecked: n, m, probs)
    }
}

/// The adaptive learning rate of ``EquilibriumMethod/auto``'s mirror descent.
///
/// The first step is scale-free: `η₀ = 1 / max_s (max_a Q(s, a) − min_a Q(s, a))` at the
/// first iterate, so that no logit moves by more than 1. The merit is
/// `max(exploitability, residual)`. Every `window` iterations: if the best merit fell
/// below half of its value a window ago, `η` grows by 1.5 (at most `1000 η₀`); if it did not
/// fall at all, `η` is halved (at least `η₀ / 8`).
struct MirrorStep {
    /// Iterations without a 10% fall of the best merit after which `auto` moves on.
    static let stallLimit = 500
    var eta: Double? = nil
    var progressReference = Double.infinity
    var sinceProgress = 0
    var bestMeanField: [Double]? = nil
    var stallBest = Double.infinity
    var base = 1.0
    var best = Double.infinity
    var bestAtWindowStart = Double.infinity
    var count = 0
    let window = 20

    /// Tracks the best merit and its mean field; `true` after ``stallLimit`` iterations
    /// without the best merit falling below 0.9 times the reference.
    mutating func stalled(merit: Double, meanField: [Double]) -> Bool {
        if merit < stallBest {
            stallBest = merit
            bestMeanField = meanField
        }
        if stallBest < 0.9 * progressReference {
            progressReference = stallBest
            sinceProgress = 0
        } else {
            sinceProgress += 1
        }
        return sinceProgress >= Self.stallLimit
    }

    mutating func next(merit: Double, qValues q: [Double], actionCount m: Int) -> Double {
        if eta == nil {
            var spread = 0.0
            for s in 0..<(q.count / m) {
                var lo = Double.infinity, hi = -Double.infinity
                for a in 0..<m { lo = min(lo, q[s * m + a]); hi = max(hi, q[s * m + a]) }
                spread = max(spread, hi - lo)
            }
            base = spread > 0 && spread.isFinite ? 1 / spread : 1
            eta = base
        }
        best = min(best, merit)
        count += 1
        if count % window == 0 {
            if best < 0.5 * bestAtWindowStart {
                eta = min((eta ?? base) * 1.5, 1000 * base)
            } else if !(best < bestAtWindowStart) {
                eta = max((eta ?? base) / 2, base / 8)
            }
            bestAtWindowStart = best
        }
        return eta ?? base
    }
}

extension SolverRun {
    /// The direct chain of ``EquilibriumMethod/auto`` at the current `τ`: Anderson (`τ > 0`) for at most `min(200, maxIterations/2)`
    /// iterations or three stalls, then adaptive mirror descent from Anderson's best
    /// iterate (from the start when `τ = 0`); when mirror descent stalls, fictitious play
    /// from its best mean field for the rest of the budget (also, from where mirror descent
    /// started, when one of its value solves fails numerically) (Docs/Solvers.md).
    mutating func directChain() throws(MeanFieldError) -> EquilibriumResult {
        var start = initialMeanField
        if options.temperature > 0 {
            switch try andersonThenNewton(budget: directAndersonBudget) {
            case let .finished(result): return result
            case let .exhausted(best): start = best
            }
            switchMethod(to: .mirrorDescent)
        }
        return try mirrorThenFictitiousPlay(from: start)
    }

    /// The stationary law of `chain` from `start` for ``EquilibriumMethod/auto``'s mirror
    /// descent and fictitious play, or `nil` when it is out of their reach. On games of at most
    /// ``TransitionMatrix/directSolveLimit`` states every component has a direct solve, and this
    /// is ``TransitionMatrix/stationaryDistribution(from:)``. Above, a law without a direct
    /// solve falls to the lazy chain, up to ``TransitionMatrix/lazyStepLimit`` steps of
    /// `O(nnz)` each (some 20 minutes per law at 10⁶ states, and a slowly mixing grid of that
    /// size needs millions of steps): here it gets at most
    /// ``EquilibriumOptions/stationaryPhaseWork`` entry updates. A law found within them is
    /// the same vector, bit for bit, as the unlimited call's.
    func autoStationaryLaw(_ chain: TransitionMatrix, from start: [Double]) -> [Double]? {
        guard game.stateCount > TransitionMatrix.directSolveLimit else { return chain.stationaryDistribution(from: start) }
        return chain.stationaryDistribution(from: start, lazyStepLimit: Self.autoLazySteps(chain))
    }

    /// The lazy steps ``autoStationaryLaw(_:from:)`` allows `chain`.
    static func autoLazySteps(_ chain: TransitionMatrix) -> Int {
        min(TransitionMatrix.lazyStepLimit, max(1, EquilibriumOptions.stationaryPhaseWork / max(1, chain.entryCount)))
    }

    /// The stationary law of `pair`'s chain from its mean field that mirror descent and
    /// fictitious play step toward: ``autoStationaryLaw(_:from:)`` under `auto` (`nil` when
    /// out of reach), ``PairEvaluation/stationaryDistribution()`` otherwise.
    func stationaryLaw(_ pair: PairEvaluation, auto: Bool) -> [Double]? {
        auto ? autoStationaryLaw(pair.transition, from: pair.meanField) : pair.stationaryDistribution()
    }

    /// The end of an ``EquilibriumMethod/auto`` run whose mirror descent or fictitious play
    /// found no stationary law for `chain` (``autoStationaryLaw(_:from:)``): the iteration's
    /// pair `p` recorded and returned, not converged, with a message that says why and
    /// `next` (what was not tried, and how to run without the limit).
    mutating func endOutOfReach(_ p: PairEvaluation, chain: TransitionMatrix, next: String) throws(MeanFieldError) -> EquilibriumResult {
        record(p, change: 0)
        let why = "\(current.rawValue) stopped at iteration \(trace.count - 1): the stationary law its next step needs (\(game.stateCount) states, \(chain.entryCount) entries in the chain) has no direct solve and was not reached by \(Self.autoLazySteps(chain)) steps of the lazy chain, the most auto allows (\(next))"
        return try finish(p, converged: false, message: "not converged: \(why); exploitability \(p.exploitability), stationarity residual \(p.stationarityResidual), tolerance \(options.tolerance)")
    }

    /// The Anderson phase's budget (in ``anderson()`` and the direct chain):
    /// `min(200, maxIterations/2)` iterations on the one-step map; with lazy population steps
    /// (``EquilibriumOptions/populationSteps(stateCount:)`` > 1, from 300 states)
    /// `maxIterations − 1`, so that only stalls hand over (the third, or a later one once
    /// progress is no longer steady, ``SteadyProgress``): there the count grows with
    /// the size of the game while the residual still falls, and the hand-over's stationary
    /// solves cost far more per iteration on large strongly connected components
    /// (Docs/Performance.md, section 8).
    var directAndersonBudget: Int {
        guard options.maxIterations >= 4 else { return options.maxIterations }
        if options.populationSteps(stateCount: game.stateCount) > 1 { return options.maxIterations - 1 }
        return min(200, options.maxIterations / 2)
    }

    /// Steps 2–3 of the direct chain: adaptive mirror descent from `start` (with the run's
    /// warm logits), then fictitious play from its best mean field when it stalls (or from
    /// `start` when one of its value solves fails numerically).
    mutating func mirrorThenFictitiousPlay(from start: [Double]) throws(MeanFieldError) -> EquilibriumResult {
        var start = start
        do throws(MeanFieldError) {
            switch try mirrorDescent(from: start, step: MirrorStep()) {
            case let .finished(result): return result
            case let .exhausted(best): start = best
            }
            switch try newtonAfterStall(from: start) {
            case let .finished(result): return result
            case let .exhausted(best): start = best
            }
        } catch {
            // A mixed policy's value solve can fail where pure ones do not (values near the
            // double range); fictitious play evaluates pure best responses and averages.
            guard case .numerical = error else { throw error }
        }
        switchMethod(to: .fictitiousPlay)
        return try fictitiousPlay(from: start, auto: true)
    }
}

/// At `τ = 0` an equilibrium is often pure, and mirror descent only approaches it
/// (`π(a|s) ∝ exp(y)` never reaches 0). Once the greedy best response `BR(μ_k)` has not
/// changed for an iteration, the pure pair `(BR(ν), ν)` with `ν = Stat(BR(μ_k) at μ_k)` is
/// evaluated too (after 1, 2, 4, … ≤ 64 settled iterations between failed checks, as in
/// fictitious play); it is returned when it meets the tolerance.
struct PureCheck {
    var previous: Policy? = nil
    var wait = 0
    var penalty = 1

    mutating func candidate(_ run: inout SolverRun, _ snap: GameSnapshot, _ opt: ValueSolution) throws(MeanFieldError) -> PairEvaluation? {
        let br = try run.evaluator.pair(snap, optimal: opt, policy: nil)
        defer { previous = br.policy }
        guard let previous, previous.maxDifference(br.policy) <= 1e-6 else {
            wait = 0
            penalty = 1
            return nil
        }
        guard wait == 0 else {
            wait -= 1
            return nil
        }
        wait = penalty
        penalty = min(2 * penalty, 64)
        // Out of auto's reach (``SolverRun/autoStationaryLaw(_:from:)``): no candidate.
        guard let nu = run.autoStationaryLaw(br.transition, from: br.meanField) else { return nil }
        return try run.evaluator.bestResponsePair(nu)
    }
}

extension EquilibriumOptions {
    /// The most entry updates of the lazy chain (steps × the chain's entries) that
    /// ``EquilibriumMethod/auto``'s mirror descent and fictitious play spend on one stationary
    /// law (``SolverRun/autoStationaryLaw(_:from:)``): `4·10⁹`, some 5 s on the reference
    /// machine. On the 80×80 crowd grid (6,400 states, some 31,600 entries, limit 126,900
    /// steps) the laws of mirror descent's first iterations settled within 40,000–53,000 steps
    /// (1.3–1.7·10⁹ updates), and a later one not within the limit (Docs/Solvers.md, "When
    /// steps 2–3 cannot run"); at 10⁶ states (some 5·10⁶ entries) the limit is 800 steps, where
    /// a slowly mixing grid needs millions.
    static let stationaryPhaseWork = 4_000_000_000
}
