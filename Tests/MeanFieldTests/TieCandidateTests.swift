import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// The tie candidate of `auto` at τ = 0 (``TieCandidate``, Docs/Solvers.md, "The tie candidate"),
/// checked against the closed-form equilibrium of rock–paper–scissors, where every value ties
/// (``SupportNewtonTests/closedForm``: equal rewards give `μ* = (0.2, 0.48, 0.32)`), and for its
/// refusal where the values do not tie.
@Suite struct TieCandidateTests {
    /// Nominal, and tv 0.05 on the simplex with a worst-case population. With tv every row sends
    /// `ρ` to the lowest state; the planted index order makes that state 0, so the flow must
    /// satisfy `(1 − ρ) Σ_s μ(s) π(t|s) + ρ [t = 0] = μ(t)` (plain loops, not the library's step).
    @Test(arguments: [false, true])
    func matchesTheClosedForm(worstCase: Bool) throws {
        let game = try worstCase
            ? SupportNewtonTests.rockPaperScissors(set: .totalVariation(), radius: 0.05)
            : SupportNewtonTests.rockPaperScissors()
        let rho = worstCase ? 0.05 : 0
        var run = SolverRun(game: game, options: EquilibriumOptions(temperature: 0, population: worstCase ? .worstCase : .nominal),
                            method: .auto)
        let start = try SupportNewtonTests.start(&run, offset: [1e-3, -2e-3, 1e-3])
        #expect(start.exploitability > 1e-6)  // the start is not an equilibrium
        let result = try #require(try run.tieCandidateStage(from: start, stage: 0.01))
        #expect(result.converged && result.method == .supportNewton)
        #expect(result.message.contains("the tie candidate of the support Newton stage"), "\(result.message)")
        // μ' differs from the tie by the planted steps (η = 1e-11 times ranks 0–2).
        #expect(isApproximatelyEqual(result.meanField, SupportNewtonTests.closedForm, absolute: 1e-9, relative: 0), "\(result.meanField)")
        let flow = SupportNewtonTests.flow(result.meanField, result.policy)
        let image = (0..<3).map { (1 - rho) * flow[$0] + ($0 == 0 ? rho : 0) }
        #expect(isApproximatelyEqual(image, result.meanField, absolute: 1e-9, relative: 0), "\(image)")
        let last = try #require(result.trace.last)
        #expect(last.method == .supportNewton && last.temperature == 0)
        let check = try game.evaluate(policy: result.policy, meanField: result.meanField, temperature: 0,
                                      population: worstCase ? .worstCase : .nominal)
        #expect(check.exploitability <= 1e-9 && check.stationarityResidual <= 1e-9)
    }

    /// Far from the tie (values spread by more than `30 τ` of the stage) the candidate is not
    /// formed: `nil` and no trace record; nor from a stage above `τ = 0.01`.
    @Test func refusedWhereTheValuesDoNotTie() throws {
        let game = try SupportNewtonTests.rockPaperScissors()
        var run = SolverRun(game: game, options: EquilibriumOptions(temperature: 0, population: .nominal), method: .auto)
        let far = try SupportNewtonTests.start(&run, offset: [0.3, -0.2, -0.1])
        let spread = far.optimal.values.max()! - far.optimal.values.min()!
        #expect(spread > 30 * 0.01, "\(spread)")
        let before = run.trace.count
        #expect(try run.tieCandidateStage(from: far, stage: 0.01) == nil)
        let near = try SupportNewtonTests.start(&run, offset: [1e-3, -2e-3, 1e-3])
        #expect(try run.tieCandidateStage(from: near, stage: 0.1) == nil)
        #expect(run.trace.count == before)
    }

    /// The stationary policy's linear program against a hand-made chain: two states, two actions
    /// (action 0 stays, action 1 moves to the other state). `μ = (0.25, 0.75)` is stationary when
    /// the flows across balance, `0.25 π(1|0) = 0.75 π(1|1)`; with only "stay" allowed in state 1
    /// the only solution is `π(1|0) = 0`; with only "move" in state 0 and only "stay" in state 1 there is none.
    @Test func stationaryPolicyLinearProgram() throws {
        let stay0 = SparseDistribution(indices: [0], probabilities: [1]), move0 = SparseDistribution(indices: [1], probabilities: [1])
        let stay1 = SparseDistribution(indices: [1], probabilities: [1]), move1 = SparseDistribution(indices: [0], probabilities: [1])
        let kernels = KernelRows(rows: [stay0, move0, stay1, move1])
        let mu = [0.25, 0.75]
        let pi = try #require(SolverRun.stationaryPolicy(mu, occupied: [0, 1], supports: [[0, 1], [0, 1]], kernels: kernels,
                                                          stateCount: 2, actionCount: 2))
        #expect(isApproximatelyEqual(0.25 * pi[1], 0.75 * pi[3], absolute: 1e-15, relative: 0), "\(pi)")
        #expect(isApproximatelyEqual([pi[0] + pi[1], pi[2] + pi[3]], [1, 1], absolute: 1e-15, relative: 0))
        let stayOnly = try #require(SolverRun.stationaryPolicy(mu, occupied: [0, 1], supports: [[0, 1], [0]], kernels: kernels,
                                                                stateCount: 2, actionCount: 2))
        #expect(stayOnly == [1, 0, 1, 0])
        #expect(SolverRun.stationaryPolicy(mu, occupied: [0, 1], supports: [[1], [0]], kernels: kernels,
                                           stateCount: 2, actionCount: 2) == nil)
    }
}
