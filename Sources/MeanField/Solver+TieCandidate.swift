import LinearProgramming

/// The tie candidate of ``EquilibriumMethod/auto`` at a requested `τ = 0` (Docs/Solvers.md,
/// "auto", "The tie candidate"), tried after the support Newton stage when a converged
/// continuation stage's optimal values nearly tie on every state with mass.
///
/// At a *full tie* every state with mass (the set `M`) has the same value `c`. When every row
/// of an optimal action stays in `M`, its worth is `c` whatever nature does, so `V(s) =
/// max_a r(s, a, μ) + γc`: the rewards of the states in `M` must be equal, `max_a r(s, a, μ) =
/// (1 − γ)c`, which with `Σμ = 1` fixes `μ`. Nature's kernel at an exact tie is decided by the
/// tie rule (`index`: states by `(V_t, t)`), but a floating-point evaluation orders 104 equal
/// values by their rounding. So the candidate *plants* the index order: values `V(s) = c +
/// η·k(s)` with `k(s)` the rank of `s` in `M`, nature's kernel `q` against them (a sweep), a
/// policy on the reward maximizers under which `μ` is stationary with `q` (a linear program
/// minimizing the L1 stationarity error), and the mean field that makes those values exact for
/// the policy: `max_a r(s, a, μ') = (1 − γ)c' + η(k(s) − γ Σ_a π(a|s) q(s, a)·k)`, solved by
/// Newton's method with a forward-difference Jacobian. The pair `(π, μ')` is only a candidate:
/// it is accepted when its exploitability and residual, evaluated from scratch, meet the
/// tolerance (both are of order `η` by construction).
enum TieCandidate {
    /// Stages above this temperature are not used.
    static let maximumTemperature = 0.0101
    /// The values of the states with mass must lie within this multiple of the stage's `τ`.
    static let spreadFactor = 30.0
    /// The planted value steps `η`, tried in order.
    static let plantSteps: [Double] = [1e-11, 3e-12, 3e-11]
    /// At most this many states with mass (a dense Jacobian of that size per Newton step).
    static let stateLimit = 600
    /// Newton iterations per reward system (each costs `|M| + 1` reward evaluations).
    static let newtonLimit = 30
    /// Newton stops after this many iterations that do not halve `max |F|` (the reward system
    /// has no regular solution near the start, or the floating-point floor is reached).
    static let slowStepLimit = 3
    /// States with at most this mass are outside `M`.
    static let massFloor = 1e-10
    /// An action maximizes the reward of its state when within this relative distance.
    static let rewardTieTolerance = 1e-9

    /// The message note of an accepted candidate.
    static func note(stage: Double, states: Int, mixed: Int, step: Double) -> String {
        "; the tie candidate of the support Newton stage at τ = 0 (from the continuation stage at τ = \(stage): "
            + "\(states) states tied, index order planted with value steps \(step), \(mixed) states mixed)"
    }
}

/// The reward equations of a full tie over the states `occupied`: unknowns `x = (μ on M, c)`,
/// `F_i(x) = max_a r(s_i, a, μ) − (1 − γ)c − offset_i` and `F_|M| = Σμ − 1`.
struct TieRewardSystem {
    let game: MeanFieldGame
    let occupied: [Int]

    /// `μ`: the unknowns on `M` rescaled to sum 1 (zeros elsewhere); `nil` when one is not positive.
    func meanField(_ x: [Double]) -> [Double]? {
        var mu = [Double](repeating: 0, count: game.stateCount)
        var total = 0.0
        for (i, s) in occupied.enumerated() {
            guard x[i] > 0, x[i].isFinite else { return nil }
            mu[s] = x[i]
            total += x[i]
        }
        for s in occupied { mu[s] /= total }
        return mu
    }

    /// `max_a r(s, a, μ)` for every state.
    func bestRewards(_ mu: [Double]) throws(MeanFieldError) -> [Double] {
        let snap = try game.snapshot(at: mu)
        let m = game.actionCount
        return (0..<game.stateCount).map { s in
            var best = -Double.infinity
            for a in 0..<m { best = max(best, snap.rewards[s * m + a]) }
            return best
        }
    }

    /// `F(x)`, with the rewards evaluated at the rescaled `μ` (so that difference steps stay on
    /// valid mean fields); `nil` where the rewards cannot be evaluated or are not finite.
    func residual(_ x: [Double], offset: [Double]) -> [Double]? {
        // A reward that cannot be evaluated there (a model error) makes the point inadmissible.
        guard let mu = meanField(x), x[occupied.count].isFinite, let r = try? bestRewards(mu) else { return nil }
        let c = x[occupied.count]
        var f = [Double](repeating: 0, count: occupied.count + 1)
        var total = 0.0
        for (i, s) in occupied.enumerated() {
            f[i] = r[s] - (1 - game.discount) * c - offset[i]
            total += x[i]
        }
        f[occupied.count] = total - 1
        return f.allSatisfy(\.isFinite) ? f : nil
    }

    /// Newton's method from `start` with a forward-difference Jacobian (step `1e-7` relative)
    /// and a halving line search on `max |F|`; stops when no step lowers it, after
    /// ``TieCandidate/slowStepLimit`` steps that do not halve it, or after
    /// ``TieCandidate/newtonLimit`` iterations. `nil` when the start is not admissible.
    func solve(from start: [Double], offset: [Double]) -> (x: [Double], residual: Double)? {
        var x = start
        guard var f = residual(x, offset: offset) else { return nil }
        let k = x.count
        var norm = SupportResidual.largest(f)
        var slow = 0
        for _ in 0..<TieCandidate.newtonLimit where norm > 0 && slow < TieCandidate.slowStepLimit {
            var a = [Double](repeating: 0, count: k * k)
            for j in 0..<k {
                let h = 1e-7 * max(abs(x[j]), j < k - 1 ? 1e-12 : 1)
                var y = x
                y[j] += h
                guard let g = residual(y, offset: offset) else { return nil }
                for i in 0..<k { a[i * k + j] = (g[i] - f[i]) / h }
            }
            var d = f.map { -$0 }
            guard DenseLinearSystem.solve(&a, &d, n: k, pivotTolerance: 1e-15) else { break }
            var t = 1.0
            var moved = false
            for _ in 0..<30 {
                let y = (0..<k).map { x[$0] + t * d[$0] }
                if let g = residual(y, offset: offset), SupportResidual.largest(g) < norm {
                    if SupportResidual.largest(g) > norm / 2 { slow += 1 }
                    (x, f, norm) = (y, g, SupportResidual.largest(g))
                    moved = true
                    break
                }
                t /= 2
            }
            if !moved { break }
        }
        return (x, norm)
    }
}

/// What the tie candidate builds before it plants the values: the states with mass, their reward
/// system and its solution at the tie, the policy, the drift `k(s) − γ Σ_a π(a|s) q(s, a)·k` of
/// the ranks, and how many states mix.
struct TiePlan {
    let occupied: [Int]
    let system: TieRewardSystem
    let tie: [Double]
    let policy: Policy
    let drift: [Double]
    let mixed: Int
}

extension SolverRun {
    /// The tie candidate (``TieCandidate``) from a converged continuation stage at `stage` whose
    /// pair, evaluated at the requested `τ = 0`, is `start`. Each candidate is evaluated from
    /// scratch, recorded (labelled ``EquilibriumMethod/supportNewton``) and returned when it meets
    /// the tolerance; `nil` otherwise.
    mutating func tieCandidateStage(from start: PairEvaluation, stage: Double) throws(MeanFieldError) -> EquilibriumResult? {
        guard options.temperature == 0, stage <= TieCandidate.maximumTemperature, game.actionCount > 1,
              let plan = try tiePlan(from: start, stage: stage) else { return nil }
        for eta in TieCandidate.plantSteps where trace.count + 1 < options.maxIterations {
            guard let (x, _) = plan.system.solve(from: plan.tie, offset: plan.drift.map { eta * $0 }),
                  let mu = plan.system.meanField(x) else { continue }
            let snap = try game.snapshot(at: mu)
            let opt = try evaluator.optimal(snap)
            let p = try evaluator.pair(snap, optimal: opt, policy: plan.policy)
            if current != .supportNewton { switchMethod(to: .supportNewton) }
            record(p, change: 0)
            if isConverged(p) {
                let note = TieCandidate.note(stage: stage, states: plan.occupied.count, mixed: plan.mixed, step: eta)
                return try finish(p, converged: true, message: convergedMessage(p) + note)
            }
        }
        return nil
    }

    /// The tie: the states with mass (`nil` unless their values at `τ = 0` lie within
    /// ``TieCandidate/spreadFactor`` `· stage`), the mean field with equal rewards on them, and
    /// the rest of the ``TiePlan`` (``tiePolicy(_:tie:start:)``).
    func tiePlan(from start: PairEvaluation, stage: Double) throws(MeanFieldError) -> TiePlan? {
        let muStart = start.meanField, values = start.optimal.values
        let occupied = (0..<game.stateCount).filter { muStart[$0] > TieCandidate.massFloor }
        guard occupied.count > 1, occupied.count <= TieCandidate.stateLimit else { return nil }
        var low = Double.infinity, high = -Double.infinity, mean = 0.0
        for s in occupied {
            low = min(low, values[s])
            high = max(high, values[s])
            mean += values[s] / Double(occupied.count)
        }
        guard high - low <= TieCandidate.spreadFactor * stage else { return nil }
        let system = TieRewardSystem(game: game, occupied: occupied)
        let zero = [Double](repeating: 0, count: occupied.count)
        guard let (tie, tieResidual) = system.solve(from: occupied.map { muStart[$0] } + [mean], offset: zero),
              tieResidual <= 1e-12 * max(1, abs(mean)) else { return nil }
        return try tiePolicy(system, tie: tie, start: start)
    }

    /// Nature's kernel against the planted order (values `c + η k(s)` on `M`, the stage's values
    /// elsewhere), the supports (reward maximizers whose row stays in `M`), the stationary policy
    /// of ``stationaryPolicy(_:occupied:supports:kernels:stateCount:actionCount:)`` (off `M`: the
    /// stage's greedy action at `τ = 0`) and the drift of the ranks under it.
    func tiePolicy(_ system: TieRewardSystem, tie: [Double], start: PairEvaluation) throws(MeanFieldError) -> TiePlan? {
        let n = game.stateCount, m = game.actionCount, occupied = system.occupied
        guard let muTie = system.meanField(tie) else { return nil }
        var rank = [Double](repeating: 0, count: n)
        var inTie = [Bool](repeating: false, count: n)
        for (i, s) in occupied.enumerated() { (rank[s], inTie[s]) = (Double(i), true) }
        let snap = try game.snapshot(at: muTie)
        var planted = start.optimal.values
        for s in occupied { planted[s] = tie[occupied.count] + TieCandidate.plantSteps[0] * rank[s] }
        let sweep = try snap.sweep(values: planted, wantKernels: true, inner: evaluator.valueOptions.inner,
                                   execution: evaluator.valueOptions.execution)
        let kernels = options.population == .worstCase ? (sweep.kernels ?? snap.layout.rows) : snap.layout.rows
        let best = try system.bestRewards(muTie)
        var supports: [[Int]] = []
        for s in occupied {
            let support = (0..<m).filter { a in
                let row = s * m + a
                guard snap.rewards[row] >= best[s] - TieCandidate.rewardTieTolerance * (1 + abs(best[s])) else { return false }
                return (kernels.rowStart[row]..<kernels.rowEnd[row]).allSatisfy { kernels.probabilities[$0] == 0 || inTie[kernels.indices[$0]] }
            }
            guard !support.isEmpty else { return nil }
            supports.append(support)
        }
        guard var pi = Self.stationaryPolicy(muTie, occupied: occupied, supports: supports, kernels: kernels,
                                             stateCount: n, actionCount: m) else { return nil }
        for s in 0..<n where !inTie[s] {
            var a0 = 0
            for a in 1..<m where start.optimal.qValues[s * m + a] > start.optimal.qValues[s * m + a0] { a0 = a }
            pi[s * m + a0] = 1
        }
        let drift = occupied.map { s in
            var next = 0.0
            for a in 0..<m where pi[s * m + a] > 0 {
                let row = s * m + a
                for e in kernels.rowStart[row]..<kernels.rowEnd[row] { next += pi[s * m + a] * kernels.probabilities[e] * rank[kernels.indices[e]] }
            }
            return rank[s] - game.discount * next
        }
        let mixed = occupied.filter { s in (0..<m).filter { pi[s * m + $0] > 0 }.count > 1 }.count
        return TiePlan(occupied: occupied, system: system, tie: tie, policy: Policy(unchecked: n, m, pi), drift: drift, mixed: mixed)
    }

    /// A policy on `supports` under which `mu` is stationary with `kernels`, from the linear
    /// program over `x(s, a) = μ(s)π(a|s) ≥ 0`: `Σ_a x(s, a) = μ(s)` and `Σ x(s, a) q(s, a, t) −
    /// e⁺_t + e⁻_t = μ(t)`, minimizing `Σ(e⁺ + e⁻)`; `nil` when GLPK finds no optimum or the
    /// error exceeds `1e-12`. States outside `occupied` get zeros (filled by the caller).
    static func stationaryPolicy(_ mu: [Double], occupied: [Int], supports: [[Int]], kernels: KernelRows,
                                 stateCount n: Int, actionCount m: Int) -> [Double]? {
        var lp = LinearProgram(sense: .minimize)
        var columns: [(state: Int, action: Int, variable: Int)] = []
        var inflow = [[(variable: Int, coefficient: Double)]](repeating: [], count: n)
        for (i, s) in occupied.enumerated() {
            var own: [(variable: Int, coefficient: Double)] = []
            for a in supports[i] {
                let v = lp.addVariable(lower: 0)
                columns.append((s, a, v))
                own.append((v, 1))
                let row = s * m + a
                for e in kernels.rowStart[row]..<kernels.rowEnd[row] where kernels.probabilities[e] != 0 {
                    inflow[kernels.indices[e]].append((v, kernels.probabilities[e]))
                }
            }
            lp.addConstraint(terms: own, lower: mu[s], upper: mu[s])
        }
        for t in 0..<n where !inflow[t].isEmpty || mu[t] > 0 {
            let up = lp.addVariable(lower: 0, objective: 1)
            let down = lp.addVariable(lower: 0, objective: 1)
            lp.addConstraint(terms: inflow[t] + [(up, -1), (down, 1)], lower: mu[t], upper: mu[t])
        }
        guard let solution = try? lp.solve(), solution.status == .optimal, solution.objective <= 1e-12 else { return nil }
        var pi = [Double](repeating: 0, count: n * m)
        for (s, a, v) in columns { pi[s * m + a] = max(0, solution.primal[v]) / mu[s] }
        for s in occupied {
            var total = 0.0
            for a in 0..<m { total += pi[s * m + a] }
            guard total > 0 else { return nil }
            for a in 0..<m { pi[s * m + a] /= total }
        }
        return pi
    }
}
