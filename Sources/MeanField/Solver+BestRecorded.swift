/// A pair recorded in the trace at the requested `τ`: the best so far of a solve
/// (``SolverRun/bestRecorded``), which an unconverged solve returns when it beats the last pair.
struct RecordedPair {
    let policy: Policy
    let meanField: [Double]
    /// `max(E, r)` as the trace recorded it.
    let score: Double
    /// Its trace record.
    let iteration: Int
    /// The method that produced it.
    let method: EquilibriumMethod
}

extension SolverRun {
    /// `result` itself when it converged or when no pair recorded at the requested `τ` has a
    /// lower `max(E, r)`; otherwise the trace's best pair at the requested `τ`, evaluated again
    /// from scratch at the caller's value tolerance (`V*`, `V^π`, `E`, `Φ` and `r`, as for every
    /// pair), with the verification the caller asked for and a message that names both pairs.
    ///
    /// Why: the last pair of a spent budget is whatever the last method was trying; under
    /// ``EquilibriumMethod/auto`` it can be a fresh stage's first iterate (the 384-state crowd
    /// grid, tv 0.05 at `τ = 0.01`, 1000 iterations: last pair `E = 6.9`, `r = 2.6e-3`, while
    /// Anderson's pair of iteration 939 had `E = 3.7e-16`, `r = 3.3e-8`).
    mutating func bestOfUnconverged(_ result: EquilibriumResult) throws(MeanFieldError) -> EquilibriumResult {
        let lastScore = Swift.max(result.exploitability, result.stationarityResidual)
        guard !result.converged, let best = bestRecorded, best.score < lastScore || lastScore.isNaN else { return result }
        options = requestedOptions
        var values = requestedOptions.values
        values.inner = requestedOptions.inner
        var fresh = PairEvaluator(game: game, temperature: requestedTemperature, population: requestedOptions.population,
                                  valueOptions: values)
        fresh.keepsOptimalKernels = false
        let snap = try game.snapshot(at: best.meanField)
        let optimal = try fresh.optimal(snap)
        let pair = try fresh.pair(snap, optimal: optimal, policy: best.policy)
        let score = Swift.max(pair.exploitability, pair.stationarityResidual)
        // The trace's numbers of pairs with loose value solves are within 2ε of these; keep the
        // last pair if the best one, evaluated again, no longer beats it.
        guard score < lastScore || lastScore.isNaN else { return result }
        current = best.method
        let origin = "the pair of iteration \(best.iteration) (\(best.method.rawValue)) evaluated again from scratch"
        if isConverged(pair) {
            return try finish(pair, converged: true, message: convergedMessage(pair) + "; \(origin) (the solve itself ended: \(result.message))")
        }
        let note = "; those are the last pair's; returned instead: the trace's best pair at τ = \(requestedTemperature), \(origin): exploitability \(pair.exploitability), stationarity residual \(pair.stationarityResidual)"
        return try finish(pair, converged: false, message: result.message + note)
    }
}
