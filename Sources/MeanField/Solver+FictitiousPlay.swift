extension SolverRun {
    /// Fictitious play. Iteration `k` computes the best response `π_k = BR_τ(μ̄_k)` and its
    /// induced mean field `ν_k = Stat(π_k at μ̄_k)`; the averages are
    /// `μ̄_{k+1} = (ν_0 + … + ν_k)/(k+1)` and `π̄_{k+1}(a|s) = Σ_j ν_j(s) π_j(a|s) / Σ_j ν_j(s)`
    /// (the policy that generates the averaged flow; `π_k` where no mass has been).
    /// The pair held at iteration `k ≥ 1` is `(π̄_k, μ̄_k)`; at `k = 0` it is `(BR(μ_0), μ_0)`.
    ///
    /// Averaging converges slowly (`O(1/k)` at best). When the best response has stopped
    /// changing (max entry change `≤ 1e-6` between iterations), the pure pair `(BR_τ(ν_k), ν_k)` is also evaluated; if it meets the
    /// tolerance it is returned instead (this is how `τ = 0` games with a pure
    /// equilibrium converge exactly).
    mutating func fictitiousPlay() throws(MeanFieldError) -> EquilibriumResult {
        try fictitiousPlay(from: initialMeanField)
    }

    /// Fictitious play from `start` (``EquilibriumMethod/auto`` hands over with its best
    /// mean field, and `auto`); it stops when the trace holds `maxIterations` records, and
    /// under `auto` also when a stationary law is out of reach
    /// (``autoStationaryLaw(_:from:)``: the pair held is returned, not converged).
    mutating func fictitiousPlay(from start: [Double], auto: Bool = false) throws(MeanFieldError) -> EquilibriumResult {
        let n = game.stateCount, m = game.actionCount
        var muBar = start
        var massSum = [Double](repeating: 0, count: n)
        var policySum = [Double](repeating: 0, count: n * m)
        var schedule = PureCandidateSchedule()
        for k in 0..<options.maxIterations {
            let snap = try game.snapshot(at: muBar)
            let opt = try evaluator.optimal(snap)
            let br = try evaluator.pair(snap, optimal: opt, policy: nil)
            let held: PairEvaluation  // the pair held at this iteration
            if k == 0 {
                held = br
            } else {
                let avg = Self.averagedPolicy(massSum: massSum, policySum: policySum,
                                              fallback: br.policy.probabilities, actionCount: m)
                held = try evaluator.pair(snap, optimal: opt, policy: Policy(unchecked: n, m, avg))
            }
            if isConverged(held) {
                record(held, change: 0)
                return try finish(held, converged: true, message: convergedMessage(held))
            }
            if let polished = try polishDuringFictitiousPlay(br) { return polished }
            // The best response's law, found at most once an iteration and only where it is read
            // (the pure candidate, the averages): under `auto` it may be out of reach.
            var law: [Double]? = nil
            if schedule.isDue(br.policy) {
                guard let nu = stationaryLaw(br, auto: auto) else { return try endOutOfReach(held, chain: br.transition, next: Self.unlimitedFictitiousPlay) }
                law = nu
                let pure = try evaluator.bestResponsePair(nu)
                if isConverged(pure) {
                    record(pure, change: Simplex.l1(nu, muBar))
                    return try finish(pure, converged: true, message: convergedMessage(pure) + " (the settled best-response pair)")
                }
                schedule.missed()
            }
            if trace.count + 1 >= options.maxIterations {
                record(held, change: 0)
                return try finish(held, converged: false, message: budgetMessage(held))
            }
            guard let nu = law ?? stationaryLaw(br, auto: auto) else {
                return try endOutOfReach(held, chain: br.transition, next: Self.unlimitedFictitiousPlay)
            }
            Self.accumulate(nu, policy: br.policy.probabilities, actionCount: m,
                            massSum: &massSum, policySum: &policySum)
            var next = [Double](repeating: 0, count: n)
            let count = Double(k + 1)
            for s in 0..<n { next[s] = massSum[s] / count }
            Simplex.project(&next)
            record(held, change: Simplex.l1(next, muBar))
            muBar = next
        }
        // maxIterations >= 1 is validated, so the loop always returns.
        throw .numerical("fictitious play ended without a result")
    }

    /// When fictitious play evaluates its pure candidate `(BR_τ(ν_k), ν_k)`: once the best
    /// response has stopped changing (max entry change `≤ 1e-6` from the last iteration's), at
    /// once, then, while the candidate misses, after 1, 2, 4, … (at most 64) iterations; a
    /// change of the best response starts over.
    struct PureCandidateSchedule {
        private var previous: Policy? = nil
        private var wait = 0, penalty = 1

        /// Whether the candidate of this iteration's best response `policy` is due.
        mutating func isDue(_ policy: Policy) -> Bool {
            defer { previous = policy }
            guard let previous, previous.maxDifference(policy) <= 1e-6 else {
                wait = 0
                penalty = 1
                return false
            }
            if wait == 0 { return true }
            wait -= 1
            return false
        }

        /// The due candidate did not converge: wait longer before the next.
        mutating func missed() {
            wait = penalty
            penalty = min(2 * penalty, 64)
        }
    }

    /// What an ending of ``endOutOfReach(_:chain:next:)`` in fictitious play says about the limit.
    static let unlimitedFictitiousPlay = "--method fictitious-play runs without the limit"

    /// The averaged policy `π̄(a|s) = Σ_j ν_j(s) π_j(a|s) / Σ_j ν_j(s)` from the running sums,
    /// `fallback(a|s)` where no mass has been.
    private static func averagedPolicy(massSum: [Double], policySum: [Double], fallback: [Double],
                                       actionCount m: Int) -> [Double] {
        let n = massSum.count
        var avg = [Double](repeating: 0, count: n * m)
        for s in 0..<n {
            for a in 0..<m {
                avg[s * m + a] = massSum[s] > 0 ? policySum[s * m + a] / massSum[s] : fallback[s * m + a]
            }
        }
        return avg
    }

    /// Adds `ν(s)` to the mass sums and `ν(s) π(a|s)` to the policy sums.
    private static func accumulate(_ nu: [Double], policy: [Double], actionCount m: Int,
                                   massSum: inout [Double], policySum: inout [Double]) {
        for s in 0..<massSum.count {
            massSum[s] += nu[s]
            for a in 0..<m { policySum[s * m + a] += nu[s] * policy[s * m + a] }
        }
    }
}
