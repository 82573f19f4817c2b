extension SolverRun {
    /// ``EquilibriumMethod/auto``: below ``Continuation/threshold`` a direct attempt at the
    /// requested `τ` (``Continuation/directAttempt`` iterations), then continuation in `τ`,
    /// then the direct chain at the requested `τ` (``directChain()``) from the last stage that
    /// converged (a stage that does not converge ends the continuation). Every pair of a
    /// continuation stage is recorded with the stage's temperature
    /// (``IterationRecord/temperature``); convergence is only ever declared by a pair
    /// evaluated from scratch at the requested `τ` (Docs/Solvers.md, "auto").
    mutating func automatic() throws(MeanFieldError) -> EquilibriumResult {
        let target = options
        let stages = Continuation.temperatures(target: target.temperature)
        let perStage = stages.isEmpty ? 0 : min(Continuation.stageBudget, target.maxIterations / (2 * stages.count))
        guard perStage >= Continuation.minimumStageBudget else { return try directChain() }
        // A direct attempt at the requested τ first: most games converge there within a few
        // hundred iterations, and a continuation stage that fails (τ = 1 on Bench-MFG's
        // kinetic congestion) would cost its whole budget. The continuation starts afresh
        // from the initial mean field when the attempt does not converge.
        let probe = min(Continuation.directAttempt, target.maxIterations / 4)
        if probe >= Continuation.minimumStageBudget {
            options.maxIterations = probe
            let r = try directChain()
            if r.converged { return r }
            options = target
        }
        var start = initialMeanField
        var policy: Policy? = nil
        var path = Continuation.Path()
        var schedule = Continuation.Schedule(target: target.temperature)
        var spent = 0
        while let t = schedule.next, spent < target.maxIterations / 2 {
            var stage = target
            stage.temperature = t
            stage.maxIterations = trace.count + perStage
            stage.initialMeanField = start
            stage.verify = false
            stage.exact = false
            enterStage(stage, warmPolicy: policy)
            let before = trace.count
            let r = try directChain()
            spent += trace.count - before
            // A stage that did not converge is retried from the last converged one with a
            // smaller ratio (its square root); below ``Continuation/Schedule/smallestRatio``
            // the continuation ends.
            schedule.finished(converged: r.converged)
            guard r.converged else { continue }
            start = r.meanField
            policy = r.policy
            path.append(temperature: t, meanField: r.meanField, policy: r.policy)
            // At τ = 0 the stage's pair, the pure pair its best response settles on and the
            // extrapolations of the path to τ = 0 are checked from scratch (Continuation.checksStages).
            if Continuation.checksStages(target: target.temperature),
               let done = try checkAtTarget(r, path: path, target: target) {
                return done
            }
        }
        var last = target
        last.initialMeanField = start
        enterStage(last, warmPolicy: policy)
        return try directChain()
    }

    /// Evaluates a converged stage's pair `(π, μ)` at the requested options (recorded, labelled
    /// with the stage's method and the requested `τ`), then the pure pair `(BR(ν), ν)` with
    /// `ν = Stat(BR(μ) at μ)`, then the Richardson extrapolations of the path to `τ = 0`;
    /// finishes with the first that meets the tolerance (recorded too).
    mutating func checkAtTarget(_ r: EquilibriumResult, path: Continuation.Path,
                                target: EquilibriumOptions) throws(MeanFieldError) -> EquilibriumResult? {
        let stage = options
        let stageEvaluator = evaluator
        let stageMethod = current
        enterStage(target, warmPolicy: nil, recordSwitch: false)
        current = stageMethod
        let snap = try game.snapshot(at: r.meanField)
        let opt = try evaluator.optimal(snap)
        let held = try evaluator.pair(snap, optimal: opt, policy: r.policy)
        if isConverged(held) {
            record(held, change: 0)
            return try finish(held, converged: true, message: convergedMessage(held) + Continuation.note(stage.temperature))
        }
        let br = try evaluator.pair(snap, optimal: opt, policy: nil)
        let pure = try evaluator.bestResponsePair(br.stationaryDistribution())
        record(held, change: 0)
        if isConverged(pure) {
            record(pure, change: 0)
            return try finish(pure, converged: true,
                              message: convergedMessage(pure) + Continuation.note(stage.temperature) + ", its settled best-response pair")
        }
        for order in 1...Continuation.maximumOrder {
            guard let (mu, pi) = path.extrapolated(order: order) else { break }
            let snapX = try game.snapshot(at: mu)
            let optX = try evaluator.optimal(snapX)
            let x = try evaluator.pair(snapX, optimal: optX, policy: pi)
            if isConverged(x) {
                record(x, change: 0)
                return try finish(x, converged: true, message: convergedMessage(x) + "; the Richardson extrapolation (order \(order)) to τ = 0 of the continuation stages down to τ = \(stage.temperature)")
            }
        }
        options = stage
        evaluator = stageEvaluator
        return nil
    }

    /// Makes `stage` the options of the run from the next trace record on: a new evaluator at
    /// the stage's temperature (warm-started from the last value functions), the stage's first
    /// method, the switch recorded, and mirror descent's logits `log π` of `warmPolicy`.
    mutating func enterStage(_ stage: EquilibriumOptions, warmPolicy: Policy?, recordSwitch: Bool = true) {
        let first = EquilibriumMethod.auto.resolved(temperature: stage.temperature)
        if recordSwitch, !trace.isEmpty {
            switches.append(MethodSwitch(iteration: trace.count, from: current, to: first, temperature: stage.temperature))
        }
        current = first
        var values = stage.values
        values.inner = stage.inner
        var next = PairEvaluator(game: game, temperature: stage.temperature, population: stage.population, valueOptions: values)
        next.keepsOptimalKernels = false
        next.warmOptimal = evaluator.warmOptimal
        next.warmPolicy = evaluator.warmPolicy
        evaluator = next
        options = stage
        warmLogits = warmPolicy.map { p in p.probabilities.map { mathLog(max($0, Continuation.logFloor)) } }
    }
}

/// The continuation in `τ` of ``EquilibriumMethod/auto`` (Docs/Solvers.md): below
/// ``threshold`` the equilibrium is first solved at `τ = 1, 0.1, 0.01, …` (the stages above
/// the requested `τ`), each stage warm-started from the previous stage's mean field and
/// policy. For a requested `τ = 0` the stages go down to ``smallest``, and each converged
/// stage's pair is checked at `τ = 0`.
enum Continuation {
    /// Requested temperatures below this use continuation.
    static let threshold = 0.1
    /// The last stage for a requested `τ = 0`.
    static let smallest = 1e-12
    /// At most this many iterations per stage, and at most half the budget for all stages.
    static let stageBudget = 2000
    /// With fewer iterations per stage than this, `auto` solves directly at the requested `τ`.
    static let minimumStageBudget = 20
    /// Iterations of the direct attempt at the requested `τ` before the continuation.
    static let directAttempt = 500
    /// The highest order of the Richardson extrapolation to `τ = 0`.
    static let maximumOrder = 3
    /// Probabilities below this become this before `log` (mirror descent's warm logits).
    static let logFloor = 1e-12

    /// `1, 0.1, 0.01, …` strictly above `target` (by more than a factor 2; down to
    /// ``smallest`` for `target = 0`), largest first.
    static func temperatures(target: Double) -> [Double] {
        guard target < threshold else { return [] }
        var list: [Double] = []
        var t = 1.0
        while t > 2 * target, t >= smallest / 2 {
            list.append(t)
            t /= 10
        }
        return list
    }

    /// Whether each stage's pair is checked at the requested `τ` (only `τ = 0`: the pair of a
    /// stage at `τ_j` is then within about `τ_j` times the policy's entropy of exploitability 0).
    static func checksStages(target: Double) -> Bool { target == 0 }

    /// The stage temperatures: from 1 down by a ratio of 10; after a stage that does not
    /// converge, the ratio becomes its square root and the stage is retried from the last
    /// converged temperature, until the ratio is below ``smallestRatio``.
    struct Schedule {
        static let smallestRatio = 1.5
        let target: Double
        var last: Double? = nil
        var pending = 1.0
        var ratio = 10.0

        /// The next stage's temperature, `nil` when the continuation is over.
        var next: Double? {
            guard ratio >= Self.smallestRatio, pending > 2 * target, pending >= smallest / 2 else { return nil }
            return pending
        }

        mutating func finished(converged: Bool) {
            if converged {
                last = pending
            } else {
                ratio = ratio.squareRoot()
            }
            pending = (last ?? 1.0 * ratio) / ratio
            if last == nil { ratio = 0 }  // the first stage (τ = 1) must converge
        }
    }

    /// The converged stages `(τ_j, μ_j, π_j)`, for the Richardson extrapolation to `τ = 0`.
    struct Path {
        var stages: [(temperature: Double, meanField: [Double], policy: [Double])] = []
        var actionCount = 1

        mutating func append(temperature: Double, meanField: [Double], policy: Policy) {
            stages.append((temperature, meanField, policy.probabilities))
            actionCount = policy.actionCount
        }

        /// The Richardson extrapolation to `τ = 0` of the last `order + 1` stages (errors
        /// `c₁τ + … + c_order τ^order` eliminated; Neville's scheme on the temperatures),
        /// clipped and rescaled to the simplex (`μ`) and per state (`π`).
        func extrapolated(order: Int) -> (meanField: [Double], policy: Policy)? {
            guard stages.count > order else { return nil }
            let last = Array(stages.suffix(order + 1))
            var mu = Self.neville(last.map(\.meanField), at: last.map(\.temperature))
            var pi = Self.neville(last.map(\.policy), at: last.map(\.temperature))
            Simplex.project(&mu)
            let m = actionCount, n = pi.count / m
            for s in 0..<n {
                var row = Array(pi[(s * m)..<(s * m + m)])
                Simplex.project(&row)
                for a in 0..<m { pi[s * m + a] = row[a] }
            }
            return (mu, Policy(unchecked: n, m, pi))
        }

        /// The value at 0 of the polynomial in `t` through `(t_i, x_i)`, entry by entry.
        static func neville(_ xs: [[Double]], at ts: [Double]) -> [Double] {
            var p = xs
            for level in 1..<xs.count {
                for i in 0..<(xs.count - level) {
                    let ti = ts[i], tj = ts[i + level]
                    for e in p[i].indices { p[i][e] = (tj * p[i][e] - ti * p[i + 1][e]) / (tj - ti) }
                }
            }
            return p[0]
        }
    }

    static func note(_ temperature: Double) -> String {
        "; the pair of the continuation stage at τ = \(temperature), evaluated at the requested τ"
    }
}
