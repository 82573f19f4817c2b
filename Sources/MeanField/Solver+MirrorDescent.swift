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
        let n = game.stateCount, m = game.actionCount
        let eta = options.learningRate, tau = options.temperature
        let alpha = options.damping ?? 0.5
        var mu = initialMeanField
        var y = [Double](repeating: 0, count: n * m)
        var policy = Policy.uniform(stateCount: n, actionCount: m)
        for k in 0..<options.maxIterations {
            let snap = try game.snapshot(at: mu)
            let opt = try evaluator.optimal(snap)
            let p = try evaluator.pair(snap, optimal: opt, policy: policy)
            if isConverged(p) {
                record(p, change: 0)
                return try finish(p, converged: true, message: convergedMessage(p))
            }
            if k == options.maxIterations - 1 {
                record(p, change: 0)
                return try finish(p, converged: false, message: budgetMessage(p))
            }
            let q = p.policyValues.qValues
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
            policy = Policy(unchecked: n, m, probs)
            let induced = try evaluator.pair(snap, optimal: opt, policy: policy).stationaryDistribution()
            var next = mu
            for s in 0..<n { next[s] = (1 - alpha) * mu[s] + alpha * induced[s] }
            Simplex.project(&next)
            record(p, change: Simplex.l1(next, mu))
            mu = next
        }
        throw .numerical("mirror descent ended without a result")
    }
}
