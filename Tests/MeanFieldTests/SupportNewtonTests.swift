import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The support Newton stage of `auto` at τ = 0 (``SupportNewton``, Docs/Solvers.md): checked
/// against the closed-form mixed equilibrium of rock–paper–scissors, for rejection of a wrong
/// support, and end to end through `auto`.
@Suite struct SupportNewtonTests {
    /// Generalized rock–paper–scissors (Examples/rock-paper-scissors.yaml): state = the sign
    /// played last, action `a` moves to state `a`, reward `Σ_t payoff[s][t] μ(t)`, γ = 0.9.
    static func rockPaperScissors(set: AmbiguitySet = .nominalOnly, radius: Double = 0) throws -> MeanFieldGame {
        let payoff: [[Double]] = [[0, -1, 2], [4, 0, -2], [-4, 2, 0]]
        return try MeanFieldGame(
            stateCount: 3, actionCount: 3, discount: 0.9, ambiguity: set,
            reward: { s, _, mu in (0..<3).reduce(0) { $0 + payoff[s][$1] * mu[$1] } },
            kernel: { _, a, _ in SparseDistribution(indices: [a], probabilities: [1]) },
            kernelDependsOnMeanField: false,
            radius: { _, _, _ in radius }, radiusDependsOnMeanField: false)
    }

    /// The closed form at τ = 0: every sign is played, so every action is optimal in every state;
    /// `Q(s, a) = r(s, μ) + γ σ_a(V)` makes all `V(a)` equal, hence all rewards equal:
    /// `2μ_S − μ_P = 4μ_R − 2μ_S = 2μ_P − 4μ_R` with `Σμ = 1`, i.e. `μ* = (0.2, 0.48, 0.32)`. The
    /// policy is then any `π` whose flow keeps `μ*`: `Σ_s μ(s) π(t|s) = μ(t)` (nominal), or with a
    /// tv ball of radius `ρ` on the simplex, where nature moves `ρ` of every row to one state `k`
    /// of lowest value, `(1 − ρ) Σ_s μ(s) π(t|s) + ρ [t = k] = μ(t)`.
    static let closedForm = [0.2, 0.48, 0.32]

    /// A pair near the closed form, evaluated at τ = 0 by the run's own evaluator.
    static func start(_ run: inout SolverRun, offset: [Double]) throws -> PairEvaluation {
        let mu = (0..<3).map { closedForm[$0] + offset[$0] }
        let pi = Policy(unchecked: 3, 3, (0..<9).map { i in [0.3, 0.4, 0.3][i % 3] })
        let snap = try run.game.snapshot(at: mu)
        let opt = try run.evaluator.optimal(snap)
        return try run.evaluator.pair(snap, optimal: opt, policy: pi)
    }

    /// The averaged flow `Σ_s μ(s) π(t|s)`.
    static func flow(_ mu: [Double], _ policy: Policy) -> [Double] {
        (0..<3).map { t in (0..<3).reduce(0) { $0 + mu[$1] * policy[$1, t] } }
    }

    @Test(arguments: [[1e-3, -2e-3, 1e-3], [-2e-3, 5e-4, 1.5e-3]])
    func nominalMatchesTheClosedForm(offset: [Double]) throws {
        let game = try Self.rockPaperScissors()
        var run = SolverRun(game: game, options: EquilibriumOptions(temperature: 0, population: .nominal), method: .auto)
        let start = try Self.start(&run, offset: offset)
        #expect(start.exploitability > 1e-6)  // the start is not an equilibrium
        let result = try #require(try run.supportNewtonStage(from: start, stage: 0.01))
        #expect(result.converged && result.method == .supportNewton)
        #expect(isApproximatelyEqual(result.meanField, Self.closedForm, absolute: 1e-9, relative: 0), "\(result.meanField)")
        #expect(isApproximatelyEqual(Self.flow(result.meanField, result.policy), result.meanField, absolute: 1e-9, relative: 0))
        let last = try #require(result.trace.last)
        #expect(last.method == .supportNewton && last.temperature == 0)
        // The returned pair, re-evaluated by the public evaluation with a fresh evaluator.
        let check = try game.evaluate(policy: result.policy, meanField: result.meanField, temperature: 0, population: .nominal)
        #expect(check.exploitability <= 1e-9 && check.stationarityResidual <= 1e-9)
    }

    /// With tv 0.05 and a worst-case population every value ties at the equilibrium, so nature's
    /// kernel is decided by the tie rule (or by which value rounds lowest): the accepted pair
    /// must match the closed form for one sink `k`.
    @Test func worstCaseTvMatchesTheClosedForm() throws {
        let game = try Self.rockPaperScissors(set: .totalVariation(), radius: 0.05)
        let options = EquilibriumOptions(method: .auto, temperature: 0, maxIterations: 100_000)
        let result = try game.solveEquilibrium(options: options)
        #expect(result.converged && result.method == .supportNewton, "\(result.message)")
        #expect(isApproximatelyEqual(result.meanField, Self.closedForm, absolute: 1e-8, relative: 0), "\(result.meanField)")
        let flow = Self.flow(result.meanField, result.policy)
        let sinks = (0..<3).filter { k in
            isApproximatelyEqual((0..<3).map { 0.95 * flow[$0] + ($0 == k ? 0.05 : 0) }, result.meanField, absolute: 1e-8, relative: 0)
        }
        #expect(sinks.count == 1, "\(flow)")
        let check = try game.evaluate(policy: result.policy, meanField: result.meanField, temperature: 0)
        #expect(check.exploitability <= 1e-9 && check.stationarityResidual <= 1e-9)
        #expect(result.switches.last?.to == .supportNewton)
    }

    /// A support that cannot hold an equilibrium is rejected: far from the closed form with a
    /// tiny `δ` every state's support is its single best action, Levenberg–Marquardt ends on a
    /// pure pair, and its evaluation at τ = 0 does not meet the tolerance; the stage returns
    /// `nil`, its records are labelled `support-newton` and none of them is converged.
    @Test func wrongSupportIsRejected() throws {
        let game = try Self.rockPaperScissors()
        var run = SolverRun(game: game, options: EquilibriumOptions(temperature: 0, population: .nominal), method: .auto)
        let start = try Self.start(&run, offset: [0.3, -0.2, -0.1])
        let before = run.trace.count
        #expect(try run.supportNewtonStage(from: start, stage: 1e-9) == nil)
        let records = run.trace[before...]
        #expect(!records.isEmpty)
        for r in records {
            #expect(r.method == .supportNewton && r.temperature == 0)
            #expect(r.exploitability > 1e-9 || r.stationarityResidual > 1e-9)
        }
        // Stages above the threshold are not used at all.
        #expect(try run.supportNewtonStage(from: start, stage: 0.1) == nil)
        #expect(run.trace.count == before + records.count)
    }

    /// Broyden's update satisfies the secant equation `J' s = ΔF`; the support system reads a
    /// policy (weights clipped and rescaled) and a mean field (clipped, normalized) from `x`.
    @Test func broydenAndSupportMapping() {
        let columns = [[1.0, 0, 2], [0.5, -1, 0]]
        let s = [0.3, -0.7], df = [0.1, 0.2, -0.4]
        let next = SupportResidual.broyden(columns, step: s, change: df)
        let js = (0..<3).map { i in next[0][i] * s[0] + next[1][i] * s[1] }
        #expect(isApproximatelyEqual(js, df, absolute: 1e-15, relative: 0))
        let system = SupportSystem(supports: [[1, 0, 2], [2]], actionCount: 3)
        #expect(system.weights == [SupportWeight(state: 0, action: 0), SupportWeight(state: 0, action: 2)])
        let p = system.policy([0.5, 0.5, 0.9, -0.1])
        #expect(isApproximatelyEqual(p, [0.9, 0.1, 0, 0, 0, 1], absolute: 1e-15, relative: 0))
        let q = system.policy([0.5, 0.5, 1.5, 0.5])
        #expect(isApproximatelyEqual(q, [0.75, 0, 0.25, 0, 0, 1], absolute: 1e-15, relative: 0))
        #expect(system.meanField([-0.2, 0.4, 0, 0]) == [0, 1])
        #expect(system.dropped(atZero: p) == SupportSystem(supports: [[1, 0], [2]], actionCount: 3))
    }

    /// `support-newton` labels records but cannot be requested.
    @Test func cannotBeRequested() throws {
        let game = try Self.rockPaperScissors()
        #expect(!EquilibriumMethod.allCases.contains(.supportNewton))
        #expect(throws: MeanFieldError.self) { try game.solveEquilibrium(options: EquilibriumOptions(method: .supportNewton)) }
    }
}
