import Ambiguity
@testable import MeanField
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The frozen-policy crowd steps (lazy population steps with the kernel re-evaluated along
/// the population's path), against a plain dense reference written from the crowd grid's
/// formulas, and solves on them re-checked from scratch.
@Suite struct FrozenPolicyStepsTests {
    /// The crowd grid's nominal row `(s, a)` at `ν` as a dense vector (the formulas of
    /// ``AndersonStepsTests/crowdGrid(side:radius:)``, written out again).
    static func nominalRow(side: Int, _ s: Int, _ a: Int, _ nu: [Double]) -> [Double] {
        let n = side * side
        let dx = [0, 0, -1, 1, 0], dy = [-1, 1, 0, 0, 0]
        let x = s % side + dx[a], y = s / side + dy[a]
        let t = x >= 0 && x < side && y >= 0 && y < side ? x + side * y : s
        var row = [Double](repeating: 0, count: n)
        let go = 0.9 * exp(-0.5 * Double(n) * nu[t])
        row[t] += go
        row[s] += 1 - go
        return row
    }

    /// TV worst case with `support: nominal` against `v`: up to `ρ` of mass taken from the
    /// successors of highest `(v_t, t)` first and given to the successor of lowest `(v_t, t)`.
    static func worstCase(_ p: [Double], values v: [Double], radius: Double) -> [Double] {
        let support = p.indices.filter { p[$0] > 0 }
        guard let low = support.min(by: { (v[$0], $0) < (v[$1], $1) }) else { return p }
        var q = p
        var budget = radius
        for t in support.sorted(by: { (v[$0], $0) > (v[$1], $1) }) where t != low && budget > 0 {
            let take = min(budget, q[t])
            q[t] -= take
            q[low] += take
            budget -= take
        }
        return q
    }

    /// The frozen-policy image by dense loops: the chain of `π` at the kernel of the block's
    /// first `ν` (every `refresh` steps), nature against the frozen `v`, the same stop rule.
    static func denseFrozenImage(side: Int, radius: Double, policy: Policy, values v: [Double], from mu: [Double],
                                 most: Int, refresh: Int, tolerance: Double) -> [Double] {
        let n = side * side
        var nu = mu
        var chain = [[Double]]()
        var threshold = -1.0
        for j in 0..<most {
            if j % refresh == 0 {
                chain = (0..<n).map { s in
                    var row = [Double](repeating: 0, count: n)
                    for a in 0..<5 {
                        let p = nominalRow(side: side, s, a, nu)
                        let q = radius > 0 ? worstCase(p, values: v, radius: radius) : p
                        for t in 0..<n { row[t] += policy[s, a] * q[t] }
                    }
                    return row
                }
            }
            let next = AndersonStepsTests.denseLazyPower(nu, chain, steps: 1)
            let moved = Simplex.l1(next, nu)
            if j == 0 { threshold = max(tolerance / (100 * Double(most)), 1e-3 * moved) }
            nu = next
            if moved <= threshold { break }
        }
        return nu
    }

    /// The image equals the dense reference on 4×4 and 5×5 crowd grids (tv 0.05 worst case
    /// and nominal), from random mean fields, refreshing every 1, 3 and 10 steps, with at most
    /// 4 (the default) or 2 (after a coarse start) times the lazy steps per image.
    @Test(arguments: [(1, 4), (3, 4), (10, 4), (3, 2), (10, 2)])
    func imageEqualsTheDenseReference(refresh: Int, multiple: Int) throws {
        let seed = TestSeed()
        var rng = seed.generator
        for (side, radius) in [(4, 0.05), (5, 0.05), (5, 0.0)] {
            let game = try AndersonStepsTests.crowdGrid(side: side, radius: radius)
            var options = EquilibriumOptions(method: .anderson, temperature: 0.2, tolerance: 1e-10, maxIterations: 100)
            options.population = .worstCase
            options.andersonSteps = 6
            options.frozenPolicyRefresh = refresh
            options.frozenPolicyStepMultiple = multiple
            var run = SolverRun(game: game, options: options, method: .anderson)
            let mu = AndersonStepsTests.randomDistribution(side * side, &rng)
            let policy = try game.bestResponse(meanField: mu, temperature: 0.2)
            let pair = try game.evaluate(policy: policy, meanField: mu, temperature: 0.2)
            let got = try run.frozenPolicyImage(pair, lazySteps: 6)
            let want = Self.denseFrozenImage(side: side, radius: radius, policy: policy, values: pair.policyValues.values,
                                             from: mu, most: multiple * 6, refresh: refresh,
                                             tolerance: 1e-10)
            #expect(isApproximatelyEqual(got, want, absolute: 1e-14, relative: 1e-11),
                    "side \(side), radius \(radius), refresh \(refresh): max error \(maxAbsDifference(got, want)), \(seed)")
            #expect(Simplex.l1(got, mu) > 0, "side \(side): the image moved nothing from a random start")
        }
    }

    /// Anderson on the frozen-policy steps (forced from the start) converges on robust and
    /// nominal crowd grids, with 4 (the default) and 2 (after a coarse start) times the lazy
    /// steps per image; every pair is re-checked from scratch and agrees with Anderson on the
    /// one-step map.
    @Test func frozenStepsReachTheOneStepEquilibrium() throws {
        for (side, radius) in [(6, 0.05), (7, 0.0)] {
            let game = try AndersonStepsTests.crowdGrid(side: side, radius: radius)
            var options = EquilibriumOptions(method: .anderson, temperature: 0.5, tolerance: 1e-10, maxIterations: 400)
            options.andersonSteps = 1
            let one = try game.solveEquilibrium(options: options)
            options.andersonSteps = 8
            options.frozenPolicyRefresh = 4
            let frozen = try game.solveEquilibrium(options: options)
            let label = "side \(side), radius \(radius)"
            #expect(one.converged && frozen.converged, "\(label): \(one.message) / \(frozen.message)")
            try AndersonStepsTests.recheck(game, frozen, temperature: 0.5, tolerance: 1e-10, label)
            #expect(Simplex.l1(one.meanField, frozen.meanField) <= 1e-7,
                    "\(label): ‖μ₁ − μ_frozen‖₁ = \(Simplex.l1(one.meanField, frozen.meanField))")
            options.frozenPolicyStepMultiple = EquilibriumOptions.frozenPolicyCoarseStartStepFactor
            let shorter = try game.solveEquilibrium(options: options)
            #expect(shorter.converged, "\(label), shorter images: \(shorter.message)")
            try AndersonStepsTests.recheck(game, shorter, temperature: 0.5, tolerance: 1e-10, label + ", shorter images")
            #expect(Simplex.l1(frozen.meanField, shorter.meanField) <= 1e-7,
                    "\(label): ‖μ_frozen − μ_shorter‖₁ = \(Simplex.l1(frozen.meanField, shorter.meanField))")
        }
    }

    /// On the frozen-policy steps a pair that meets the tolerance is returned without its image
    /// (no bound rules out the divergence safeguard there, but a converged pair is an answer;
    /// the image is the costly part of an iteration): every recorded pair but the last had its
    /// image computed, and the result is re-checked from scratch.
    @Test func convergedPairIsReturnedWithoutItsImage() throws {
        for (side, radius) in [(6, 0.05), (7, 0.0)] {
            let game = try AndersonStepsTests.crowdGrid(side: side, radius: radius)
            var options = EquilibriumOptions(method: .anderson, temperature: 0.5, tolerance: 1e-10, maxIterations: 400)
            options.andersonSteps = 8
            options.frozenPolicyRefresh = 4
            var run = SolverRun(game: game, options: options, method: .anderson)
            let result = try run.anderson()
            let label = "side \(side), radius \(radius)"
            #expect(result.converged, "\(label): \(result.message)")
            #expect(run.trace.count >= 3 && run.switches.isEmpty, "\(label): \(run.trace.count) pairs")
            #expect(run.frozenImages == run.trace.count - 1, "\(label): \(run.frozenImages) images for \(run.trace.count) pairs")
            try AndersonStepsTests.recheck(game, result, temperature: 0.5, tolerance: 1e-10, label)
        }
    }

    /// When the steps apply: lazy steps, a `μ`-dependent kernel, the closed-form path, not
    /// turned off; `auto`'s stage only from ``EquilibriumOptions/frozenPolicyThreshold`` states.
    @Test func whenTheStepsApply() throws {
        let grid = try AndersonStepsTests.crowdGrid(side: 5, radius: 0.05)
        let fixed = try TestGames.garnet(n: 40, m: 3, k: 4, set: .totalVariation(), radius: 0.1, seed: 5)
        var options = EquilibriumOptions(method: .auto, temperature: 0.2, tolerance: 1e-8, maxIterations: 100)
        #expect(SolverRun(game: grid, options: options, method: .auto).frozenPolicyStepsApply(lazySteps: 8))
        #expect(!SolverRun(game: grid, options: options, method: .auto).frozenPolicyStepsApply(lazySteps: 1))
        #expect(!SolverRun(game: fixed, options: options, method: .auto).frozenPolicyStepsApply(lazySteps: 8))
        options.frozenPolicyRefresh = -1
        #expect(!SolverRun(game: grid, options: options, method: .auto).frozenPolicyStepsApply(lazySteps: 8))
        options.frozenPolicyRefresh = 0
        options.inner = .lp
        #expect(!SolverRun(game: grid, options: options, method: .auto).frozenPolicyStepsApply(lazySteps: 8))
        // Below the threshold the stage hands the best mean field back untouched.
        options.inner = .closedForm
        var run = SolverRun(game: grid, options: options, method: .auto)
        let best = [Double](repeating: 1.0 / 25, count: 25)
        guard case let .exhausted(back) = try run.frozenPolicyStage(from: best) else {
            Issue.record("the stage ran on a 25-state game")
            return
        }
        #expect(back == best && run.trace.isEmpty && run.switches.isEmpty)
    }

    /// The refreshes' snapshot without rewards (``MeanFieldGame/kernelSnapshot(at:)``) has
    /// the kernels, flat rows and radii of the full snapshot bit for bit and zero rewards, on
    /// crowd grids (robust and nominal) at random mean fields; a reward that fails at `μ` is
    /// not evaluated, a kernel that fails is still reported.
    @Test func kernelSnapshotEqualsTheSnapshotWithoutRewards() throws {
        let seed = TestSeed()
        var rng = seed.generator
        for (side, radius) in [(4, 0.05), (6, 0.0)] {
            let game = try AndersonStepsTests.crowdGrid(side: side, radius: radius)
            for _ in 0..<3 {
                let mu = AndersonStepsTests.randomDistribution(side * side, &rng)
                let full = try game.snapshot(at: mu)
                let kernels = try game.kernelSnapshot(at: mu)
                #expect(kernels.kernels == full.kernels, "side \(side): kernels differ, \(seed)")
                #expect(kernels.layout.rows.indices == full.layout.rows.indices
                        && kernels.layout.rows.probabilities == full.layout.rows.probabilities
                        && kernels.layout.rows.rowStart == full.layout.rows.rowStart, "side \(side): flat rows differ, \(seed)")
                #expect(kernels.radii == full.radii && kernels.meanField == mu)
                #expect(kernels.rewards == [Double](repeating: 0, count: side * side * 5))
                #expect(full.rewards.contains { $0 != 0 })
            }
        }
        // A reward that throws everywhere but at the uniform mean field (where the game is validated).
        let uniform = [Double](repeating: 0.25, count: 4)
        func game(failing kernel: Bool) throws -> MeanFieldGame {
            try MeanFieldGame(stateCount: 4, actionCount: 1, discount: 0.9,
                              reward: { _, _, mu throws(ModelError) in
                                  if mu != uniform { throw ModelError(field: "reward", message: "only at the uniform field") }
                                  return 1
                              },
                              kernel: { s, _, mu throws(ModelError) in
                                  if kernel, mu != uniform { throw ModelError(field: "transition", message: "no road") }
                                  return SparseDistribution(indices: [(s + 1) % 4], probabilities: [1])
                              })
        }
        let other = [0.4, 0.3, 0.2, 0.1]
        #expect(throws: MeanFieldError.self) { try game(failing: false).snapshot(at: other) }
        #expect(try game(failing: false).kernelSnapshot(at: other).kernels.count == 4)
        #expect(throws: MeanFieldError.model(state: 0, action: 0, error: ModelError(field: "transition", message: "no road"))) {
            try game(failing: true).kernelSnapshot(at: other)
        }
    }

    /// Where `auto`'s frozen-policy stage follows the lazy phase, that phase hands over at its
    /// first stall: on a 5×5 crowd grid with a tolerance below rounding (so Anderson stalls
    /// once it reaches it), the phase with the early hand-over ends at its first stall,
    /// ``EquilibriumOptions/frozenPolicyHandOverWindow`` (10) iterations after its last 10 %
    /// gain and long before the phase without it (which goes on to its third stall of 25
    /// iterations, past 100 iterations of steady progress).
    @Test func lazyPhaseHandsOverAtItsFirstStall() throws {
        let game = try AndersonStepsTests.crowdGrid(side: 5, radius: 0.05)
        var options = EquilibriumOptions(method: .auto, temperature: 0.2, tolerance: 1e-300, maxIterations: 1000)
        options.andersonSteps = 8
        var early = SolverRun(game: game, options: options, method: .auto)
        guard case .exhausted = try early.andersonPhase(budget: 400, handOverAtFirstStall: true) else {
            Issue.record("the early phase converged to 1e-300")
            return
        }
        var late = SolverRun(game: game, options: options, method: .auto)
        guard case .exhausted = try late.andersonPhase(budget: 400) else {
            Issue.record("the late phase converged to 1e-300")
            return
        }
        // The same iterates up to the first stall.
        #expect(EquilibriumOptions.frozenPolicyHandOverWindow == 10)
        #expect(early.trace.count >= 11 && early.trace.count < 100, "first stall at \(early.trace.count)")
        #expect(late.trace.count > 100, "third stall at \(late.trace.count)")
        for (a, b) in zip(early.trace.dropLast(), late.trace) {
            #expect(a.stationarityResidual == b.stationarityResidual, "iteration \(a.iteration)")
        }
    }

    /// ``EquilibriumOptions/frozenPolicyFromStart`` (set by a coarse start): `auto`'s first phase
    /// is the frozen-policy stage itself, every image from the first pair on is a frozen-policy
    /// image, and the result (re-checked from scratch) is the equilibrium the default path (lazy
    /// phase, then the stage) finds. Below ``EquilibriumOptions/frozenPolicyThreshold`` states,
    /// where the stage does not apply, the option changes nothing, bit for bit.
    @Test func theStageRunsFromTheFirstIterationWhenAsked() throws {
        let game = try AndersonStepsTests.crowdGrid(side: 45, radius: 0.05)
        var options = EquilibriumOptions(method: .auto, temperature: 0.2, tolerance: 1e-8, maxIterations: 1000)
        var lazyFirst = SolverRun(game: game, options: options, method: .auto)
        let reference = try lazyFirst.automatic()
        #expect(reference.converged, "\(reference.message)")
        #expect(!reference.message.contains("from iteration 0"), "\(reference.message)")
        options.frozenPolicyFromStart = true
        var run = SolverRun(game: game, options: options, method: .auto)
        let result = try run.automatic()
        #expect(result.converged, "\(result.message)")
        #expect(result.message.contains("frozen-policy crowd steps from iteration 0"), "\(result.message)")
        #expect(run.frozenImages >= 2 && run.frozenImages == run.trace.count - 1,
                "\(run.frozenImages) frozen images for \(run.trace.count) pairs")
        try AndersonStepsTests.recheck(game, result, temperature: 0.2, tolerance: 1e-8, "from the start")
        #expect(Simplex.l1(reference.meanField, result.meanField) <= 1e-6,
                "‖μ_lazy first − μ_from start‖₁ = \(Simplex.l1(reference.meanField, result.meanField))")

        // A continuation stage (or bridge) starts from another stage's mean field: the option is cleared.
        var staged = SolverRun(game: game, options: options, method: .auto)
        staged.enterStage(options, warmPolicy: nil)
        #expect(!staged.options.frozenPolicyFromStart)

        let small = try AndersonStepsTests.crowdGrid(side: 12, radius: 0.05)
        options.frozenPolicyFromStart = false
        let plain = try small.solveEquilibrium(options: options)
        options.frozenPolicyFromStart = true
        let asked = try small.solveEquilibrium(options: options)
        #expect(plain.converged && plain.iterations == asked.iterations && plain.message == asked.message)
        #expect(zip(plain.meanField, asked.meanField).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    /// Anderson's pairs before the converged one are evaluated to `τ/2` (between `10⁻⁴` and
    /// `10⁻¹`, ``EquilibriumOptions/frozenPolicyValueFactor(temperature:)``) of the best residual
    /// on the frozen-policy steps and to `10⁻⁴` of it on the lazy steps, both between the
    /// requested value tolerance and `10⁻⁶`; the results are re-checked from scratch at the
    /// requested tolerance. On this grid the default path converges on the lazy steps; the
    /// frozen-policy stage runs from the start when asked (as after a coarse start), at `τ = 0.2`
    /// and `τ = 0.1`, and both paths find the same equilibrium at `τ = 0.2`.
    @Test func frozenPairsTakeTheLooserValueTolerance() throws {
        let game = try AndersonStepsTests.crowdGrid(side: 45, radius: 0.05)
        var meanFields: [[Double]] = []
        for (tau, factor) in [(1.0, 0.1), (0.2, 0.1), (0.1, 0.05), (0.05, 0.025), (1e-3, 5e-4), (1e-5, 1e-4), (0.0, 1e-4)] {
            #expect(EquilibriumOptions.frozenPolicyValueFactor(temperature: tau) == factor, "τ = \(tau)")
        }
        for (frozen, tau) in [(false, 0.2), (true, 0.2), (true, 0.1)] {
            var options = EquilibriumOptions(method: .auto, temperature: tau, tolerance: 1e-8, maxIterations: 1000)
            options.frozenPolicyFromStart = frozen
            var run = SolverRun(game: game, options: options, method: .auto)
            let result = try run.automatic()
            let label = (frozen ? "frozen" : "lazy") + ", τ = \(tau)"
            #expect(result.converged, "\(label): \(result.message)")
            #expect((run.frozenImages > 0) == frozen, "\(label): \(run.frozenImages) frozen images")
            try AndersonStepsTests.recheck(game, result, temperature: tau, tolerance: 1e-8, label)
            meanFields.append(result.meanField)
            let requested = run.evaluator.valueOptions.tolerance
            let factor = frozen ? tau / 2 : 1e-4
            #expect(run.looseValueSolves.count >= 3, "\(label): \(run.looseValueSolves.count) loose pairs")
            for (tolerance, residual, onFrozenSteps) in run.looseValueSolves {
                #expect(onFrozenSteps == frozen && tolerance == max(requested, min(1e-6, factor * residual)),
                        "\(label): \(tolerance) at \(residual)")
            }
            // The factor, not only the cap, set some of them.
            #expect(run.looseValueSolves.contains { $0.tolerance < 1e-6 && $0.tolerance > requested }, "\(label)")
        }
        #expect(Simplex.l1(meanFields[0], meanFields[1]) <= 1e-6, "‖μ_lazy − μ_frozen‖₁ = \(Simplex.l1(meanFields[0], meanFields[1]))")
    }

    /// The stage (and so the early hand-over) applies from
    /// ``EquilibriumOptions/frozenPolicyThreshold`` states with the automatic refresh only.
    @Test func whenTheStageApplies() throws {
        var options = EquilibriumOptions(method: .auto, temperature: 0.2, tolerance: 1e-8, maxIterations: 100)
        let small = try AndersonStepsTests.crowdGrid(side: 44, radius: 0.05)
        let large = try AndersonStepsTests.crowdGrid(side: 45, radius: 0.05)
        #expect(44 * 44 < EquilibriumOptions.frozenPolicyThreshold && 45 * 45 >= EquilibriumOptions.frozenPolicyThreshold)
        #expect(!SolverRun(game: small, options: options, method: .auto).frozenPolicyStageApplies)
        #expect(SolverRun(game: large, options: options, method: .auto).frozenPolicyStageApplies)
        options.frozenPolicyRefresh = 10
        #expect(!SolverRun(game: large, options: options, method: .auto).frozenPolicyStageApplies)
        options.frozenPolicyRefresh = -1
        #expect(!SolverRun(game: large, options: options, method: .auto).frozenPolicyStageApplies)
        options.frozenPolicyRefresh = 0
        options.andersonSteps = 1
        #expect(!SolverRun(game: large, options: options, method: .auto).frozenPolicyStageApplies)
    }
}
