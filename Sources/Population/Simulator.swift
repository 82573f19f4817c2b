import Ambiguity
import Foundation
import MeanField
import Randomness

/// The mean-field equilibrium `(π*, μ*)` played by `N` agents (Docs/Theory.md, §4).
///
/// Agents are exchangeable, so the simulator tracks the *counts* of agents per state
/// rather than each agent: at every step the agents in state `s` are split over the
/// actions by a multinomial draw from `π*(·|s)`, and the agents at `(s, a)` over the next
/// states by a multinomial draw from the kernel of the chosen ``TrueModel`` at the current
/// empirical distribution `μ^N`. All agents at the same `(s, a)` share one kernel row per
/// step, and every multinomial is drawn by sequential binomial inversion
/// (exact, one uniform per draw), so a step costs `O(n·m·n)` draws whatever `N` is.
///
/// The deviation gain (``deviationGain(agents:episodes:steps:seed:nature:)``) follows
/// one *tagged* agent individually beside the `N − 1` others; see Docs/Population.md.
public struct FinitePopulation: Sendable {
    /// The game.
    public let game: MeanFieldGame
    /// The mean-field equilibrium distribution `μ*` (initial law of every agent).
    public let meanField: [Double]
    /// The mean-field equilibrium policy `π*`, played by every non-deviating agent.
    public let policy: Policy
    /// The entropy temperature `τ ≥ 0` of the robust values and best responses.
    public let temperature: Double
    /// Which kernel moves the agents.
    public let trueModel: TrueModel
    /// Options of every value solve at an empirical distribution.
    public let valueOptions: ValueSolverOptions

    /// Validates the pair against the game.
    ///
    /// - Throws: ``PopulationError/invalidArgument(field:message:)`` for a policy of another
    ///   shape or a bad temperature, ``PopulationError/game(_:)`` for an invalid `μ*`.
    public init(game: MeanFieldGame, meanField: [Double], policy: Policy, temperature: Double,
                trueModel: TrueModel = .worstCase, valueOptions: ValueSolverOptions = .init()) throws(PopulationError) {
        guard policy.stateCount == game.stateCount, policy.actionCount == game.actionCount else {
            throw .invalidArgument(field: .policy, message: "shape \(policy.stateCount) x \(policy.actionCount), expected \(game.stateCount) x \(game.actionCount)")
        }
        guard temperature.isFinite, temperature >= 0 else {
            throw .invalidArgument(field: .temperature, message: "\(temperature), expected a finite number >= 0")
        }
        try lift { () throws(MeanFieldError) in try game.validateMeanField(meanField) }
        self.game = game
        self.meanField = meanField
        self.policy = policy
        self.temperature = temperature
        self.trueModel = trueModel
        self.valueOptions = valueOptions
    }

    var n: Int { game.stateCount }
    var m: Int { game.actionCount }

    // MARK: - Per-distribution data

    /// Everything a step needs at one empirical distribution (cached by counts).
    struct Context {
        let snapshot: GameSnapshot
        /// Dense true-model rows per `(s, a)`; empty for ``TrueModel/random`` (drawn per step).
        let populationRows: [[Double]]
        /// Nature's worst case against `V^{π*}_μ`, dense, per `(s, a)`.
        let baselineNature: [[Double]]
        /// `BR_τ(μ)`, row-major (empty when not requested).
        let deviationPolicy: [Double]
        /// Nature's worst case against `V*_μ`, dense, per `(s, a)` (empty when not requested).
        let deviationNature: [[Double]]
    }

    /// Dense worst-case rows against `values` at a snapshot.
    static func worstCaseRows(_ snap: GameSnapshot, values: [Double]) -> [[Double]] {
        let sorted = SortedValues(values)
        return (0..<(snap.stateCount * snap.actionCount)).map { i in
            snap.ambiguity.worstCaseDistribution(nominal: snap.kernel(i), values: sorted, radius: snap.radii[i])
                .distribution.dense(count: snap.stateCount)
        }
    }

    func context(counts: [Int], deviation: Bool) throws(PopulationError) -> Context {
        let total = counts.reduce(0, +)
        return try context(meanField: counts.map { Double($0) / Double(total) }, deviation: deviation)
    }

    func context(meanField mu: [Double], deviation: Bool) throws(PopulationError) -> Context {
        let snap = try lift { () throws(MeanFieldError) in try game.snapshot(at: mu) }
        let tau = temperature, options = valueOptions, pi = policy
        let vpi = try lift { () throws(MeanFieldError) in try snap.policyValues(policy: pi, temperature: tau, options: options) }
        guard vpi.converged else {
            throw .game(.numerical("robust policy evaluation at μ^N = \(mu) did not converge (error bound \(vpi.errorBound))"))
        }
        let baseline = Self.worstCaseRows(snap, values: vpi.values)
        let rows: [[Double]]
        switch trueModel {
        case .worstCase: rows = baseline
        case .nominal: rows = snap.kernels.map { $0.dense(count: n) }
        case .random: rows = []
        }
        var brPolicy: [Double] = []
        var brNature: [[Double]] = []
        if deviation {
            let opt = try lift { () throws(MeanFieldError) in try snap.optimalValues(temperature: tau, options: options) }
            guard opt.converged else {
                throw .game(.numerical("robust value iteration at μ^N = \(mu) did not converge (error bound \(opt.errorBound))"))
            }
            let n = self.n, m = self.m
            brPolicy = try lift { () throws(MeanFieldError) in
                try BestResponse.policy(qValues: opt.qValues, stateCount: n, actionCount: m, temperature: tau)
            }.probabilities
            brNature = Self.worstCaseRows(snap, values: opt.values)
        }
        return Context(snapshot: snap, populationRows: rows, baselineNature: baseline,
                       deviationPolicy: brPolicy, deviationNature: brNature)
    }

    /// A bounded memo of contexts keyed by the full count vector.
    struct ContextCache {
        var entries: [[Int]: Context] = [:]
        let deviation: Bool
        static let capacity = 20_000

        mutating func get(_ counts: [Int], _ owner: FinitePopulation) throws(PopulationError) -> Context {
            if let c = entries[counts] { return c }
            let c = try owner.context(counts: counts, deviation: deviation)
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[counts] = c
            return c
        }
    }

    /// The rows that move the population this step: the context's, or (``TrueModel/random``)
    /// one kernel per `(s, a)` drawn inside `U(s, a, μ^N)` from `random` (`n + 1` uniforms per row).
    func populationRows(_ ctx: Context, random: inout SplitMix64) -> [[Double]] {
        guard trueModel == .random else { return ctx.populationRows }
        let snap = ctx.snapshot
        return (0..<(n * m)).map { i in
            var v = [Double](repeating: 0, count: n)
            for t in 0..<n { v[t] = random.openUnit() }
            let u = random.openUnit()
            let p = snap.kernel(i).dense(count: n)
            let q = snap.ambiguity.worstCaseDistribution(nominal: snap.kernel(i), values: SortedValues(v),
                                                         radius: snap.radii[i]).distribution.dense(count: n)
            return (0..<n).map { t in (1 - u) * p[t] + u * q[t] }
        }
    }

    /// Moves `counts` agents playing `π*` one step with the given rows.
    /// Consumes exactly `n·((m − 1) + m·(n − 1))` uniforms from `random`.
    func advance(_ counts: [Int], rows: [[Double]], random: inout SplitMix64) -> [Int] {
        var next = [Int](repeating: 0, count: n)
        var byAction = [Int](repeating: 0, count: m)
        let pi = policy.probabilities
        for s in 0..<n {
            for a in 0..<m { byAction[a] = 0 }
            Sampling.multinomial(count: counts[s], probabilities: Array(pi[(s * m)..<((s + 1) * m)]),
                                 into: &byAction, random: &random)
            for a in 0..<m {
                Sampling.multinomial(count: byAction[a], probabilities: rows[s * m + a], into: &next, random: &random)
            }
        }
        return next
    }

    func checkCounts(_ counts: [Int]) throws(PopulationError) {
        guard counts.count == n else {
            throw .invalidArgument(field: .counts, message: "\(counts.count) entries, expected \(n)")
        }
        guard counts.allSatisfy({ $0 >= 0 }), counts.reduce(0, +) >= 1 else {
            throw .invalidArgument(field: .counts, message: "\(counts), expected non-negative counts of at least one agent")
        }
    }

    // MARK: - Simulation

    /// One step of the `N`-agent game in which every agent plays `π*`: the counts per
    /// state after every agent acted and moved under the true model at `μ^N = counts/N`.
    ///
    /// `E[μ^N_1 | μ^N_0 = μ] = Φ(μ, π*)` for the worst-case and nominal true models
    /// (the population update of Docs/Theory.md, §2, with `population` the same model).
    /// - Throws: ``PopulationError/invalidArgument(field:message:)`` for bad counts,
    ///   ``PopulationError/game(_:)`` when the game is invalid at `μ^N`.
    public func step(counts: [Int], random: inout SplitMix64) throws(PopulationError) -> [Int] {
        try checkCounts(counts)
        let ctx = try context(counts: counts, deviation: false)
        let rows = populationRows(ctx, random: &random)
        return advance(counts, rows: rows, random: &random)
    }

    /// Simulates `N` agents that start i.i.d. from `μ*` (or from `initial` counts) and all play `π*`.
    ///
    /// Deterministic for a seed.
    /// - Parameters:
    ///   - agents: `N ≥ 1` (ignored when `initial` is given).
    ///   - steps: `T ≥ 0` steps.
    ///   - seed: the random seed.
    ///   - initial: optional counts per state at time 0.
    /// - Returns: the empirical distributions `μ^N_0, …, μ^N_T`.
    /// - Complexity: `T` steps of `O(n²m)` binomial draws, each `O(√N)`, plus one robust
    ///   policy evaluation per distinct `μ^N` visited.
    /// - Throws: as ``step(counts:random:)``, and for `agents < 1` or `steps < 0`.
    public func simulate(agents: Int, steps: Int, seed: UInt64, initial: [Int]? = nil) throws(PopulationError) -> PopulationTrajectory {
        guard steps >= 0 else { throw .invalidArgument(field: .steps, message: "\(steps), expected at least 0") }
        var counts: [Int]
        if let initial {
            try checkCounts(initial)
            counts = initial
        } else {
            guard agents >= 1 else { throw .invalidArgument(field: .agents, message: "\(agents), expected at least 1") }
            counts = [Int](repeating: 0, count: n)
            var r = SplitMix64(seed: seed, streams: agents, -1, 0)
            Sampling.multinomial(count: agents, probabilities: meanField, into: &counts, random: &r)
        }
        let total = counts.reduce(0, +)
        var cache = ContextCache(deviation: false)
        var out: [[Double]] = [counts.map { Double($0) / Double(total) }]
        for t in 0..<steps {
            let ctx = try cache.get(counts, self)
            var modelRandom = SplitMix64(seed: seed, streams: total, 0, t, 2)
            let rows = populationRows(ctx, random: &modelRandom)
            var r = SplitMix64(seed: seed, streams: total, 0, t, 0)
            counts = advance(counts, rows: rows, random: &r)
            out.append(counts.map { Double($0) / Double(total) })
        }
        return PopulationTrajectory(agents: total, distributions: out, meanField: meanField)
    }
}

/// The empirical distributions of one simulated run.
public struct PopulationTrajectory: Sendable {
    /// `N`.
    public let agents: Int
    /// `μ^N_t` for `t = 0, …, T`.
    public let distributions: [[Double]]
    /// `‖μ^N_t − μ*‖₁` for each `t`.
    public let errors: [Double]

    init(agents: Int, distributions: [[Double]], meanField: [Double]) {
        self.agents = agents
        self.distributions = distributions
        self.errors = distributions.map { d in zip(d, meanField).reduce(0) { $0 + abs($1.0 - $1.1) } }
    }

    /// The mean of ``errors``.
    public var meanError: Double { errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count) }
}
