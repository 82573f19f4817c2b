import Ambiguity
import Expressions
import MeanField

extension GameFile {
    /// The solver options the file asks for (`solver`, `population`, `initial`).
    public var equilibriumOptions: EquilibriumOptions {
        EquilibriumOptions(method: solver.method, temperature: solver.temperature, damping: solver.damping,
                           learningRate: solver.learningRate, tolerance: solver.tolerance,
                           maxIterations: solver.maxIterations, inner: solver.inner, population: population,
                           initialMeanField: initial)
    }

    /// The inner solver actually used, as reported by `rmfg solve`: `closed-form`, `lp`, or
    /// `dual` when `solver.inner: lp` meets a set that is not a polytope (`kl`, `chi2`), whose
    /// inner problem is not a linear program and is solved by its certified dual solver instead.
    public var innerSolverUsed: String {
        switch solver.inner {
        case .closedForm: "closed-form"
        case .lp: set.isPolyhedral ? "lp" : "dual"
        }
    }

    /// Why ``innerSolverUsed`` differs from `solver.inner`, or `nil` when it does not.
    public var innerSolverNote: String? {
        guard solver.inner == .lp, !set.isPolyhedral else { return nil }
        return "lp requested, but \(set.rawValue) is not polyhedral: its inner problem is solved by the certified dual solver"
    }

    /// The ambiguity set (distance, support, weights, ground cost) without its radius.
    public var ambiguitySet: AmbiguitySet { ambiguity }

    /// Whether the reward reads `mu`.
    public var rewardDependsOnMeanField: Bool { reward.depends(on: "mu") }

    /// Builds the game for the MeanField solvers.
    ///
    /// Expressions are evaluated by the game's closures, which cannot throw: an
    /// evaluation error (a `log` of 0, an index out of range, a negative
    /// probability, a row that does not sum to 1) makes the closure return an
    /// invalid value that the solver rejects, and the precise message is kept
    /// for ``explain(_:)``.
    ///
    /// - Throws: ``GameFileError`` when an expression fails at the uniform mean
    ///   field (the game is validated there on construction).
    public func makeGame() throws(GameFileError) -> MeanFieldGame {
        let slots = self.slots, log = failures
        // Each closure call starts from a copy of this environment (three references
        // to retain) instead of building one from the schema (three allocations).
        let template = Environment(schema: schema)
        let rewardExpr = reward, radiusExpr = radius, n = stateCount
        let states = stateNames, actions = actionNames, file = path
        @Sendable func fail(_ field: String, _ s: Int, _ a: Int, _ t: Int?, _ message: String) {
            let where_ = "at s=\(states[s]), a=\(actions[a])" + (t.map { ", t=\(states[$0])" } ?? "")
            let kind = field.hasPrefix("transition") ? "transition" : (field == "reward" ? "reward" : "radius")
            log.record(GameFileError(file: file, field: field, message: "\(where_): \(message)"), kind: kind, state: s, action: a)
        }
        let rewardFunction: MeanFieldGame.RewardFunction = { s, a, mu in
            var env = template
            env[slots.s] = Double(s); env[slots.a] = Double(a)
            do throws(ExpressionError) {
                try env.bind(slots.mu, to: mu)
                return try rewardExpr.evaluate(in: env)
            } catch {
                fail("reward", s, a, nil, error.message)
                return .nan
            }
        }
        let radiusFunction: MeanFieldGame.RadiusFunction = { s, a, mu in
            var env = template
            env[slots.s] = Double(s); env[slots.a] = Double(a)
            do throws(ExpressionError) {
                try env.bind(slots.mu, to: mu)
                let rho = try radiusExpr.evaluate(in: env)
                if !(rho >= 0) { fail("ambiguity.radius", s, a, nil, "found \(rho), expected a number >= 0") }
                return rho
            } catch {
                fail("ambiguity.radius", s, a, nil, error.message)
                return .nan
            }
        }
        let invalid = SparseDistribution(indices: [0], probabilities: [.nan])
        let kernelFunction: MeanFieldGame.KernelFunction
        let kernelDepends: Bool
        switch transition {
        case let .rows(rows):
            let m = actionCount
            kernelFunction = { s, a, _ in rows[s * m + a] }
            kernelDepends = false
        case let .expression(expr, normalize):
            kernelDepends = expr.depends(on: "mu")
            kernelFunction = { s, a, mu in
                var env = template
                env[slots.s] = Double(s); env[slots.a] = Double(a)
                var idx: [Int] = [], pr: [Double] = []
                var total = 0.0
                do throws(ExpressionError) {
                    try env.bind(slots.mu, to: mu)
                    for t in 0..<n {
                        env[slots.t] = Double(t)
                        let p = try expr.evaluate(in: env)
                        guard p >= 0 else {
                            fail(normalize ? "transition.expr" : "transition", s, a, t, "found \(p), expected a probability >= 0")
                            return invalid
                        }
                        if p > 0 { idx.append(t); pr.append(p); total += p }
                    }
                } catch {
                    fail(normalize ? "transition.expr" : "transition", s, a, nil, error.message)
                    return invalid
                }
                if normalize {
                    guard total > 0 else {
                        fail("transition.expr", s, a, nil, "the row sums to 0, expected a positive sum to normalize")
                        return invalid
                    }
                    for k in pr.indices { pr[k] /= total }
                } else if abs(total - 1) > Self.rowTolerance {
                    fail("transition", s, a, nil, "the row sums to \(total), expected 1 (within 1e-9; use transition.normalize: true to divide by the sum)")
                    return invalid
                }
                return SparseDistribution(indices: idx, probabilities: pr)
            }
        }
        do throws(MeanFieldError) {
            return try MeanFieldGame(
                stateCount: stateCount, actionCount: actionCount, discount: discount, ambiguity: ambiguity,
                stateNames: stateNames, actionNames: actionNames,
                reward: rewardFunction, kernel: kernelFunction, kernelDependsOnMeanField: kernelDepends,
                radius: radiusFunction, radiusDependsOnMeanField: radiusExpr.depends(on: "mu"))
        } catch {
            throw explain(error)
        }
    }

    /// Turns an error from the solver into a one-line game-file error naming the
    /// field, `s`, `a` (and `t`): the message recorded by the game's closures
    /// when an expression failed, or the solver's own description otherwise.
    public func explain(_ error: MeanFieldError) -> GameFileError {
        func name(_ s: Int, _ a: Int) -> String {
            "at s=\(s < stateNames.count ? stateNames[s] : "\(s)"), a=\(a < actionNames.count ? actionNames[a] : "\(a)")"
        }
        switch error {
        case let .invalidReward(s, a, v):
            if let recorded = failures.failure(kind: "reward", state: s, action: a) { return recorded }
            return GameFileError(file: path, field: "reward", message: "\(name(s, a)): found \(v), expected a finite number")
        case let .invalidKernel(s, a, message):
            if let recorded = failures.failure(kind: "transition", state: s, action: a) { return recorded }
            return GameFileError(file: path, field: "transition", message: "\(name(s, a)): \(message)")
        case let .invalidRadius(s, a, v):
            if let recorded = failures.failure(kind: "radius", state: s, action: a) { return recorded }
            return GameFileError(file: path, field: "ambiguity.radius", message: "\(name(s, a)): found \(v), expected a finite number >= 0")
        case let .invalidGame(field, message):
            return GameFileError(file: path, field: field, message: message)
        case let .invalidOption(field, message):
            return GameFileError(file: path, field: field == "initial" ? "initial" : "solver.\(field)", message: message)
        case let .invalidMeanField(message):
            return GameFileError(file: path, field: "initial", message: message)
        default:
            return GameFileError(file: path, field: "", message: error.description)
        }
    }
}
