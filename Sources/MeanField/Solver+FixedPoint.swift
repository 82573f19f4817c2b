extension SolverRun {
    /// Damped fixed point `μ_{k+1} = (1 − α)μ_k + α Stat(BR_τ(μ_k))`, where `Stat` is the
    /// stationary distribution of the chain that the best response and the population
    /// kernel induce at `μ_k`. The pair held at iteration `k` is `(BR_τ(μ_k), μ_k)`.
    mutating func fixedPoint() throws(MeanFieldError) -> EquilibriumResult {
        let alpha = options.damping ?? 0.5
        var mu = initialMeanField
        var k = 0
        while true {
            let p = try evaluator.bestResponsePair(mu)
            if isConverged(p) {
                record(p, change: 0)
                return try finish(p, converged: true, message: convergedMessage(p))
            }
            k += 1
            if k >= options.maxIterations {
                record(p, change: 0)
                return try finish(p, converged: false, message: budgetMessage(p))
            }
            mu = dampedStep(p, from: mu, alpha: alpha)
        }
    }

    /// One damped step `μ ← Π((1 − α)μ + α Stat(π at μ))` from the pair `p`
    /// evaluated at `μ`, recorded in the trace with its size `‖μ_{k+1} − μ_k‖₁`.
    mutating func dampedStep(_ p: PairEvaluation, from mu: [Double], alpha: Double) -> [Double] {
        let target = p.stationaryDistribution()
        var next = mu
        for s in next.indices { next[s] = (1 - alpha) * mu[s] + alpha * target[s] }
        Simplex.project(&next)
        record(p, change: Simplex.l1(next, mu))
        return next
    }
}
