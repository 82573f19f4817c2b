extension SolverRun {
    /// ``EquilibriumMethod/auto``: below ``Continuation/threshold`` a direct attempt at the
    /// requested `τ` (``Continuation/directAttempt`` iterations), then continuation in `τ`,
    /// then the requested `τ` from the last stage that converged (``stageChain(_:target:)``:
    /// Anderson, the Anderson bridge, mirror descent, fictitious play). A stage that does not
    /// converge is retried with a smaller ratio (``Continuation/Schedule``). Every pair of a
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
        var c = Continuation.State(start: initialMeanField)
        var schedule = Continuation.Schedule(target: target.temperature)
        var spent = 0
        while let t = schedule.next, spent < target.maxIterations / 2 {
            var stage = target
            stage.temperature = t
            stage.maxIterations = trace.count + perStage
            stage.initialMeanField = c.start
            stage.verify = false
            stage.exact = false
            stage.tolerance = Continuation.stageTolerance(target: target)
            enterStage(stage, warmPolicy: c.anchor?.policy)
            let before = trace.count
            let outcome = try stageChain(&c, target: target)
            spent += trace.count - before
            guard case let .stage(r) = outcome else { return outcome.result }
            // A stage that did not converge is retried from the last converged one (a bridge
            // stage included) with the square root of the ratio between them; below
            // ``Continuation/Schedule/smallestRatio`` the continuation ends.
            if let reached = c.anchor?.temperature { schedule.reached(reached) }
            schedule.finished(converged: r.converged)
            guard r.converged else { continue }
            if let done = try acceptStage(r, temperature: t, &c, target: target) { return done }
        }
        var last = target
        last.initialMeanField = c.start
        enterStage(last, warmPolicy: c.anchor?.policy)
        return try stageChain(&c, target: target).result
    }

    /// Records a converged stage as the new anchor and, at `τ = 0`, checks its candidates at
    /// the requested `τ` (``checkAtTarget(_:path:target:)``); returns the final result when one
    /// meets the tolerance.
    mutating func acceptStage(_ r: EquilibriumResult, temperature t: Double, _ c: inout Continuation.State,
                              target: EquilibriumOptions) throws(MeanFieldError) -> EquilibriumResult? {
        c.accept(r, temperature: t)
        // At τ = 0 the stage's pair, the pure pair its best response settles on and the
        // extrapolations of the path to τ = 0 are checked from scratch (Continuation.checksStages).
        guard Continuation.checksStages(target: target.temperature) else { return nil }
        return try checkAtTarget(r, path: c.path, target: target)
    }

    /// One continuation stage, or the requested `τ` after the stages, entered by the caller
    /// (``enterStage(_:warmPolicy:recordSwitch:method:)``) from the last converged stage
    /// `c.anchor`. For `τ > 0`: Anderson (``directAndersonBudget``); if it does not converge
    /// and a converged stage lies above, the Anderson bridge (``bridge(_:to:target:)``); then
    /// adaptive mirror descent and fictitious play at the stage's `τ`, from the bridge's last
    /// converged stage when it got past the anchor, else from Anderson's best iterate. `τ = 0`:
    /// the direct chain (mirror descent, fictitious play).
    mutating func stageChain(_ c: inout Continuation.State, target: EquilibriumOptions) throws(MeanFieldError) -> Continuation.Outcome {
        guard options.temperature > 0 else { return .stage(try directChain()) }
        let stage = options
        var start: [Double]
        switch try andersonThenNewton(budget: directAndersonBudget) {
        case let .finished(result): return .stage(result)
        case let .exhausted(best): start = best
        }
        guard let anchor = c.anchor, anchor.temperature > stage.temperature else {
            switchMethod(to: .mirrorDescent)
            return .stage(try mirrorThenFictitiousPlay(from: start))
        }
        if let reached = try bridge(&c, to: stage, target: target) { return reached }
        if let moved = c.anchor, moved.temperature < anchor.temperature { start = moved.meanField }
        var resumed = stage
        resumed.initialMeanField = start
        enterStage(resumed, warmPolicy: c.anchor?.policy, method: .mirrorDescent)
        return .stage(try mirrorThenFictitiousPlay(from: start))
    }

    /// The Anderson bridge from the last converged stage `τ_s = c.anchor` to the stage `τ`
    /// whose Anderson phase failed: Anderson alone at `τ_s/√r` (`r = τ_s/τ`: half the log-ratio),
    /// warm-started from the anchor's mean field, so that it starts within its secant model. A
    /// bridge stage that converges becomes the anchor (and, at `τ = 0`, has its candidates
    /// checked) and the next is tried with the same ratio (at most down to `τ` itself); one that
    /// does not is retried with the square root of the ratio, until the ratio is below
    /// ``Continuation/bridgeSmallestRatio`` or the stage's budget is spent. Returns the
    /// stage's result when Anderson reaches `τ` (its message names the bridge), the final
    /// result when a `τ = 0` check meets the tolerance, `nil` otherwise.
    mutating func bridge(_ c: inout Continuation.State, to stage: EquilibriumOptions,
                         target: EquilibriumOptions) throws(MeanFieldError) -> Continuation.Outcome? {
        guard var anchor = c.anchor else { return nil }
        let from = anchor.temperature
        var ratio = (anchor.temperature / stage.temperature).squareRoot()
        var passed: [Double] = []
        while ratio >= Continuation.bridgeSmallestRatio {
            let budget = min(Continuation.bridgeBudget, (stage.maxIterations - trace.count) / 2)
            guard budget >= Continuation.minimumStageBudget else { break }
            let reachesStage = anchor.temperature / ratio <= stage.temperature * (1 + 1e-9)
            var step = stage
            step.initialMeanField = anchor.meanField
            if !reachesStage {
                step.temperature = anchor.temperature / ratio
                step.verify = false
                step.exact = false
                step.tolerance = Continuation.stageTolerance(target: target)
            }
            enterStage(step, warmPolicy: anchor.policy)
            guard case let .finished(r) = try andersonThenNewton(budget: budget), r.converged else {
                ratio = ratio.squareRoot()
                continue
            }
            if reachesStage { return .stage(r.noting(Continuation.bridgeNote(from: from, through: passed))) }
            passed.append(step.temperature)
            if let done = try acceptStage(r, temperature: step.temperature, &c, target: target) { return .done(done) }
            anchor = c.anchor ?? anchor
        }
        return nil
    }

    /// The pure pair `(BR(ν), ν)` of ``checkAtTarget(_:path:target:)``, `ν` the stationary law of
    /// the best response `br`'s chain from its mean field within `auto`'s limit
    /// (``autoStationaryLaw(_:from:)``): `nil` when that law is out of reach, where the unlimited
    /// law (up to 200,000 lazy steps of `O(nnz)`, some 20 minutes at 10⁶ states) would end on a
    /// vector that is not the law (review of 2026-12-06).
    mutating func settledBestResponsePair(_ br: PairEvaluation) throws(MeanFieldError) -> PairEvaluation? {
        guard let law = autoStationaryLaw(br.transition, from: br.meanField) else { return nil }
        return try evaluator.bestResponsePair(law)
    }

    /// Evaluates a converged stage's pair `(π, μ)` at the requested options (recorded, labelled
    /// with the stage's method and the requested `τ`), then the pure pair `(BR(ν), ν)` with
    /// `ν = Stat(BR(μ) at μ)` where that law is within `auto`'s reach
    /// (``settledBestResponsePair(_:)``), then the Richardson extrapolations of the path to `τ = 0`;
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
        let settled = try settledBestResponsePair(br)
        record(held, change: 0)
        if let pure = settled, isConverged(pure) {
            record(pure, change: 0)
            return try finish(pure, converged: true,
                              message: convergedMessage(pure) + Continuation.note(stage.temperature) + ", its settled best-response pair")
        }
        var best = held
        for order in 1...Continuation.maximumOrder {
            guard let (mu, pi) = path.extrapolated(order: order) else { break }
            let snapX = try game.snapshot(at: mu)
            let optX = try evaluator.optimal(snapX)
            let x = try evaluator.pair(snapX, optimal: optX, policy: pi)
            if isConverged(x) {
                record(x, change: 0)
                return try finish(x, converged: true, message: convergedMessage(x) + "; the Richardson extrapolation (order \(order)) to τ = 0 of the continuation stages down to τ = \(stage.temperature)")
            }
            if max(x.exploitability, x.stationarityResidual) < max(best.exploitability, best.stationarityResidual) { best = x }
        }
        // The tie candidate from the stage's pair (Solver+TieCandidate.swift), then the support
        // Newton stage from the best candidate (Solver+SupportNewton.swift).
        if let done = try tieCandidateStage(from: held, stage: stage.temperature) { return done }
        if let done = try supportNewtonStage(from: best, stage: stage.temperature) { return done }
        options = stage
        evaluator = stageEvaluator
        return nil
    }

    /// Makes `stage` the options of the run from the next trace record on: a new evaluator at
    /// the stage's temperature (warm-started from the last value functions), the stage's first
    /// method (`method`, or the one `auto` starts with at that `τ`), the switch recorded, and
    /// mirror descent's logits `log π` of `warmPolicy`.
    mutating func enterStage(_ stage: EquilibriumOptions, warmPolicy: Policy?, recordSwitch: Bool = true,
                             method: EquilibriumMethod? = nil) {
        let first = method ?? EquilibriumMethod.auto.resolved(temperature: stage.temperature)
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
        // A stage starts from the last one's mean field (or afresh at another τ), not from the
        // spread coarse solution the option is for: the lazy phase first.
        options.frozenPolicyFromStart = false
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
    /// At most this many Anderson iterations per stage of the Anderson bridge.
    static let bridgeBudget = 1000
    /// The Anderson bridge retries with the square root of its ratio down to this ratio
    /// (one eighth of a decade, `10^(1/8) ≈ 1.33`, is the last one tried after a ratio of 10),
    /// below the stage schedule's ``Schedule/smallestRatio``: a bridge stage close to its anchor
    /// costs few iterations when it converges. On the 384-state crowd grid, tv 0.05 at
    /// `τ = 0.01`, Anderson (and the Newton polish after it) stalls near `6e-8` from the bridge
    /// stage at `10^-1.75` (ratio 1.78) and converges from `10^-1.875` (ratio 1.33: 19 iterations
    /// there, 58 at 0.01); with the schedule's 1.5 the bridge ended at 1.78, and mirror descent
    /// and fictitious play ran past 11 CPU s (Docs/Solvers.md, "Regime matrix").
    static let bridgeSmallestRatio = 1.25
    /// A continuation or bridge stage above a requested `τ > 0` converges at this multiple of
    /// the requested tolerance: it is only the next stage's warm start (at a requested `τ = 0`
    /// its pair is a candidate, and the stages keep the requested tolerance). On the crowd grid
    /// tv 0.05 at `τ = 0.01`, radius 0.055, the Newton polish ended the bridge stage at
    /// `10^-1.75` at `r = 3.6e-9` and the stage counted as failed (over 11 CPU s); with 10 the
    /// cell converges (Docs/Solvers.md, "auto").
    static let stageToleranceFactor = 10.0

    /// The tolerance of a stage above the requested `τ` (``stageToleranceFactor``).
    static func stageTolerance(target: EquilibriumOptions) -> Double {
        target.temperature > 0 ? target.tolerance * stageToleranceFactor : target.tolerance
    }

    /// How a stage ended: its own result (converged or not), or the final result of the
    /// solve (a `τ = 0` candidate of a bridge stage met the tolerance).
    enum Outcome {
        case stage(EquilibriumResult)
        case done(EquilibriumResult)

        var result: EquilibriumResult {
            switch self {
            case let .stage(r), let .done(r): return r
            }
        }
    }

    /// The last converged stage: where the next stage starts from.
    struct Anchor {
        var temperature: Double
        var meanField: [Double]
        var policy: Policy
    }

    /// The continuation so far: the next stage's starting mean field, the last converged
    /// stage and the path of converged stages (for the extrapolation to `τ = 0`).
    struct State {
        var start: [Double]
        var anchor: Anchor? = nil
        var path = Path()

        mutating func accept(_ r: EquilibriumResult, temperature: Double) {
            start = r.meanField
            anchor = Anchor(temperature: temperature, meanField: r.meanField, policy: r.policy)
            path.append(temperature: temperature, meanField: r.meanField, policy: r.policy)
        }
    }

    /// The message note of a stage that the Anderson bridge reached.
    static func bridgeNote(from anchor: Double, through passed: [Double]) -> String {
        let through = passed.isEmpty ? "" : " through the bridge stages at τ = " + passed.map { "\($0)" }.joined(separator: ", ")
        return "; Anderson from the continuation stage at τ = \(anchor)" + through
    }

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
    /// converge, the ratio becomes the square root of the ratio between the last converged
    /// temperature (a bridge stage's included, ``reached(_:)``) and the failed one, and the
    /// stage is retried from the last converged temperature, until the ratio is below
    /// ``smallestRatio``.
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

        /// A bridge stage at `temperature` (below the last converged one) converged.
        mutating func reached(_ temperature: Double) {
            if let last, temperature < last, temperature > pending { self.last = temperature }
        }

        mutating func finished(converged: Bool) {
            if converged {
                last = pending
            } else {
                ratio = (last.map { $0 / pending } ?? ratio).squareRoot()
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
