/// The support-identification Newton stage of ``EquilibriumMethod/auto`` at a requested `τ = 0`
/// (Docs/Solvers.md, "auto", "The support Newton stage").
///
/// At `τ = 0` an equilibrium is a pair `(π, μ)` whose policy is supported on the maximizers of
/// `Q*_μ(s, ·)` and whose mean field is stationary under `π`. From a start near one (the best
/// candidate of a continuation stage evaluated at `τ = 0`), the support is guessed as the actions
/// within `δ` of each state's maximum of `Q*` at `τ = 0`; the unknowns are then `μ` and the weights
/// of the support actions past the first (the reference `a₀`), and the equations are
/// stationarity `Φ(μ, π) − μ = 0`, `Σμ = 1`, and indifference `Q^π_μ(s, a) − Q^π_μ(s, a₀) = 0` on
/// every support action. They are solved by Levenberg–Marquardt with a forward-difference
/// Jacobian (one policy evaluation per unknown). The result is only a candidate: it is
/// accepted when its exploitability and residual, evaluated from scratch at `τ = 0` like every
/// other pair, meet the tolerance.
enum SupportNewton {
    /// Stages above this temperature are not used as starts (their support is still blurred).
    static let maximumTemperature = 0.0101
    /// The support guesses: `δ = factor · τ_j` for the stage's temperature `τ_j`, tried in order
    /// (a guess equal to an earlier one is skipped).
    static let supportFactors: [Double] = [3, 10, 30]
    /// Levenberg–Marquardt iterations per support guess (the Jacobian is formed by differences
    /// at the first and whenever a Broyden-updated one finds no descent).
    static let iterationLimit = 30
    /// At most this many unknowns (states plus weights): each Jacobian costs one policy
    /// evaluation per unknown, and the normal equations `unknowns³/3` operations.
    static let unknownLimit = 600
    /// Residual evaluations of one call (every guess together), per unknown of the largest guess.
    static let evaluationFactor = 8
    /// How often actions whose weight ends at 0 are dropped and the guess is solved again.
    static let dropLimit = 2
    /// The iterations stop when `max |F|` has not fallen below ``progressFactor`` times its value
    /// ``progressWindow`` accepted steps earlier (Newton near a regular solution gains far more;
    /// where nature's worst case switches, `F` is not smooth and the steps crawl).
    static let progressWindow = 5
    static let progressFactor = 0.1
    /// States with at most this mass get their best action only (no weights).
    static let massFloor = 1e-10
    /// The forward-difference step.
    static let differenceStep = 1e-6
    /// Iterations stop once `max |F|` is below this.
    static let residualFloor = 1e-14

    /// The message note of a pair the stage produced.
    static func note(stage: Double, mixed: Int, iterations: Int) -> String {
        "; the support Newton stage at τ = 0 (support guessed from the continuation stage at τ = \(stage), "
            + "\(mixed) mixed weights, \(iterations) Levenberg–Marquardt iterations)"
    }
}

/// One support guess: the unknowns `x = (μ, w)` and how a policy is read from them.
struct SupportSystem: Hashable {
    let stateCount: Int
    let actionCount: Int
    /// Per state, the actions of the support, the reference action `a₀` first.
    let supports: [[Int]]
    /// The weight unknowns `(s, a)`: every support action but the reference.
    let weights: [SupportWeight]

    init(supports: [[Int]], actionCount: Int) {
        stateCount = supports.count
        self.actionCount = actionCount
        self.supports = supports
        var list: [SupportWeight] = []
        for (s, support) in supports.enumerated() {
            for a in support.dropFirst() { list.append(SupportWeight(state: s, action: a)) }
        }
        weights = list
    }

    var unknowns: Int { stateCount + weights.count }

    /// The actions within `delta` of each state's maximum of `q`, the first maximizer first; only
    /// the maximizer on states whose mass is at most ``SupportNewton/massFloor`` (no one is
    /// there, so their policy moves no mass, and its best action keeps their values optimal; the
    /// evaluation at acceptance checks that).
    static func guess(q: [Double], meanField mu: [Double], actionCount m: Int, delta: Double) -> [[Int]] {
        mu.indices.map { s in
            var best = 0
            for a in 1..<max(m, 1) where q[s * m + a] > q[s * m + best] { best = a }
            guard mu[s] > SupportNewton.massFloor else { return [best] }
            let top = q[s * m + best]
            return [best] + (0..<m).filter { $0 != best && q[s * m + $0] >= top - delta }
        }
    }

    /// The start: `μ`, and the weights of `policy` restricted to the support and rescaled.
    func start(meanField: [Double], policy: [Double]) -> [Double] {
        var x = meanField
        for (s, support) in supports.enumerated() where support.count > 1 {
            var total = 0.0
            for a in support { total += policy[s * actionCount + a] }
            for a in support.dropFirst() {
                x.append(total > 0 ? policy[s * actionCount + a] / total : 1 / Double(support.count))
            }
        }
        return x
    }

    /// `μ`: the first `n` unknowns clipped at 0 and rescaled to sum 1 (`nil` when nothing is left).
    func meanField(_ x: [Double]) -> [Double]? {
        var mu = Array(x[0..<stateCount])
        var sum = 0.0
        for s in mu.indices {
            if !(mu[s] > 0) { mu[s] = 0 }
            sum += mu[s]
        }
        guard sum > 0, sum.isFinite else { return nil }
        for s in mu.indices { mu[s] /= sum }
        return mu
    }

    /// `π`: the weights (clipped at 0, rescaled when they exceed 1) and the reference action
    /// taking the rest; actions outside the support get 0.
    func policy(_ x: [Double]) -> [Double] {
        var p = [Double](repeating: 0, count: stateCount * actionCount)
        var k = stateCount
        for (s, support) in supports.enumerated() {
            let count = support.count - 1
            var total = 0.0
            for i in 0..<count { total += max(x[k + i], 0) }
            let scale = total > 1 ? 1 / total : 1
            for i in 0..<count { p[s * actionCount + support[i + 1]] = max(x[k + i], 0) * scale }
            p[s * actionCount + support[0]] = max(0, 1 - total * scale)
            k += count
        }
        return p
    }

    /// The unknowns as the policy and mean field read them (clipped, rescaled), so that a step
    /// starts from the point it was evaluated at.
    func projected(_ x: [Double]) -> [Double] {
        var y = x
        for s in 0..<stateCount where !(y[s] > 0) { y[s] = 0 }
        let p = policy(x)
        for (i, w) in weights.enumerated() { y[stateCount + i] = p[w.state * actionCount + w.action] }
        return y
    }

    /// The support without the actions whose weight is 0 in `policy` (the reference action too),
    /// or `nil` when nothing would change.
    func dropped(atZero policy: [Double]) -> SupportSystem? {
        var changed = false
        let next = supports.enumerated().map { (s, support) -> [Int] in
            guard support.count > 1 else { return support }
            let kept = support.filter { policy[s * actionCount + $0] > 0 }
            if kept.count < support.count { changed = true }
            return kept.isEmpty ? [support[0]] : kept
        }
        return changed ? SupportSystem(supports: next, actionCount: actionCount) : nil
    }
}

/// A weight unknown: `π(a|s)` of a support action that is not the state's reference action.
struct SupportWeight: Hashable {
    let state: Int
    let action: Int
}

/// The equations of one support guess at `τ = 0`: `F(x) = (Φ(μ, π) − μ, Σx_μ − 1,
/// Q^π_μ(s, a) − Q^π_μ(s, a₀) for every weight)`, with `Q^π_μ` the robust Q-function of `π` at
/// `μ` and `Φ` the population step under the run's population model (nature's worst case
/// against `V^π`, or the nominal kernel), exactly as ``PairEvaluator/pair(_:optimal:policy:)``
/// forms them.
struct SupportResidual {
    let game: MeanFieldGame
    let population: PopulationModel
    let options: ValueSolverOptions
    /// The policy values every evaluation starts from (those at the current iterate), so that
    /// the difference quotients compare solves from the same start.
    var warm: [Double]? = nil
    /// Evaluations so far.
    var count = 0

    /// `F(x)` and `V^π` at `x`; `nil` when `x` holds no mass.
    mutating func callAsFunction(_ x: [Double], _ system: SupportSystem) throws(MeanFieldError) -> (f: [Double], values: [Double])? {
        guard let mu = system.meanField(x) else { return nil }
        count += 1
        let n = system.stateCount, m = system.actionCount
        let pi = system.policy(x)
        let snap = try game.snapshot(at: mu)
        let vpi = try snap.solveValues(policy: pi, temperature: 0, warmStart: warm, options: options)
        guard vpi.converged else { throw .numerical("robust policy evaluation did not converge (error bound \(vpi.errorBound))") }
        let kernels = population == .worstCase ? vpi.kernelRows : snap.layout.rows
        let phi = TransitionMatrix.step(mu, policy: pi, kernelRows: kernels, stateCount: n, actionCount: m,
                                        execution: options.execution)
        var f = [Double](repeating: 0, count: n + 1 + system.weights.count)
        var total = 0.0
        for s in 0..<n {
            f[s] = phi[s] - mu[s]
            total += x[s]
        }
        f[n] = total - 1
        for (i, w) in system.weights.enumerated() {
            let s = w.state, a0 = system.supports[s][0]
            f[n + 1 + i] = vpi.qValues[s * m + w.action] - vpi.qValues[s * m + a0]
        }
        return (f, vpi.values)
    }

    /// The forward-difference Jacobian at `x` (where `F = f`), column by column: `∂F/∂x_j ≈
    /// (F(x + h e_j) − f)/h`, with `h` toward the inside where a weight sits at a bound.
    mutating func jacobian(_ x: [Double], f: [Double], _ system: SupportSystem) throws(MeanFieldError) -> [[Double]] {
        let n = system.stateCount
        var columns: [[Double]] = []
        columns.reserveCapacity(x.count)
        var weightTotals = [Double](repeating: 0, count: n)
        for (i, w) in system.weights.enumerated() { weightTotals[w.state] += max(x[n + i], 0) }
        for j in x.indices {
            var h = SupportNewton.differenceStep
            if j >= n, weightTotals[system.weights[j - n].state] + h > 1, x[j] > h { h = -h }
            var y = x
            y[j] += h
            guard let (g, _) = try self(y, system) else {
                columns.append([Double](repeating: 0, count: f.count))
                continue
            }
            columns.append((0..<f.count).map { (g[$0] - f[$0]) / h })
        }
        return columns
    }
}

/// Levenberg–Marquardt on the normal equations: `(JᵀJ + λ(diag JᵀJ + ε I)) δ = −JᵀF`.
enum LevenbergMarquardt {
    /// `JᵀJ` (row-major, `N × N`) and `JᵀF` of the Jacobian's columns.
    static func normalEquations(_ columns: [[Double]], _ f: [Double]) -> (a: [Double], g: [Double]) {
        let k = columns.count
        var a = [Double](repeating: 0, count: k * k)
        var g = [Double](repeating: 0, count: k)
        for i in 0..<k {
            g[i] = innerProduct(columns[i], f)
            for j in i..<k {
                let v = innerProduct(columns[i], columns[j])
                a[i * k + j] = v
                a[j * k + i] = v
            }
        }
        return (a, g)
    }

    /// The damped step, or `nil` when the damped system is singular.
    static func step(a: [Double], g: [Double], lambda: Double) -> [Double]? {
        let k = g.count
        var largest = 0.0
        for i in 0..<k { largest = max(largest, a[i * k + i]) }
        guard largest > 0, largest.isFinite else { return nil }
        var damped = a
        for i in 0..<k { damped[i * k + i] += lambda * (a[i * k + i] + 1e-9 * largest) }
        var rhs = g.map { -$0 }
        guard DenseLinearSystem.solve(&damped, &rhs, n: k, pivotTolerance: 1e-15) else { return nil }
        return rhs.allSatisfy(\.isFinite) ? rhs : nil
    }

    static func squaredNorm(_ x: [Double]) -> Double { innerProduct(x, x) }
}

/// Where the iterations of one support guess ended.
struct SupportSolve {
    /// The last accepted unknowns.
    var x: [Double]
    /// Levenberg–Marquardt iterations (Jacobians) used.
    var iterations: Int
    /// `max |F(x)|`.
    var residual: Double
}

extension SupportResidual {
    /// Levenberg–Marquardt from `start` (projected): the forward-difference Jacobian, updated by
    /// Broyden's rank-one formula after every accepted step and formed afresh when the updated
    /// one finds no descent; each iteration tries damped steps (``dampedStep(_:f:columns:lambda:_:)``).
    /// It stops after ``SupportNewton/iterationLimit`` iterations, when a fresh Jacobian finds no
    /// descent, when `max |F|` is below ``SupportNewton/residualFloor`` or falls too slowly
    /// (``SupportNewton/progressWindow``), or when another Jacobian would pass `budget` evaluations. `nil` when the start holds no mass.
    mutating func solve(from start: [Double], _ system: SupportSystem, budget: Int) throws(MeanFieldError) -> SupportSolve? {
        var x = system.projected(start)
        guard let first = try self(x, system) else { return nil }
        var f = first.f
        warm = first.values
        var lambda = 1e-6
        var iterations = 0
        var columns: [[Double]]? = nil
        var history = [Self.largest(f)]
        while iterations < SupportNewton.iterationLimit, Self.largest(f) > SupportNewton.residualFloor,
              history.count <= SupportNewton.progressWindow
                || history[history.count - 1] < SupportNewton.progressFactor * history[history.count - 1 - SupportNewton.progressWindow] {
            let fresh = columns == nil
            if fresh {
                guard count + x.count + 8 <= budget else { break }
                columns = try jacobian(x, f: f, system)
            }
            iterations += 1
            guard let j = columns, let (y, fy, vy) = try dampedStep(x, f: f, columns: j, lambda: &lambda, system) else {
                // A Broyden-updated Jacobian that finds no descent is replaced by a fresh one.
                if fresh { break }
                columns = nil
                continue
            }
            columns = Self.broyden(j, step: (0..<x.count).map { y[$0] - x[$0] }, change: (0..<f.count).map { fy[$0] - f[$0] })
            (x, f, warm) = (y, fy, vy)
            history.append(Self.largest(f))
        }
        return SupportSolve(x: x, iterations: iterations, residual: Self.largest(f))
    }

    /// Damped steps from `x` with the Jacobian `columns` (`λ` ×10 after a step that does not
    /// lower `‖F‖₂`, ÷10 after one that does), at most 8; the first that lowers `‖F‖₂`.
    mutating func dampedStep(_ x: [Double], f: [Double], columns: [[Double]], lambda: inout Double,
                             _ system: SupportSystem) throws(MeanFieldError) -> ([Double], [Double], [Double])? {
        let (a, g) = LevenbergMarquardt.normalEquations(columns, f)
        let norm = LevenbergMarquardt.squaredNorm(f)
        for _ in 0..<8 {
            guard let d = LevenbergMarquardt.step(a: a, g: g, lambda: lambda) else {
                lambda *= 10
                continue
            }
            let y = system.projected((0..<x.count).map { x[$0] + d[$0] })
            if let trial = try self(y, system), LevenbergMarquardt.squaredNorm(trial.f) < norm {
                lambda = max(lambda / 10, 1e-12)
                return (y, trial.f, trial.values)
            }
            lambda *= 10
        }
        return nil
    }

    /// Broyden's rank-one update `J += (ΔF − J s) sᵀ / sᵀs` of the Jacobian's columns.
    static func broyden(_ columns: [[Double]], step s: [Double], change df: [Double]) -> [[Double]] {
        let ss = LevenbergMarquardt.squaredNorm(s)
        guard ss > 0 else { return columns }
        var u = df
        for (j, column) in columns.enumerated() where s[j] != 0 {
            for i in u.indices { u[i] -= column[i] * s[j] }
        }
        var next = columns
        for j in next.indices where s[j] != 0 {
            let c = s[j] / ss
            for i in u.indices { next[j][i] += u[i] * c }
        }
        return next
    }

    static func largest(_ f: [Double]) -> Double {
        var r = 0.0
        for v in f where !(abs(v) <= r) { r = abs(v) }
        return r
    }
}

extension SolverRun {
    /// The support Newton stage (``SupportNewton``) from `start`, a pair evaluated at the
    /// requested `τ = 0` (the best candidate of the continuation stage at `stage`): for each
    /// support guess `δ = factor · stage`, Levenberg–Marquardt, then the pair evaluated from
    /// scratch (recorded, labelled ``EquilibriumMethod/supportNewton``); the first that meets the
    /// tolerance is the result. A guess whose solution leaves weights at 0 is solved again
    /// without those actions (at most ``SupportNewton/dropLimit`` times). Called with the run's
    /// options and evaluator at the requested `τ`; `nil` when no guess is accepted.
    mutating func supportNewtonStage(from start: PairEvaluation, stage: Double) throws(MeanFieldError) -> EquilibriumResult? {
        guard options.temperature == 0, stage <= SupportNewton.maximumTemperature, game.actionCount > 1 else { return nil }
        let m = game.actionCount
        var residual = SupportResidual(game: game, population: options.population, options: evaluator.valueOptions)
        var tried: Set<SupportSystem> = []
        var budget: Int? = nil
        for factor in SupportNewton.supportFactors {
            let supports = SupportSystem.guess(q: start.optimal.qValues, meanField: start.meanField, actionCount: m,
                                               delta: factor * stage)
            var system: SupportSystem? = SupportSystem(supports: supports, actionCount: m)
            var drops = 0
            while let guess = system, drops <= SupportNewton.dropLimit, !tried.contains(guess),
                  guess.unknowns <= SupportNewton.unknownLimit, trace.count + 1 < options.maxIterations {
                tried.insert(guess)
                let limit = budget ?? SupportNewton.evaluationFactor * guess.unknowns
                budget = limit
                let x0 = guess.start(meanField: start.meanField, policy: start.policy.probabilities)
                guard residual.count < limit, let solved = try residual.solve(from: x0, guess, budget: limit) else { return nil }
                if let done = try acceptSupport(solved, guess, stage: stage) { return done }
                system = guess.dropped(atZero: guess.policy(solved.x))
                drops += 1
            }
        }
        return nil
    }

    /// Evaluates the pair of `solved` from scratch at the requested `τ`, records it (labelled
    /// ``EquilibriumMethod/supportNewton``; the first such record is a switch) and returns the
    /// result when it meets the tolerance.
    mutating func acceptSupport(_ solved: SupportSolve, _ system: SupportSystem, stage: Double) throws(MeanFieldError) -> EquilibriumResult? {
        guard let mu = system.meanField(solved.x) else { return nil }
        let pi = Policy(unchecked: system.stateCount, system.actionCount, system.policy(solved.x))
        let snap = try game.snapshot(at: mu)
        let opt = try evaluator.optimal(snap)
        let p = try evaluator.pair(snap, optimal: opt, policy: pi)
        if current != .supportNewton { switchMethod(to: .supportNewton) }
        record(p, change: 0)
        guard isConverged(p) else { return nil }
        let note = SupportNewton.note(stage: stage, mixed: system.weights.count, iterations: solved.iterations)
        return try finish(p, converged: true, message: convergedMessage(p) + note)
    }
}
