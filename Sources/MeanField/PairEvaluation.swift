import Ambiguity

/// Which kernel moves the population (Docs/Theory.md, §2).
public enum PopulationModel: String, Sendable, CaseIterable, Codable, Hashable {
    /// `K = K_{μ,V^π}`: nature's reported worst case against the agents' own robust values (default).
    case worstCase = "worst-case"
    /// `K = P̂(·|·,·,μ)`: the nominal kernel.
    case nominal
}

/// Everything Docs/Theory.md, §2, defines for one pair `(π, μ)`, computed from scratch.
public struct PairEvaluation: Sendable {
    /// `μ`.
    public let meanField: [Double]
    /// `π`.
    public let policy: Policy
    /// `V*_μ` with its robust Q-function `Q*`.
    public let optimal: ValueSolution
    /// `V^π_μ` with `Q^π(s, a) = r + γ σ_U(V^π)` and nature's worst case against `V^π`.
    public let policyValues: ValueSolution
    /// `E(π, μ) = Σ_s μ(s)[V*_μ(s) − V^π_μ(s)]`; `≥ 0` up to the value solves' error bounds
    /// (a tiny negative number is reported as computed, not clipped).
    public let exploitability: Double
    /// The state chain `P(s, t) = Σ_a π(a|s) K(t|s, a)` of the chosen ``PopulationModel``,
    /// built on each access (`O(n·m·k)` plus sorting each row's columns): the solvers
    /// need only ``populationUpdate``, which is computed without it.
    public var transition: TransitionMatrix {
        TransitionMatrix(unchecked: policy.probabilities, kernelRows: chainKernels,
                         stateCount: policy.stateCount, actionCount: policy.actionCount)
    }
    /// `K(·|s, a)` of the chosen ``PopulationModel``, row `s·m + a`.
    let chainKernels: KernelRows
    /// `Φ(μ, π) = μP`.
    public let populationUpdate: [Double]
    /// `‖Φ(μ, π) − μ‖₁`.
    public let stationarityResidual: Double

    /// The address of `V^π`'s kernel masses (`nil` when empty): pairs with the same address
    /// share their sweep buffers.
    var kernelIdentity: UnsafeRawPointer? {
        policyValues.kernelRows.probabilities.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// The stationary distribution of ``transition`` (see
    /// ``TransitionMatrix/stationaryDistribution(from:)``; reducible chains: the limit from `μ`).
    public func stationaryDistribution() -> [Double] {
        transition.stationaryDistribution(from: meanField)
    }
}

/// Evaluates pairs for the solvers, warm-starting each value solve from the last one.
struct PairEvaluator {
    let game: MeanFieldGame
    let temperature: Double
    let population: PopulationModel
    var valueOptions: ValueSolverOptions
    var warmOptimal: [Double]?
    var warmPolicy: [Double]?
    /// The LP inner path's live row problems (``InnerMethod/lp`` only), shared by every
    /// value solve of this evaluator: warm starts carry across sweeps and mean fields.
    let engine: LPRowEngine?
    /// Whether ``PairEvaluation/optimal`` keeps nature's worst-case kernels against `V*`.
    /// The solvers never read them, so an equilibrium solve drops them (16 bytes per
    /// kernel entry and pair held; about 0.9 GB per pair at 10⁶ states, Docs/Performance.md);
    /// ``MeanFieldGame/evaluate(policy:meanField:temperature:population:options:)`` keeps them.
    var keepsOptimalKernels = true
    /// Buffers of sweeps that value solves discarded, of `V*`'s dropped kernels and of
    /// pairs the solver dropped (``recycle(_:keeping:)``), for later sweeps (no new
    /// allocation and no page faults on a fresh mapping).
    var pool = SweepPool()
    /// The buffers of the last lazy-step chain Anderson built (``LazyPopulationSteps``), for the next one.
    var chainBuffers = ChainBuffers()
    /// The vectors of the frozen-policy steps taken by tiles (``StepScratch``), kept between images.
    var stepScratch = StepScratch()
    /// The frozen-policy steps' chain rewritten in place at each refresh (``FrozenChain``),
    /// once a refresh built it; kept across images while the game's rows keep their states.
    var frozenChain: FrozenChain? = nil
    /// The bounds and states of the first refresh's rows (probabilities not kept), until the
    /// second refresh decides whether the rows keep their storage (``frozenChain``) or not
    /// (``frozenRowsVary``).
    var frozenRowsSeen: KernelRows? = nil
    /// Whether the game's rows were seen written afresh between two refreshes: no
    /// ``frozenChain`` is built for this evaluator.
    var frozenRowsVary = false
    /// The first sweep of the last policy evaluation (at `V*`), which the next optimal-value
    /// solve starts from (``ReusableSweep``).
    var reusable: ReusableSweep? = nil

    init(game: MeanFieldGame, temperature: Double, population: PopulationModel, valueOptions: ValueSolverOptions) {
        self.game = game
        self.temperature = temperature
        self.population = population
        self.valueOptions = valueOptions
        engine = valueOptions.inner == .lp || game.rowSetFunction != nil
            ? LPRowEngine(stateCount: game.stateCount, actionCount: game.actionCount, execution: valueOptions.execution)
            : nil
    }

    mutating func optimal(_ snapshot: GameSnapshot) throws(MeanFieldError) -> ValueSolution {
        let sol = try snapshot.solveValues(policy: nil, temperature: temperature, warmStart: warmOptimal, options: valueOptions,
                                           engine: engine, pool: &pool, reuse: &reusable)
        guard sol.converged else {
            throw .numerical("robust value iteration did not reach \(valueOptions.tolerance) within \(valueOptions.maxSweeps) sweeps (error bound \(sol.errorBound))")
        }
        warmOptimal = sol.values
        guard keepsOptimalKernels else {
            // The solution keeps `q`; its kernels' buffers serve the next sweeps.
            pool.give(SweepBuffers(kernels: sol.kernelRows, q: []))
            return ValueSolution(values: sol.values, qValues: sol.qValues, kernelRows: KernelRows(rows: []),
                                 errorBound: sol.errorBound, sweeps: sol.sweeps, converged: sol.converged)
        }
        return sol
    }

    /// The pair `(policy, μ)`; `policy == nil` means the best response `BR_τ(μ)`.
    mutating func pair(_ snapshot: GameSnapshot, optimal: ValueSolution, policy given: Policy?) throws(MeanFieldError) -> PairEvaluation {
        let n = snapshot.stateCount, m = snapshot.actionCount
        let policy = given ?? BestResponse.unchecked(qValues: optimal.qValues, stateCount: n, actionCount: m, temperature: temperature,
                                                     execution: valueOptions.execution, helpers: engine)
        // V^π: for the best response start from V* (its fixed point up to the solve's error).
        let warm = given == nil ? optimal.values : (warmPolicy ?? optimal.values)
        let vpi = try snapshot.solveValues(policy: policy.probabilities, temperature: temperature, warmStart: warm, options: valueOptions,
                                           engine: engine, pool: &pool, reuse: &reusable, keepFirst: true)
        guard vpi.converged else {
            throw .numerical("robust policy evaluation did not reach \(valueOptions.tolerance) within \(valueOptions.maxSweeps) sweeps (error bound \(vpi.errorBound))")
        }
        if given != nil { warmPolicy = vpi.values }
        let chainKernels = population == .worstCase ? vpi.kernelRows : snapshot.layout.rows
        let mu = snapshot.meanField
        let phi = TransitionMatrix.step(mu, policy: policy.probabilities, kernelRows: chainKernels, stateCount: n, actionCount: m,
                                        execution: valueOptions.execution)
        var residual = 0.0
        var exploitability = 0.0
        for s in 0..<n {
            residual += abs(phi[s] - mu[s])
            exploitability += mu[s] * (optimal.values[s] - vpi.values[s])
        }
        return PairEvaluation(meanField: mu, policy: policy, optimal: optimal, policyValues: vpi,
                              exploitability: exploitability, chainKernels: chainKernels,
                              populationUpdate: phi, stationarityResidual: residual)
    }

    /// Hands the sweep buffers of `dropped` pairs (their `V^π` kernels and `Q`) to later
    /// sweeps: for pairs the solver no longer holds. A pair that shares its buffers with
    /// one of `kept` (or with an earlier pair of `dropped`) is skipped; a buffer still
    /// referenced elsewhere would be copied on write, never overwritten, so results never
    /// depend on this.
    mutating func recycle(_ dropped: [PairEvaluation], keeping kept: [PairEvaluation]) {
        var seen = kept.map(\.kernelIdentity)
        for pair in dropped {
            let id = pair.kernelIdentity
            guard id != nil, !seen.contains(id) else { continue }
            seen.append(id)
            pool.give(SweepBuffers(kernels: pair.policyValues.kernelRows, q: pair.policyValues.qValues))
        }
    }

    /// The best-response pair `(BR_τ(μ), μ)`.
    mutating func bestResponsePair(_ mu: [Double]) throws(MeanFieldError) -> PairEvaluation {
        let snap = try game.snapshot(at: mu)
        let opt = try optimal(snap)
        return try pair(snap, optimal: opt, policy: nil)
    }
}

extension MeanFieldGame {
    /// Evaluates a pair `(π, μ)` from scratch: `V*_μ`, `V^π_μ`, the exploitability
    /// `E(π, μ)`, the population update `Φ(μ, π)` and the residual `‖Φ(μ, π) − μ‖₁`
    /// (Docs/Theory.md). Works for any pair, not only a solver's own.
    ///
    /// - Parameters:
    ///   - policy: `π` (must have the game's shape).
    ///   - meanField: `μ`.
    ///   - temperature: `τ ≥ 0` (the same for `V*` and `V^π`).
    ///   - population: which kernel moves the population (default worst case).
    ///   - options: inner value solves (default tolerance `1e-12`).
    /// - Complexity: two value solves and one sparse chain product.
    /// - Throws: validation errors of `μ`, `π` and the game data at `μ`;
    ///   ``MeanFieldError/numerical(_:)`` when a value solve does not converge.
    public func evaluate(policy: Policy, meanField: [Double], temperature: Double,
                         population: PopulationModel = .worstCase,
                         options: ValueSolverOptions = .init()) throws(MeanFieldError) -> PairEvaluation {
        try policy.check(against: self)
        let snap = try snapshot(at: meanField)
        try snap.checkTemperature(temperature)
        try options.validate()
        var evaluator = PairEvaluator(game: self, temperature: temperature, population: population, valueOptions: options)
        let opt = try evaluator.optimal(snap)
        return try evaluator.pair(snap, optimal: opt, policy: policy)
    }

    /// `E(π, μ) = Σ_s μ(s)[V*_μ(s) − V^π_μ(s)]` (Docs/Theory.md), both robust with the same `τ`.
    ///
    /// - Throws: as ``evaluate(policy:meanField:temperature:population:options:)``.
    public func exploitability(policy: Policy, meanField: [Double], temperature: Double,
                               options: ValueSolverOptions = .init()) throws(MeanFieldError) -> Double {
        try evaluate(policy: policy, meanField: meanField, temperature: temperature, options: options).exploitability
    }

    /// `Φ(μ, π)(t) = Σ_s μ(s) Σ_a π(a|s) K(t|s, a)` (Docs/Theory.md), with `K` nature's worst case
    /// against `V^π_μ` (``PopulationModel/worstCase``) or the nominal kernel.
    ///
    /// - Throws: as ``evaluate(policy:meanField:temperature:population:options:)``.
    public func populationUpdate(meanField: [Double], policy: Policy, temperature: Double,
                                 population: PopulationModel = .worstCase,
                                 options: ValueSolverOptions = .init()) throws(MeanFieldError) -> [Double] {
        try evaluate(policy: policy, meanField: meanField, temperature: temperature,
                     population: population, options: options).populationUpdate
    }

    /// The stationarity residual `‖Φ(μ, π) − μ‖₁` (Docs/Theory.md).
    ///
    /// - Throws: as ``evaluate(policy:meanField:temperature:population:options:)``.
    public func stationarityResidual(policy: Policy, meanField: [Double], temperature: Double,
                                     population: PopulationModel = .worstCase,
                                     options: ValueSolverOptions = .init()) throws(MeanFieldError) -> Double {
        try evaluate(policy: policy, meanField: meanField, temperature: temperature,
                     population: population, options: options).stationarityResidual
    }

    /// The best response `BR_τ(μ)` (Docs/Theory.md): greedy with the `1e-12·(1 + |Q*|)`
    /// tie-break for `τ = 0`, softmax of `Q*/τ` for `τ > 0`, where `Q*` is the robust
    /// optimal Q-function at `μ`.
    ///
    /// - Throws: validation errors of `μ` and the game data at `μ`;
    ///   ``MeanFieldError/numerical(_:)`` when the value solve does not converge.
    public func bestResponse(meanField: [Double], temperature: Double,
                             options: ValueSolverOptions = .init()) throws(MeanFieldError) -> Policy {
        let snap = try snapshot(at: meanField)
        let sol = try snap.optimalValues(temperature: temperature, options: options)
        guard sol.converged else { throw .numerical("robust value iteration did not converge (error bound \(sol.errorBound))") }
        return BestResponse.unchecked(qValues: sol.qValues, stateCount: stateCount, actionCount: actionCount, temperature: temperature)
    }

    /// Robust optimal values `V*_μ` (see ``GameSnapshot/optimalValues(temperature:warmStart:options:)``).
    ///
    /// - Throws: validation errors of `μ` and the game data at `μ`, and those of the snapshot method.
    public func optimalValues(meanField: [Double], temperature: Double, warmStart: [Double]? = nil,
                              options: ValueSolverOptions = .init()) throws(MeanFieldError) -> ValueSolution {
        try snapshot(at: meanField).optimalValues(temperature: temperature, warmStart: warmStart, options: options)
    }

    /// Robust policy values `V^π_μ` (see ``GameSnapshot/policyValues(policy:temperature:warmStart:options:)``).
    ///
    /// - Throws: validation errors of `μ`, `π` and the game data at `μ`, and those of the snapshot method.
    public func policyValues(policy: Policy, meanField: [Double], temperature: Double, warmStart: [Double]? = nil,
                             options: ValueSolverOptions = .init()) throws(MeanFieldError) -> ValueSolution {
        try snapshot(at: meanField).policyValues(policy: policy, temperature: temperature, warmStart: warmStart, options: options)
    }
}
