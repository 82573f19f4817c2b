/// The outer algorithm that searches for `(π*, μ*)` with `π* = BR_τ(μ*)` and `μ* = Φ(μ*, π*)`.
public enum EquilibriumMethod: String, Sendable, CaseIterable, Codable, Hashable {
    /// The default: for `τ < 0.1` a continuation in `τ` (stages at `τ = 1, 0.1, …`, each
    /// warm-started from the last, with Anderson bridge stages in between where Anderson
    /// fails across a stage); then ``anderson`` when `τ > 0`, switching to adaptive
    /// ``mirrorDescent`` when Anderson stalls (after the ``newton`` polish of Anderson's best
    /// iterate on games of at most 1000 states); adaptive ``mirrorDescent`` when `τ = 0`
    /// (Docs/Solvers.md).
    case auto
    /// Anderson-accelerated fixed point on `μ = Φ(μ, BR_τ(μ))`, safeguarded; from 300 states
    /// on `k` lazy population steps with the same fixed points (see Docs/Solvers.md).
    case anderson
    /// Damped fixed point `μ ← (1 − α)μ + α Stat(BR_τ(μ))`.
    case fixedPoint = "fixed-point"
    /// Fictitious play: best responses to the averaged mean field, averaged policies.
    case fictitiousPlay = "fictitious-play"
    /// Online mirror descent on robust Q-values.
    case mirrorDescent = "mirror-descent"
    /// Newton's method on `μ = Φ(μ, BR_τ(μ))` with a dense finite-difference Jacobian (from
    /// 150 states Newton–Krylov steps: GMRES on directional differences) and a line search (a
    /// local method, at most 1000 states); ``auto`` runs it from Anderson's best iterate when
    /// Anderson stalls (Docs/Solvers.md).
    case newton
    /// The support Newton stage of ``auto`` at `τ = 0` (Docs/Solvers.md): Levenberg–Marquardt
    /// on stationarity and indifference over a support guessed from a continuation stage, and its
    /// tie candidate (equal rewards on the states with mass, the index order planted in the
    /// values, a stationary policy by linear programming). It labels the trace records and
    /// results both produce; it cannot be requested (it needs a
    /// stage to start from), so it is not among ``allCases`` and ``EquilibriumOptions`` refuses it.
    case supportNewton = "support-newton"

    /// The methods that can be requested (every case but ``supportNewton``).
    public static var allCases: [EquilibriumMethod] { [.auto, .anderson, .fixedPoint, .fictitiousPlay, .mirrorDescent, .newton] }

    /// The method ``auto`` starts with at temperature `τ` (it may switch later; the
    /// result's ``EquilibriumResult/method`` is the method that produced it).
    public func resolved(temperature: Double) -> EquilibriumMethod {
        guard self == .auto else { return self }
        return temperature > 0 ? .anderson : .mirrorDescent
    }
}

/// How each inner problem `σ_U(V)` is solved.
public enum InnerMethod: String, Sendable, CaseIterable, Codable, Hashable {
    /// The Ambiguity module's closed forms (default).
    case closedForm = "closed-form"
    /// The linear-program path of the Ambiguity module.
    case lp
}

/// Options of ``MeanFieldGame/solveEquilibrium(options:)``.
public struct EquilibriumOptions: Sendable {
    /// The outer algorithm (default ``EquilibriumMethod/auto``).
    public var method: EquilibriumMethod
    /// Entropy temperature `τ ≥ 0` (default 0).
    public var temperature: Double
    /// Step `α ∈ (0, 1]`: the fixed-point step, the Anderson mixing parameter and the
    /// mirror-descent mean-field step. `nil` uses the method's default (fixed point 0.5,
    /// Anderson 1, mirror descent 0.5; fictitious play ignores it).
    public var damping: Double?
    /// Mirror-descent learning rate `η > 0` (default 1).
    public var learningRate: Double
    /// Convergence requires exploitability `≤ tolerance` AND stationarity residual
    /// `≤ tolerance` (default `1e-9`).
    public var tolerance: Double
    /// Outer iterations (pair evaluations recorded in the trace), `≥ 1` (default 1000).
    public var maxIterations: Int
    /// How inner problems are solved (default closed form).
    public var inner: InnerMethod
    /// Which kernel moves the population (default worst case).
    public var population: PopulationModel
    /// The initial mean field (default uniform).
    public var initialMeanField: [Double]?
    /// Anderson memory: the number of past differences kept, `≥ 1` (default 10). When Anderson
    /// iterates lazy population steps (games of 300 states or more) at least 30 are kept.
    public var andersonMemory: Int
    /// Anderson's population steps per evaluation of its map: `0` (default) chooses
    /// automatically (the one-step map `Φ` below 300 states, else `min(64, ⌈√n⌉)` lazy
    /// steps); `1` is always `Φ`; `k ≥ 2` iterates `μ ↦ μ L^j` with `L = (I + P)/2` and at
    /// most `k` steps `j`, stopped early once a step moves `μ` by little (Docs/Solvers.md,
    /// "Population steps").
    package var andersonSteps: Int = 0
    /// The frozen-policy crowd steps (lazy population steps that re-evaluate a `μ`-dependent
    /// kernel along the population's path, Docs/Solvers.md, "Population steps"): `0` (default)
    /// runs them as a stage of ``EquilibriumMethod/auto`` after Anderson on lazy steps stalls
    /// (games of 2000 states or more, closed-form inner path, a kernel or radius that depends
    /// on `μ`), re-evaluating the kernel every 10 steps; `r > 0` runs Anderson on them from
    /// the start, re-evaluating every `r` steps; `r < 0` never runs them.
    package var frozenPolicyRefresh: Int = 0
    /// The most frozen-policy crowd steps per image, in multiples of the lazy steps `k`
    /// (``frozenPolicySteps(lazySteps:)``): ``frozenPolicyStepFactor`` (4) by default, fewer
    /// for a start spread from a coarser grid's solution (`CoarseStart` (GameFiles) sets
    /// ``frozenPolicyCoarseStartStepFactor``), whose crowd is already in place, so that each
    /// image costs fewer kernel refreshes (Docs/Solvers.md, "Population steps"). At least 1.
    package var frozenPolicyStepMultiple: Int = EquilibriumOptions.frozenPolicyStepFactor
    /// Whether ``EquilibriumMethod/auto`` runs its frozen-policy stage from the first iteration
    /// where the stage applies (`SolverRun.frozenPolicyStageApplies`), with no Anderson phase
    /// on lazy steps before it: only for the run's first phase, from the initial mean field
    /// (not for continuation stages or later phases). `CoarseStart` (GameFiles) sets it for a
    /// start spread from a coarser grid's solution, whose crowd is already in place: the 500×500
    /// crowd grid's requested level then takes 57 iterations instead of 75, the whole chain 0.82×
    /// the time. Continuation stages (`SolverRun.enterStage`)
    /// clear it
    /// (Docs/Solvers.md, "Coarse-to-fine starts"; Docs/Performance.md, section 8, "Twenty-second
    /// round"). Default `false`: the lazy phase first, handing over at its first stall.
    package var frozenPolicyFromStart = false
    /// Whether the frozen-policy steps' refreshes rewrite one chain in place where the game's
    /// rows allow it (``FrozenChain``; the default), instead of sweeping the rows and building
    /// a chain at each refresh. The results are the same bit for bit; `false` is for the tests
    /// and measurements that compare the two.
    package var frozenChainInPlace = true
    /// Whether the frozen-policy steps on a chain rewritten in place take their steps by tiles
    /// where the chain is large and local enough (``LazyPopulationSteps/applyByTiles(_:steps:stopChange:relativeStop:execution:scratch:)``;
    /// the default). The images are the same bit for bit; `false` is for the tests and
    /// measurements that compare the two.
    package var tiledSteps = true
    /// Re-solve every inner problem of the final iterate through the LP path and
    /// report ``VerificationReport`` (default `false`).
    public var verify: Bool
    /// Re-solve every inner problem of the final pair (against `V*` and `V^π`) as a
    /// linear program in exact rational arithmetic (`glp_exact`) and compare it with
    /// the value the solver used; reported in ``EquilibriumResult/exactVerification``
    /// (default `false`). `kl` and `chi2` rows are not linear programs: they are counted
    /// apart and checked by their certified dual (see ``ExactVerificationReport``).
    public var exact: Bool = false
    /// Inner value solves: tolerance (default `1e-12`), budget, acceleration and execution.
    public var values: ValueSolverOptions
    /// Called after every outer iteration with its trace record (for progress
    /// displays). It runs on the solving thread and must return quickly.
    public var progress: (@Sendable (IterationRecord) -> Void)? = nil

    /// Serial or parallel Bellman sweeps (shorthand for `values.execution`).
    public var execution: ExecutionMode {
        get { values.execution }
        set { values.execution = newValue }
    }

    /// All defaults as documented on each property.
    public init(method: EquilibriumMethod = .auto, temperature: Double = 0, damping: Double? = nil,
                learningRate: Double = 1, tolerance: Double = 1e-9, maxIterations: Int = 1000,
                inner: InnerMethod = .closedForm, population: PopulationModel = .worstCase,
                initialMeanField: [Double]? = nil, andersonMemory: Int = 10, verify: Bool = false,
                values: ValueSolverOptions = .init()) {
        self.method = method
        self.temperature = temperature
        self.damping = damping
        self.learningRate = learningRate
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.inner = inner
        self.population = population
        self.initialMeanField = initialMeanField
        self.andersonMemory = andersonMemory
        self.verify = verify
        self.values = values
    }

    func validate(for game: MeanFieldGame) throws(MeanFieldError) {
        guard method != .supportNewton else {
            throw .invalidOption(field: .method, message: "support-newton is a stage of auto and cannot be requested")
        }
        guard temperature.isFinite, temperature >= 0 else {
            throw .invalidOption(field: .temperature, message: "\(temperature), expected a finite number >= 0")
        }
        if let damping {
            guard damping.isFinite, damping > 0, damping <= 1 else {
                throw .invalidOption(field: .damping, message: "\(damping), expected 0 < damping <= 1")
            }
        }
        guard learningRate.isFinite, learningRate > 0 else {
            throw .invalidOption(field: .learningRate, message: "\(learningRate), expected a finite number > 0")
        }
        guard tolerance.isFinite, tolerance > 0 else {
            throw .invalidOption(field: .tolerance, message: "\(tolerance), expected a finite number > 0")
        }
        guard maxIterations >= 1 else {
            throw .invalidOption(field: .maxIterations, message: "\(maxIterations), expected at least 1")
        }
        guard andersonMemory >= 1 else {
            throw .invalidOption(field: .andersonMemory, message: "\(andersonMemory), expected at least 1")
        }
        guard andersonSteps >= 0 else {
            throw .invalidOption(field: .andersonSteps, message: "\(andersonSteps), expected at least 0 (0: automatic)")
        }
        try values.validate()
        if let initialMeanField {
            do throws(MeanFieldError) {
                try game.validateMeanField(initialMeanField)
            } catch {
                throw .invalidOption(field: .initial, message: error.description)
            }
        }
    }
}

/// One row of a solver's trace: the pair the solver holds at one outer iteration.
public struct IterationRecord: Sendable, Hashable, Codable {
    /// 0-based outer iteration.
    public let iteration: Int
    /// `E(π_k, μ_k)` of the pair held at this iteration.
    public let exploitability: Double
    /// `‖Φ(μ_k, π_k) − μ_k‖₁`.
    public let stationarityResidual: Double
    /// `‖μ_{k+1} − μ_k‖₁`, the L1 size of the update computed at this iteration
    /// (0 on the iteration that converged, since no update follows).
    public let meanFieldChange: Double
    /// Wall-clock seconds since the solve started, at the end of this iteration.
    public let seconds: Double
    /// The method that produced this iteration's pair (``EquilibriumMethod/auto`` never
    /// appears: it runs as one of the others, see ``EquilibriumResult/switches``).
    public let method: EquilibriumMethod
    /// The temperature at which this iteration's pair was evaluated: the requested `τ`, or
    /// the larger `τ` of one of ``EquilibriumMethod/auto``'s continuation stages.
    public var temperature: Double = 0
}

/// The result of the inner-problem verification through the LP path.
public struct VerificationReport: Sendable, Hashable, Codable {
    /// The number of inner problems re-solved (`n·m` per value function checked).
    public let problems: Int
    /// The largest `|σ_closed-form − σ_LP|`.
    public let maxDisagreement: Double
}

/// What ``MeanFieldGame/solveEquilibrium(options:)`` returns. Never silent:
/// ``converged`` says whether the tolerance was met, and ``trace`` shows every iteration.
public struct EquilibriumResult: Sendable {
    /// The method that produced the returned pair: the last one that ran
    /// (``EquilibriumMethod/auto`` resolved, after any ``switches``).
    public let method: EquilibriumMethod
    /// `true` when exploitability and stationarity residual are both `≤ tolerance`.
    public let converged: Bool
    /// Outer iterations run (= `trace.count`).
    public let iterations: Int
    /// `μ` of the returned pair (the converged iterate, else the last one).
    public let meanField: [Double]
    /// `π` of the returned pair.
    public let policy: Policy
    /// `V^π_μ`, the robust value of `π` at `μ`.
    public let values: [Double]
    /// `V*_μ`, the robust optimal value at `μ`.
    public let optimalValues: [Double]
    /// `E(π, μ)` of the returned pair.
    public let exploitability: Double
    /// `‖Φ(μ, π) − μ‖₁` of the returned pair.
    public let stationarityResidual: Double
    /// One record per outer iteration.
    public let trace: [IterationRecord]
    /// Wall-clock seconds of the whole solve.
    public let seconds: Double
    /// Set when ``EquilibriumOptions/verify`` was requested.
    public let verification: VerificationReport?
    /// A sentence on why the solver stopped.
    public let message: String
    /// The changes of method during the solve, in order (empty when the method that
    /// started ran to the end; see ``MethodSwitch``).
    public let switches: [MethodSwitch]
    /// The LP inner path's counters (solves, pivots per warm re-solve, builds) when
    /// ``EquilibriumOptions/inner`` is ``InnerMethod/lp``, else `nil`.
    public var lpStatistics: LPPathStatistics? = nil
    /// Set when ``EquilibriumOptions/exact`` was requested.
    public var exactVerification: ExactVerificationReport? = nil
}

/// A change of method during an equilibrium solve: Anderson's fallback to the damped
/// fixed point, or ``EquilibriumMethod/auto`` handing over from Anderson to mirror
/// descent (Docs/Solvers.md).
public struct MethodSwitch: Sendable, Hashable, Codable {
    /// The first iteration (index into ``EquilibriumResult/trace``) run by the new method.
    public let iteration: Int
    /// The method that stopped.
    public let from: EquilibriumMethod
    /// The method that took over.
    public let to: EquilibriumMethod
    /// The temperature the new method runs at (a continuation stage of
    /// ``EquilibriumMethod/auto`` changes it; `nil` when not recorded).
    public var temperature: Double?

    /// A switch.
    public init(iteration: Int, from: EquilibriumMethod, to: EquilibriumMethod, temperature: Double? = nil) {
        self.iteration = iteration
        self.from = from
        self.to = to
        self.temperature = temperature
    }
}

/// Wall-clock timing for traces.
struct Stopwatch {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    init() { start = clock.now }
    var seconds: Double {
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
