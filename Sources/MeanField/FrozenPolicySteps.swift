/// Anderson's map with the kernel re-evaluated along the population's path: the
/// "frozen-policy crowd steps" (Docs/Solvers.md, "Population steps").
///
/// The lazy steps `μ L^j` of ``LazyPopulationSteps`` move the population with the chain of
/// the pair's mean field `μ`: on a game whose kernel depends on `μ` (congestion) they ignore
/// how the kernel changes as the population moves, and they resolve transport over at most
/// `k/2` steps of the chain. These steps keep the pair's policy `π` and, for a worst-case
/// population, nature's worst case against the pair's `V^π` (its reported worst case is
/// re-formed at every new nominal kernel), and re-evaluate the game's kernel at the moving
/// `ν` every ``EquilibriumOptions/frozenPolicyRefresh`` steps:
/// `ν ← ν L(ν)`, `L(ν) = (I + P_π(ν))/2`, up to ``EquilibriumOptions/frozenPolicySteps(lazySteps:)``
/// steps. So the image approaches the crowd's stationary law under the frozen policy with
/// the congestion included, and Anderson's outer loop only has to resolve how the policy
/// answers the crowd.
///
/// Fixed points: the image equals `μ` exactly when `μ` is stationary for the chain of `π` at
/// `μ` itself (the first step is the lazy step at `μ`, and it moves `μ` only when `μP ≠ μ`;
/// a stationary `μ` is never left), so the equilibria's mean fields are fixed points, as for
/// ``LazyPopulationSteps``.
extension SolverRun {
    /// Whether the game allows the frozen-policy crowd steps for `steps` lazy steps: lazy
    /// steps (`steps > 1`), a kernel or radius that depends on `μ`, and the closed-form inner
    /// path without polyhedral row sets, unless ``EquilibriumOptions/frozenPolicyRefresh``
    /// turns them off (`< 0`).
    func frozenPolicyStepsApply(lazySteps steps: Int) -> Bool {
        steps > 1 && options.frozenPolicyRefresh >= 0 && options.inner == .closedForm && game.rowSetFunction == nil
            && (game.kernelsDependOnMeanField || game.radiiDependOnMeanField)
    }

    /// Whether ``frozenPolicyStage(from:)`` follows a stalled Anderson phase on lazy steps:
    /// the automatic setting (``EquilibriumOptions/frozenPolicyRefresh`` `0`), a game that
    /// allows the steps (``frozenPolicyStepsApply(lazySteps:)``) with at least
    /// ``EquilibriumOptions/frozenPolicyThreshold`` states. Then the lazy phase hands over at
    /// its first stall (``andersonPhase(budget:from:frozen:handOverAtFirstStall:)``).
    var frozenPolicyStageApplies: Bool {
        options.frozenPolicyRefresh == 0 && game.stateCount >= EquilibriumOptions.frozenPolicyThreshold
            && frozenPolicyStepsApply(lazySteps: options.populationSteps(stateCount: game.stateCount))
    }

    /// Anderson's map at the pair: ``frozenPolicyImage(_:lazySteps:)`` when `frozen` and the
    /// game allows it (``frozenPolicyStepsApply(lazySteps:)``; counted in ``frozenImages``), else
    /// ``populationImage(_:steps:)``.
    mutating func andersonImage(_ p: PairEvaluation, steps: Int, frozen: Bool) throws(MeanFieldError) -> [Double] {
        guard frozen && frozenPolicyStepsApply(lazySteps: steps) else { return populationImage(p, steps: steps) }
        frozenImages += 1
        return try frozenPolicyImage(p, lazySteps: steps)
    }

    /// The frozen-policy stage of ``EquilibriumMethod/auto``: after Anderson's phase on lazy
    /// steps stalled (at its first stall, ``frozenPolicyStageApplies``; returned its best mean
    /// field `best`), a second Anderson phase on the
    /// frozen-policy crowd steps from `best`, for the rest of the budget, on games of at least
    /// ``EquilibriumOptions/frozenPolicyThreshold`` states that allow them. Its records keep the
    /// method `anderson`; the start of the stage is recorded as a switch (from `anderson` to
    /// `anderson`) and the result's message names it. Returns `.exhausted(best)` unchanged when
    /// the stage does not apply (or the frozen steps already ran from the start,
    /// ``EquilibriumOptions/frozenPolicyRefresh`` `> 0`).
    mutating func frozenPolicyStage(from best: [Double]) throws(MeanFieldError) -> PhaseOutcome {
        let left = options.maxIterations - 1 - trace.count
        guard frozenPolicyStageApplies, left >= 2 else { return .exhausted(best: best) }
        let from = trace.count
        switchMethod(to: .anderson)
        let note = "; Anderson on lazy steps stalled, frozen-policy crowd steps from iteration \(from)"
        switch try andersonPhase(budget: left, from: best, frozen: true) {
        case let .finished(result): return .finished(result.noting(note))
        case let .exhausted(next): return .exhausted(best: next)
        }
    }

    /// The frozen-policy crowd steps from the pair's mean field (see the extension's
    /// description): blocks of `refresh` lazy steps, each with the chain of `π` and the kernel
    /// at the block's first `ν` (the first block: the pair's own chain), until a step moves
    /// `ν` by at most `max(tolerance / (100 K), 10⁻³ δ₁)` in L1 (`δ₁` the first step's
    /// movement, `K` the most steps) or `K` steps are taken.
    ///
    /// Each block's chain is built in the buffers of the one before (``PairEvaluator/chainBuffers``,
    /// as ``populationImage(_:steps:)`` builds its chain), so a refresh overwrites memory already
    /// mapped instead of zeroing fresh arrays; the chains do not depend on it.
    ///
    /// - Throws: the errors of ``MeanFieldGame/snapshot(at:)`` at a visited `ν` (a kernel row
    ///   that is invalid there), ``MeanFieldError/numerical(_:)`` if a sweep returns no kernels.
    mutating func frozenPolicyImage(_ p: PairEvaluation, lazySteps: Int) throws(MeanFieldError) -> [Double] {
        let n = game.stateCount, m = game.actionCount
        let most = options.frozenPolicySteps(lazySteps: lazySteps)
        let refresh = options.frozenPolicyRefresh > 0 ? options.frozenPolicyRefresh : EquilibriumOptions.frozenPolicyDefaultRefresh
        let policy = p.policy.probabilities
        var kernels = p.chainKernels
        var nu = p.meanField
        var taken = 0
        var threshold = -1.0
        // The refreshes' snapshots read no reward: one array of zeros for all of them.
        var placeholder: [Double] = []
        while taken < most {
            // Steps already taken with this block's chain (the first block's first step).
            var inBlock = 0
            var rewritten: LazyPopulationSteps? = nil
            if taken > 0 {
                if placeholder.isEmpty { placeholder = [Double](repeating: 0, count: n * m) }
                let snap = try game.kernelSnapshot(at: nu, placeholder: placeholder)
                rewritten = rewrittenChain(snap, policy: policy, values: p.policyValues.values)
                if rewritten == nil { kernels = try frozenKernels(snap, values: p.policyValues.values) }
            }
            let recycles = rewritten == nil
            let chain = rewritten ?? LazyPopulationSteps(policy: policy, kernelRows: kernels, stateCount: n, actionCount: m,
                                                         execution: options.execution, recycling: &evaluator.chainBuffers)
            rewritten = nil
            // A rewritten chain's storage stays with `evaluator.frozenChain`.
            defer { if recycles { chain.recycle(into: &evaluator.chainBuffers) } }
            if taken == 0 {
                // The first step fixes the stop threshold: `L` does not expand L1 distances.
                let first = chain.apply(nu, steps: 1, execution: options.execution)
                var moved = 0.0
                for s in 0..<n { moved += abs(first[s] - nu[s]) }
                threshold = max(options.tolerance / (100 * Double(most)), EquilibriumOptions.lazyStepsRelativeStop * moved)
                nu = first
                taken = 1
                inBlock = 1
                if moved <= threshold { break }
            }
            let block = min(refresh - inBlock, most - taken)
            guard block > 0 else { continue }
            let (image, j) = chain.apply(nu, steps: block, stopChange: threshold, execution: options.execution,
                                         scratch: options.tiledSteps ? evaluator.stepScratch : nil)
            nu = image
            taken += j
            if j < block { break }
        }
        return nu
    }

    /// The chain of `policy` at `snap`'s rows (nature's worst case against the frozen `values`
    /// for a worst-case population) rewritten in place (``FrozenChain``, kept in
    /// ``PairEvaluator/frozenChain``), or `nil` where it does not apply (the caller sweeps and
    /// builds the chain).
    ///
    /// The structure is built when two refreshes in a row give rows with the same storage of
    /// bounds and states (the first one's are held until the second, ``PairEvaluator/frozenRowsSeen``).
    /// Rows with other storage at the second refresh mean a game that writes its rows afresh at
    /// each mean field: it keeps the sweep and the recycled chains from then on
    /// (``PairEvaluator/frozenRowsVary``), holding nothing more. Once built, a refresh whose rows
    /// are not the structure's (a keyed game's rows written by the row writer at a mean field
    /// where a weight is 0) takes the sweep, and the structure is kept for the next one.
    private mutating func rewrittenChain(_ snap: GameSnapshot, policy: [Double], values: [Double]) -> LazyPopulationSteps? {
        guard options.frozenChainInPlace, !evaluator.frozenRowsVary,
              FrozenChain.applies(ambiguity: snap.ambiguity, population: evaluator.population) else { return nil }
        let rows = snap.layout.rows
        if evaluator.frozenChain == nil {
            guard let seen = evaluator.frozenRowsSeen.take() else {
                evaluator.frozenRowsSeen = KernelRows(rowStart: rows.rowStart, rowEnd: rows.rowEnd, indices: rows.indices,
                                                      probabilities: [])
                return nil
            }
            guard FrozenChain.sameStructure(seen, rows),
                  let built = FrozenChain(rows: rows, stateCount: game.stateCount, actionCount: game.actionCount) else {
                evaluator.frozenRowsVary = true
                return nil
            }
            evaluator.frozenChain = built
        }
        // Moved out, so that the entries are rewritten without a copy.
        guard var structure = evaluator.frozenChain.take() else { return nil }
        defer { evaluator.frozenChain = structure }
        guard structure.matches(rows) else { return nil }
        return structure.chain(snapshot: snap, policy: policy, values: values, population: evaluator.population,
                               execution: options.execution)
    }

    /// The population model's kernel rows at `snap` with nature's worst case against the frozen
    /// `values` (`V^π` of the pair): the nominal rows for a nominal population. `snap` has no
    /// rewards (``MeanFieldGame/kernelSnapshot(at:placeholder:)``, with the image's array of
    /// zeros).
    private func frozenKernels(_ snap: GameSnapshot, values: [Double]) throws(MeanFieldError) -> KernelRows {
        guard evaluator.population == .worstCase else { return snap.layout.rows }
        let sweep = try snap.sweep(values: values, wantKernels: true, execution: options.execution)
        guard let kernels = sweep.kernels else {
            throw .numerical("the sweep of the frozen-policy crowd steps returned no kernels")
        }
        return kernels
    }
}

extension EquilibriumOptions {
    /// The smallest game on which ``EquilibriumMethod/auto`` runs the frozen-policy stage
    /// (``SolverRun/frozenPolicyStage(from:)``) after a stalled Anderson phase on lazy steps.
    static let frozenPolicyThreshold = 2000
    /// Steps between two evaluations of the kernel when ``frozenPolicyRefresh`` is automatic.
    /// On a 50×50 crowd grid (numpy prototype) refreshing every 5 or 10 steps gave the
    /// same 18 outer iterations; every 50 steps diverged.
    static let frozenPolicyDefaultRefresh = 10
    /// The least Anderson memory on the frozen-policy crowd steps (30 on lazy steps,
    /// ``lazyStepsMemory``): the frozen stage's residual falls in plateaus and steep stretches,
    /// and more columns shorten the plateaus; on the 500×500 crowd grid the requested level
    /// took 75 iterations with 60 columns (or 100: the least squares drops the columns past
    /// about 60 as ill-conditioned) against 87 with 30 (Docs/Performance.md, section 8,
    /// "Sixteenth round").
    static let frozenPolicyMemory = 60
    /// Where the frozen-policy stage follows, the lazy phase hands over after this many
    /// iterations without a 10 % gain in its best residual (25 elsewhere): on the 200×200 and
    /// 300×300 crowd grids the lazy phase gains nothing after its first iteration.
    static let frozenPolicyHandOverWindow = 10
    /// The factor `f` of the value tolerance `f · residual` (at most `10⁻⁶`, at least the
    /// requested one) of Anderson's pairs on the frozen-policy crowd steps before the converged
    /// one, at temperature `τ`: `τ/2` between `10⁻⁴` (the lazy steps' factor,
    /// ``SolverRun/looseValueTolerance(residual:requested:frozen:temperature:)``) and `10⁻¹`.
    /// A value error `ε = f·r` moves the best response by about `ε/τ ≤ r/2`, `r` the residual.
    /// The frozen stage's images follow the crowd under the pair's policy for up to `4k` steps,
    /// and its residual falls in plateaus over tens of iterations. On the coarse-started 200×200
    /// crowd grid at `τ = 0.1, 0.2, 0.5, 1` and the 300×300 one at `τ = 0.2`, `10⁻¹` gave the
    /// same iterations as `10⁻⁴`, with 0.72× the frozen system's products on the requested
    /// level at 300×300 and 0.68× at 1000×1000 (Docs/Performance.md, section 8, "Twenty-third
    /// round"). The scaling below `τ = 0.2` keeps `ε/τ` at most half the residual where `10⁻¹`
    /// would not. These are choices by measurement, not a bound.
    static func frozenPolicyValueFactor(temperature: Double) -> Double {
        min(0.1, max(lazyStepsValueFactor, temperature / 2))
    }

    /// The factor `f` of the value tolerance `f · residual` of Anderson's pairs on lazy
    /// population steps before the converged one, `10⁻⁴`
    /// (``SolverRun/looseValueTolerance(residual:requested:frozen:temperature:)``), and the
    /// floor of ``frozenPolicyValueFactor(temperature:)``.
    static let lazyStepsValueFactor = 1e-4

    /// The most frozen-policy steps per image, in multiples of the lazy steps `k` (the default
    /// of ``frozenPolicyStepMultiple``).
    package static let frozenPolicyStepFactor = 4
    /// The same after a coarse start (``frozenPolicyStepMultiple`` as `CoarseStart` (GameFiles)
    /// sets it): from the spread coarse solution the crowd's front is already in place, and
    /// shorter images cost fewer refreshes than the extra outer iterations they need (on the
    /// 200×200 and 300×300 crowd grids, Docs/Performance.md, section 8, "Twelfth round").
    package static let frozenPolicyCoarseStartStepFactor = 2

    /// The most frozen-policy crowd steps per image: ``frozenPolicyStepMultiple`` (at least 1)
    /// times the lazy steps `k`. (A bound that grows with the side of the grid, `4·max(k, ⌈√n⌉)`, was
    /// tried on the 100×100 and 200×200 crowd grids: fewer iterations at 100×100 but more CPU,
    /// and no convergence at 200×200; Docs/Performance.md, section 8, "Sixth round".)
    func frozenPolicySteps(lazySteps k: Int) -> Int {
        max(1, frozenPolicyStepMultiple) * k
    }
}
