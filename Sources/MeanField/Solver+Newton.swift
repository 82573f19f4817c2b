/// The Newton polish of the mean-field fixed point (Docs/Solvers.md, "newton"): Newton's
/// method on `F(μ) = G(μ) − μ`, `G(μ) = Φ(μ, BR_τ(μ))` (the map Anderson iterates), with a
/// dense Jacobian by forward differences in the tangent space `Σδ = 0` of the simplex, an LU
/// factorization with partial pivoting kept for several steps (chord steps), and a line search
/// that accepts a step only when the stationarity residual falls. From
/// ``krylovStates`` states on, Newton–Krylov steps instead (Solver+NewtonKrylov.swift).
enum NewtonPolish {
    /// Games with more states are not polished: a dense Jacobian costs `n − 1` pair
    /// evaluations and its factorization `n³/3` multiply–adds, a Newton–Krylov step up to
    /// ``maxKrylov`` evaluations of `O(n)` or more each.
    static let stateLimit = 1000
    /// ``EquilibriumMethod/auto`` polishes Anderson's best iterate only when its residual
    /// `‖Φ(μ, BR_τ(μ)) − μ‖₁` is at most this (Newton's model is local).
    static let startResidual = 1e-3
    /// The forward-difference step along `e_i − e_j` (`j` the state of largest mass).
    static let differenceStep = 1e-7
    /// At most this many Jacobians per polish.
    static let maxJacobians = 3
    /// At most this many halvings of a step in the line search.
    static let maxHalvings = 8
    /// A chord step that does not cut the residual below this fraction asks for a new Jacobian.
    static let refreshRatio = 0.25
    /// A step of a fresh Jacobian that does not cut the residual below this fraction stops the
    /// polish: Newton's model does not hold there (seen on the crowd grid at `τ = 0.01`, where
    /// steps of `1e-2` in L1 cut a residual of `1e-6` by a third each).
    static let stopRatio = 0.5
    /// At most this many finite-difference pair evaluations per solve, over all polishes
    /// (`auto` may try several): about five Jacobians at 400 states.
    static let evaluationBudget = 2000
    /// After a polish that stopped without converging from residual `r`, `auto` tries the next
    /// only from a pair with residual below `r / failureFactor` (a polish that stops has cost
    /// at least one Jacobian). On the 280-state crowd-grid-small, tv 0.05 at `τ = 0.001`, the
    /// polish at 0.001 from Anderson's `r = 1.1e-4` stops, and a bridge stage at `10^-2.25`
    /// stalls later at `r = 6.7e-9`, where a polish finishes it; a limit of one failed polish
    /// per solve forbade that one, and the solve ended in 12 309 iterations of fictitious play.
    static let failureFactor = 100.0

    /// ``EquilibriumMethod/auto``'s gate on the residual a polish may start from, per
    /// temperature: ``startResidual`` at a temperature the solve has not polished at, lowered to
    /// `r / failureFactor` by a polish that stopped from `r` there (a polish that stops at one
    /// continuation stage says little about another: on Bench-MFG four rooms tv 0.05 at
    /// `τ = 0.001` the polish at the stage `τ = 1` stops from `1.4e-5`, and one gate for the
    /// whole solve then kept every later stage's polish out).
    struct Gate {
        var temperature = Double.nan
        var threshold = NewtonPolish.startResidual

        mutating func admits(_ residual: Double, at t: Double) -> Bool {
            if t != temperature {
                temperature = t
                threshold = NewtonPolish.startResidual
            }
            return residual <= threshold
        }

        mutating func stopped(from residual: Double, at t: Double) {
            if t != temperature { threshold = NewtonPolish.startResidual }
            temperature = t
            threshold = min(threshold, residual / NewtonPolish.failureFactor)
        }
    }

    /// Whether `auto` tries the polish after a stalled Anderson phase.
    static func applies(stateCount: Int, temperature: Double) -> Bool {
        stateCount >= 2 && stateCount <= stateLimit && temperature > 0
    }

    /// How a polish ended: with a result (converged, or the iteration budget spent), or stopped
    /// at its best pair (already recorded) because no step lowered the residual.
    enum Outcome {
        case finished(EquilibriumResult)
        case stopped(best: PairEvaluation, reason: String)
    }

    /// The factorized Jacobian at one iterate, in the coordinates `μ_s` for `s ≠ pivot` (the
    /// pivot state's mass is `1 − Σ` of the others).
    struct System {
        let pivot: Int
        let factors: DenseLU

        /// The Newton step `δ` with `J δ = −F` on the tangent space (`Σδ = 0`), or `nil` when
        /// it is not finite.
        func step(residual f: [Double]) -> [Double]? {
            let n = f.count
            var rhs = [Double]()
            rhs.reserveCapacity(n - 1)
            for s in 0..<n where s != pivot { rhs.append(-f[s]) }
            let z = factors.solve(rhs)
            var delta = [Double](repeating: 0, count: n)
            var sum = 0.0
            for r in 0..<(n - 1) {
                delta[r < pivot ? r : r + 1] = z[r]
                sum += z[r]
            }
            delta[pivot] = -sum
            return delta.allSatisfy({ $0.isFinite }) ? delta : nil
        }
    }
}

extension SolverRun {
    /// ``EquilibriumMethod/newton``: the Newton polish from the initial mean field (a local
    /// method; ``EquilibriumMethod/auto`` uses it from Anderson's best iterate). Games with more
    /// than ``NewtonPolish/stateLimit`` states are refused.
    mutating func newton() throws(MeanFieldError) -> EquilibriumResult {
        guard game.stateCount <= NewtonPolish.stateLimit else {
            throw .invalidOption(field: .method, message: "newton needs at most \(NewtonPolish.stateLimit) states (Jacobians by finite differences), the game has \(game.stateCount)")
        }
        let start = try evaluator.bestResponsePair(initialMeanField)
        switch try newtonPolish(from: start, local: false) {
        case let .finished(result):
            return result
        case let .stopped(best, reason):
            return try finish(best, converged: false, message: "not converged: \(reason); exploitability \(best.exploitability), stationarity residual \(best.stationarityResidual), tolerance \(options.tolerance)")
        }
    }

    /// The Anderson phase of ``EquilibriumMethod/auto`` (`budget` iterations), followed, when
    /// it stalls, by the frozen-policy stage (``frozenPolicyStage(from:)``, where it applies:
    /// then the phase hands over at its first stall) and ``newtonAfterStall(from:)`` from
    /// the best iterate.
    ///
    /// With ``EquilibriumOptions/frozenPolicyFromStart`` the run's first phase (no iteration
    /// recorded yet) is that stage itself where it applies: Anderson on the frozen-policy crowd
    /// steps from the initial mean field for `budget` iterations, then ``newtonAfterStall(from:)``.
    mutating func andersonThenNewton(budget: Int) throws(MeanFieldError) -> PhaseOutcome {
        if options.frozenPolicyFromStart, trace.isEmpty, frozenPolicyStageApplies {
            let note = "; frozen-policy crowd steps from iteration 0 (a start spread from a coarser grid)"
            switch try andersonPhase(budget: budget, frozen: true) {
            case let .finished(result): return .finished(result.noting(note))
            case let .exhausted(best): return try newtonAfterStall(from: best)
            }
        }
        let outcome = try andersonPhase(budget: budget, handOverAtFirstStall: frozenPolicyStageApplies)
        guard case let .exhausted(best) = outcome else { return outcome }
        switch try frozenPolicyStage(from: best) {
        case let .finished(result): return .finished(result)
        case let .exhausted(next): return try newtonAfterStall(from: next)
        }
    }

    /// ``EquilibriumMethod/auto``'s Newton polish after a stalled phase (Anderson, mirror
    /// descent) on a game of at most ``NewtonPolish/stateLimit`` states at `τ > 0`: from the
    /// best-response pair at the phase's best mean field `best`, when its residual is at most
    /// ``NewtonPolish/startResidual`` (recorded as ``EquilibriumMethod/newton``). A polish
    /// that stops hands its best mean field on (`best` itself when it is not tried).
    mutating func newtonAfterStall(from best: [Double]) throws(MeanFieldError) -> PhaseOutcome {
        guard NewtonPolish.applies(stateCount: game.stateCount, temperature: options.temperature),
              trace.count + 1 < options.maxIterations
        else { return .exhausted(best: best) }
        // A start that is not polished leaves the run as it was: the evaluator's warm starts
        // restored, so the chain goes on bit for bit as without the polish (on beach-bar tv
        // 0.05 at τ = 0 a difference of 1e-16 in a later stage changed the support Newton guess).
        let saved = evaluator
        let start = try evaluator.bestResponsePair(best)
        guard newtonGate.admits(start.stationarityResidual, at: options.temperature) else {
            evaluator = saved
            return .exhausted(best: best)
        }
        switchMethod(to: .newton)
        switch try newtonPolish(from: start, local: true) {
        case let .finished(result):
            return .finished(result)
        case let .stopped(pair, _):
            newtonGate.stopped(from: start.stationarityResidual, at: options.temperature)
            return .exhausted(best: pair.meanField)
        }
    }

    /// ``EquilibriumMethod/auto``'s fictitious play: the Newton polish from its best-response
    /// pair `br` (`τ > 0`, at most ``NewtonPolish/stateLimit`` states) once its residual is at
    /// most the solve's gate (``NewtonPolish/startResidual``, lowered by each polish that
    /// stops). Returns the final result, or `nil` when the polish stopped and fictitious play
    /// goes on (the switches to and from `newton` recorded).
    mutating func polishDuringFictitiousPlay(_ br: PairEvaluation) throws(MeanFieldError) -> EquilibriumResult? {
        guard options.method == .auto, NewtonPolish.applies(stateCount: game.stateCount, temperature: options.temperature),
              trace.count + 1 < options.maxIterations, newtonGate.admits(br.stationarityResidual, at: options.temperature)
        else { return nil }
        let previous = current
        switchMethod(to: .newton)
        switch try newtonPolish(from: br, local: true) {
        case let .finished(result):
            return result
        case .stopped:
            newtonGate.stopped(from: br.stationarityResidual, at: options.temperature)
            switchMethod(to: previous)
            return nil
        }
    }

    /// Newton's method from the pair `start = (BR_τ(μ₀), μ₀)`: each iteration records the pair
    /// held `(BR_τ(μ_k), μ_k)` and moves to `μ_k + λδ` (clipped and rescaled to the simplex),
    /// `δ` the Newton step of the last Jacobian, `λ = 1, 1/2, …` the first that lowers the
    /// residual. A chord step that cuts the residual by less than ``NewtonPolish/refreshRatio``,
    /// or a failed line search with an old Jacobian, asks for a new one; a failed line search
    /// with a fresh one stops the polish. `local` (``EquilibriumMethod/auto``'s polish): at most
    /// ``NewtonPolish/maxJacobians`` Jacobians and ``NewtonPolish/evaluationBudget`` evaluations
    /// per solve, and a fresh Jacobian's step that cuts the residual by less than
    /// ``NewtonPolish/stopRatio`` stops it; otherwise (the method `newton`) Jacobians are built
    /// as long as the line search makes progress (damped Newton).
    mutating func newtonPolish(from start: PairEvaluation, local: Bool) throws(MeanFieldError) -> NewtonPolish.Outcome {
        if NewtonPolish.usesKrylov(stateCount: game.stateCount) { return try newtonKrylovPolish(from: start, local: local) }
        var p = start
        var system: NewtonPolish.System? = nil
        var fresh = false
        var built = 0
        var steps = 0
        var stats: String { "\(steps) steps, \(built) Jacobians of \(max(0, game.stateCount - 1)) pair evaluations each" }
        while true {
            let note = "; Newton polish: " + stats
            if isConverged(p) {
                record(p, change: 0)
                return .finished(try finish(p, converged: true, message: convergedMessage(p) + note))
            }
            if trace.count + 1 >= options.maxIterations {
                record(p, change: 0)
                return .finished(try finish(p, converged: false, message: budgetMessage(p) + note))
            }
            if system == nil {
                guard !local || (built < NewtonPolish.maxJacobians
                    && newtonEvaluations + game.stateCount - 1 <= NewtonPolish.evaluationBudget)
                else {
                    record(p, change: 0)
                    return .stopped(best: p, reason: "the Newton polish stopped, its Jacobians or the solve's \(NewtonPolish.evaluationBudget) evaluations for them used up (\(stats))")
                }
                system = try newtonJacobian(at: p)
                built += 1
                fresh = true
            }
            guard let current = system else {
                record(p, change: 0)
                return .stopped(best: p, reason: "the Newton polish stopped at a singular Jacobian (\(stats))")
            }
            if let (next, x) = try newtonLineSearch(p, current) {
                record(p, change: Simplex.l1(x, p.meanField))
                let ratio = next.stationarityResidual / p.stationarityResidual
                if ratio > NewtonPolish.refreshRatio { system = nil }
                p = next
                if local, fresh, ratio > NewtonPolish.stopRatio, !isConverged(p) {
                    record(p, change: 0)
                    return .stopped(best: p, reason: "the Newton polish stopped, a fresh Jacobian's step cut the residual only by a factor \(ratio) (\(stats))")
                }
                fresh = false
                steps += 1
            } else if fresh {
                record(p, change: 0)
                return .stopped(best: p, reason: "the Newton polish stopped, no step lowered the stationarity residual (\(stats))")
            } else {
                system = nil
            }
        }
    }

    /// The line search of ``newtonLineSearch(_:delta:)`` along the Newton step of `system`.
    mutating func newtonLineSearch(_ p: PairEvaluation, _ system: NewtonPolish.System) throws(MeanFieldError)
        -> (PairEvaluation, [Double])?
    {
        guard let delta = system.step(residual: SolverRun.difference(p.populationUpdate, p.meanField)) else { return nil }
        return try newtonLineSearch(p, delta: delta)
    }

    /// The first of `μ + λδ`, `λ = 1, 1/2, …, 2^-maxHalvings` (clipped and rescaled to the
    /// simplex) whose best-response pair has a lower residual than `p`, with its mean field.
    mutating func newtonLineSearch(_ p: PairEvaluation, delta: [Double]) throws(MeanFieldError) -> (PairEvaluation, [Double])? {
        let mu = p.meanField
        var lambda = 1.0
        for _ in 0...NewtonPolish.maxHalvings {
            var x = mu
            for s in x.indices { x[s] += lambda * delta[s] }
            Simplex.project(&x)
            let q = try evaluator.bestResponsePair(x)
            if q.stationarityResidual < p.stationarityResidual { return (q, x) }
            lambda /= 2
        }
        return nil
    }

    /// The Jacobian of `F(μ) = Φ(μ, BR_τ(μ)) − μ` at `p`'s mean field by forward differences
    /// along `e_i − e_pivot` (`pivot` the state of largest mass, so every perturbed mean field
    /// stays a distribution), the pivot state's row dropped (`Σ_s F_s = 0`), LU-factorized;
    /// `nil` when singular. Costs `n − 1` best-response pair evaluations (not recorded).
    mutating func newtonJacobian(at p: PairEvaluation) throws(MeanFieldError) -> NewtonPolish.System? {
        let mu = p.meanField
        let n = mu.count, k = n - 1
        var pivot = 0
        for s in mu.indices where mu[s] > mu[pivot] { pivot = s }
        let f = SolverRun.difference(p.populationUpdate, mu)
        let h = NewtonPolish.differenceStep
        var a = [Double](repeating: 0, count: k * k)
        for c in 0..<k {
            let i = c < pivot ? c : c + 1
            var x = mu
            x[i] += h
            x[pivot] -= h
            let q = try evaluator.bestResponsePair(x)
            for r in 0..<k {
                let s = r < pivot ? r : r + 1
                a[r * k + c] = ((q.populationUpdate[s] - x[s]) - f[s]) / h
            }
        }
        newtonEvaluations += k
        guard let factors = DenseLU(a, n: k) else { return nil }
        return NewtonPolish.System(pivot: pivot, factors: factors)
    }
}

/// `PA = LU` of a row-major `n × n` matrix by Gaussian elimination with partial pivoting,
/// kept for several right-hand sides.
struct DenseLU {
    let n: Int
    /// `L` (unit diagonal, below) and `U` (on and above the diagonal), row-major.
    private(set) var lu: [Double]
    /// Row `i` of `PA` is row `permutation[i]` of `A`.
    private(set) var permutation: [Int]

    /// Factorizes `a`; `nil` when a pivot is below `pivotTolerance · max|A|` or `A` is not finite.
    ///
    /// - Complexity: `n³/3` multiply–adds.
    init?(_ a: [Double], n: Int, pivotTolerance: Double = 1e-13) {
        var scale = 0.0
        for x in a { scale = max(scale, abs(x)) }
        guard a.count == n * n, n >= 1, scale > 0, scale.isFinite else { return nil }
        self.n = n
        lu = a
        permutation = Array(0..<n)
        let tiny = pivotTolerance * scale
        for k in 0..<n {
            guard eliminate(column: k, tiny: tiny) else { return nil }
        }
    }

    /// One step of the elimination: the pivot of column `k` swapped up, the rows below updated.
    private mutating func eliminate(column k: Int, tiny: Double) -> Bool {
        let n = self.n
        var p = k
        for i in (k + 1)..<max(k + 1, n) where abs(lu[i * n + k]) > abs(lu[p * n + k]) { p = i }
        guard abs(lu[p * n + k]) > tiny else { return false }
        if p != k {
            for j in 0..<n { lu.swapAt(k * n + j, p * n + j) }
            permutation.swapAt(k, p)
        }
        lu.withUnsafeMutableBufferPointer { m in
            let pivot = m[k * n + k]
            for i in (k + 1)..<max(k + 1, n) {
                let f = m[i * n + k] / pivot
                m[i * n + k] = f
                if f == 0 { continue }
                for j in (k + 1)..<n { m[i * n + j] -= f * m[k * n + j] }
            }
        }
        return true
    }

    /// `x` with `A x = b`.
    func solve(_ b: [Double]) -> [Double] {
        var x = permutation.map { b[$0] }
        for i in 0..<n {
            var s = x[i]
            for j in 0..<i { s -= lu[i * n + j] * x[j] }
            x[i] = s
        }
        var i = n - 1
        while i >= 0 {
            var s = x[i]
            for j in (i + 1)..<n { s -= lu[i * n + j] * x[j] }
            x[i] = s / lu[i * n + i]
            i -= 1
        }
        return x
    }
}
