extension MeanFieldGame {
    /// Searches for a stationary robust mean-field equilibrium `(π*, μ*)`:
    /// `π* = BR_τ(μ*)` and `μ* = Φ(μ*, π*)` (Docs/Theory.md).
    ///
    /// Every method evaluates one pair `(π_k, μ_k)` per outer iteration, records its
    /// exploitability and stationarity residual in the trace, and stops as soon as both
    /// are `≤ options.tolerance` (`converged: true`). When the solve ends without converging
    /// (`converged: false`: `maxIterations` spent, or a method's own stop) it returns the
    /// trace's best pair at the requested `τ` — the lowest `max(E, r)`, evaluated again from
    /// scratch — when that beats the last pair, and its message names both (Docs/Solvers.md,
    /// "When a solve does not converge"). See Docs/Solvers.md for each method.
    ///
    /// - Complexity: per outer iteration a few robust value solves (warm-started) and
    ///   one stationary-distribution solve (`O(n³)` dense up to 600 states).
    /// - Throws: ``MeanFieldError/invalidOption(field:message:)`` for bad options; the
    ///   game's validation errors at any visited mean field; ``MeanFieldError/numerical(_:)``
    ///   when an inner value solve fails to converge; ``MeanFieldError/ambiguity(_:)``
    ///   from the LP path.
    public func solveEquilibrium(options: EquilibriumOptions = .init()) throws(MeanFieldError) -> EquilibriumResult {
        try options.validate(for: self)
        let method = options.method.resolved(temperature: options.temperature)
        var run = SolverRun(game: self, options: options, method: method)
        let result: EquilibriumResult
        switch options.method {
        case .auto: result = try run.automatic()
        case .anderson: result = try run.anderson()
        case .fixedPoint: result = try run.fixedPoint()
        case .fictitiousPlay: result = try run.fictitiousPlay()
        case .mirrorDescent: result = try run.mirrorDescent()
        case .newton: result = try run.newton()
        case .supportNewton: throw .invalidOption(field: .method, message: "support-newton is a stage of auto and cannot be requested")
        }
        return try run.bestOfUnconverged(result)
    }
}

/// The shared bookkeeping of one equilibrium solve: evaluator, trace, stopwatch.
struct SolverRun {
    let game: MeanFieldGame
    /// The options of the stage running now (``automatic()``'s continuation changes them).
    var options: EquilibriumOptions
    let method: EquilibriumMethod
    /// The method running now: it labels the trace records and the result.
    var current: EquilibriumMethod
    var evaluator: PairEvaluator
    var trace: [IterationRecord] = []
    var switches: [MethodSwitch] = []
    /// Mirror descent's starting logits (`nil`: `0`, the uniform policy); set by a continuation stage.
    var warmLogits: [Double]? = nil
    let watch = Stopwatch()
    /// The temperature the caller asked for (a continuation stage runs at a larger one).
    let requestedTemperature: Double
    /// Pair evaluations spent on Newton Jacobians so far (``NewtonPolish/evaluationBudget``).
    var newtonEvaluations = 0
    /// Anderson's images on the frozen-policy crowd steps so far (``andersonImage(_:steps:frozen:)``):
    /// each costs about `steps / refresh` kernel refreshes, most of the frozen stage's work.
    var frozenImages = 0
    #if DEBUG || RMFG_TEST_HOOKS
    /// Tests: the value tolerance of each of Anderson's pairs evaluated looser than requested,
    /// the best residual it was tied to, and whether the pair was on the frozen-policy steps
    /// (``andersonPair(_:steps:residual:frozen:)``).
    var looseValueSolves: [(tolerance: Double, residual: Double, frozen: Bool)] = []
    #endif
    /// ``automatic()`` tries a Newton polish only from a pair whose residual passes this gate
    /// (``NewtonPolish/Gate``: ``NewtonPolish/startResidual``, lowered at a temperature after a
    /// polish that stopped there).
    var newtonGate = NewtonPolish.Gate()
    /// The options the caller passed (a continuation stage of ``automatic()`` changes ``options``).
    let requestedOptions: EquilibriumOptions
    /// The recorded pair at the requested `τ` with the lowest `max(E, r)` so far, which an
    /// unconverged solve returns when it beats the last pair (``bestOfUnconverged(_:)``).
    var bestRecorded: RecordedPair? = nil

    init(game: MeanFieldGame, options: EquilibriumOptions, method: EquilibriumMethod) {
        self.game = game
        self.options = options
        self.method = method
        self.current = method
        self.requestedTemperature = options.temperature
        self.requestedOptions = options
        var values = options.values
        values.inner = options.inner
        evaluator = PairEvaluator(game: game, temperature: options.temperature,
                                  population: options.population, valueOptions: values)
        evaluator.keepsOptimalKernels = false
    }

    var initialMeanField: [Double] {
        options.initialMeanField ?? [Double](repeating: 1 / Double(game.stateCount), count: game.stateCount)
    }

    func isConverged(_ p: PairEvaluation) -> Bool {
        p.exploitability <= options.tolerance && p.stationarityResidual <= options.tolerance
    }

    mutating func record(_ p: PairEvaluation, change: Double) {
        let entry = IterationRecord(iteration: trace.count, exploitability: p.exploitability,
                                    stationarityResidual: p.stationarityResidual,
                                    meanFieldChange: change, seconds: watch.seconds, method: current,
                                    temperature: options.temperature)
        trace.append(entry)
        options.progress?(entry)
        // Pairs of continuation stages (another τ) are no answer to the caller's game.
        guard entry.temperature == requestedTemperature else { return }
        let score = Swift.max(p.exploitability, p.stationarityResidual)
        if score.isFinite, score < (bestRecorded?.score ?? .infinity) {
            bestRecorded = RecordedPair(policy: p.policy, meanField: p.meanField, score: score,
                                        iteration: entry.iteration, method: current)
        }
    }

    func finish(_ p: PairEvaluation, converged: Bool, message: String) throws(MeanFieldError) -> EquilibriumResult {
        // The solve's own counters, before the checks below sweep its engine again.
        let statistics = evaluator.engine?.statistics
        var verification: VerificationReport? = nil
        var exact: ExactVerificationReport? = nil
        if options.verify || options.exact {
            let snap = try game.snapshot(at: p.meanField)
            let valueFunctions = [p.optimal.values, p.policyValues.values]
            if options.verify {
                verification = try LPInner.verify(snapshot: snap, valueFunctions: valueFunctions)
            }
            if options.exact {
                exact = try ExactCheck.verify(snapshot: snap, valueFunctions: valueFunctions, engine: evaluator.engine)
            }
        }
        var result = EquilibriumResult(method: current, converged: converged, iterations: trace.count,
                                       meanField: p.meanField, policy: p.policy, values: p.policyValues.values,
                                       optimalValues: p.optimal.values, exploitability: p.exploitability,
                                       stationarityResidual: p.stationarityResidual, trace: trace,
                                       seconds: watch.seconds, verification: verification, message: message,
                                       switches: switches, lpStatistics: statistics)
        result.exactVerification = exact
        return result
    }

    /// Hands over to `next` from the next trace record on, and records the switch.
    mutating func switchMethod(to next: EquilibriumMethod) {
        // Within a continuation stage of auto the switch names the stage's temperature.
        let stage = options.temperature == requestedTemperature ? nil : options.temperature
        switches.append(MethodSwitch(iteration: trace.count, from: current, to: next, temperature: stage))
        current = next
    }

    func budgetMessage(_ p: PairEvaluation) -> String {
        "not converged: \(options.maxIterations) iterations used; exploitability \(p.exploitability), stationarity residual \(p.stationarityResidual), tolerance \(options.tolerance)"
    }

    func convergedMessage(_ p: PairEvaluation) -> String {
        "converged after \(trace.count) iterations: exploitability \(p.exploitability), stationarity residual \(p.stationarityResidual) <= \(options.tolerance)"
    }
}

extension EquilibriumResult {
    /// The same result with `note` appended to its message.
    func noting(_ note: String) -> EquilibriumResult {
        var copy = EquilibriumResult(method: method, converged: converged, iterations: iterations, meanField: meanField,
                                     policy: policy, values: values, optimalValues: optimalValues,
                                     exploitability: exploitability, stationarityResidual: stationarityResidual,
                                     trace: trace, seconds: seconds, verification: verification, message: message + note,
                                     switches: switches, lpStatistics: lpStatistics)
        copy.exactVerification = exactVerification
        return copy
    }
}

/// Small vector helpers on probability vectors.
enum Simplex {
    /// Clips negative entries to 0 and rescales to sum 1 (uniform if nothing is left).
    static func project(_ x: inout [Double]) {
        var sum = 0.0
        for i in x.indices {
            if !(x[i] > 0) { x[i] = 0 }
            sum += x[i]
        }
        guard sum > 0, sum.isFinite else {
            x = [Double](repeating: 1 / Double(x.count), count: x.count)
            return
        }
        for i in x.indices { x[i] /= sum }
    }

    static func l1(_ x: [Double], _ y: [Double]) -> Double {
        var d = 0.0
        for i in x.indices { d += abs(x[i] - y[i]) }
        return d
    }
}
