import Ambiguity
import Expressions
import MeanField
import Synchronization

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
        if rowSets != nil { return "lp" }
        return switch solver.inner {
        case .closedForm: "closed-form"
        case .lp: set.isPolyhedral ? "lp" : "dual"
        }
    }

    /// Why ``innerSolverUsed`` differs from `solver.inner`, or `nil` when it does not.
    public var innerSolverNote: String? {
        if rowSets != nil, solver.inner == .closedForm { return "\(setName) has no closed form: its inner problems are solved by the LP path" }
        guard solver.inner == .lp, !set.isPolyhedral else { return nil }
        return "lp requested, but \(set.rawValue) is not polyhedral: its inner problem is solved by the certified dual solver"
    }

    /// The ambiguity set (distance, support, weights, ground cost) without its radius.
    public var ambiguitySet: AmbiguitySet { ambiguity }

    /// Whether the reward reads `mu`.
    public var rewardDependsOnMeanField: Bool { reward.depends(on: "mu") }

    /// Builds the game for the MeanField solvers.
    ///
    /// Expressions are evaluated by the game's functions, which throw a
    /// `ModelError` naming the field when an evaluation fails (a `log`
    /// of 0, an index out of range, a negative probability, a row that does not
    /// sum to 1); the solver stops with `MeanFieldError.model(state:action:error:)`
    /// and ``explain(_:)`` turns it into a one-line ``GameFileError``.
    ///
    /// - Throws: ``GameFileError`` when an expression fails at the uniform mean
    ///   field (the game is validated there on construction).
    public func makeGame() throws(GameFileError) -> MeanFieldGame {
        let bind = RowBinder(template: Environment(schema: schema), slots: slots)
        // The batch rewards from the validation snapshot on (its rewards are the function's, bit for bit).
        let rewardRows = Self.rewardRowsFunction(reward, bind, states: stateCount, actions: actionCount)
        do throws(MeanFieldError) {
            let game: MeanFieldGame
            if case let .flat(rows) = transition {
                // Rows read straight into flat storage (`transition.sparse` arrays): no function.
                game = try MeanFieldGame(
                    stateCount: stateCount, actionCount: actionCount, discount: discount, ambiguity: ambiguity,
                    stateNames: stateNames, actionNames: actionNames, reward: Self.rewardFunction(reward, bind), rewardRows: rewardRows,
                    kernelRows: rows, radius: Self.radiusFunction(radius, bind), radiusDependsOnMeanField: radius.depends(on: "mu"))
            } else {
                let kernel = kernelFunction(bind)
                game = try MeanFieldGame(
                    stateCount: stateCount, actionCount: actionCount, discount: discount, ambiguity: ambiguity,
                    stateNames: stateNames, actionNames: actionNames,
                    reward: Self.rewardFunction(reward, bind), rewardRows: rewardRows, kernel: kernel.function,
                    kernelDependsOnMeanField: kernel.dependsOnMeanField,
                    radius: Self.radiusFunction(radius, bind), radiusDependsOnMeanField: radius.depends(on: "mu"))
                    .withKernelRows(kernel.rows, entriesPerRow: kernel.entriesPerRow, preparation: kernel.preparation)
            }
            guard let rowSets else { return game }
            return try game.withRowSets { s, a, mu, p throws(AmbiguityError) in try rowSets.set(s, a, mu, p) }
        } catch {
            throw explain(error)
        }
    }

    /// Binds `s`, `a` and `mu` for one evaluation of a row's expression. Each call
    /// starts from a copy of ``template`` (three references to retain) instead of
    /// building an environment from the schema (three allocations).
    struct RowBinder: Sendable {
        let template: Environment
        let slots: Slots

        @inline(__always)
        func callAsFunction(_ s: Int, _ a: Int, _ mu: [Double]) throws(ExpressionError) -> Environment {
            var env = template
            env[slots.s] = Double(s)
            env[slots.a] = Double(a)
            try env.bind(slots.mu, to: mu)
            return env
        }
    }

    /// `reward`, evaluated at `(s, a, μ)`.
    static func rewardFunction(_ expr: CompiledExpression, _ bind: RowBinder) -> MeanFieldGame.RewardFunction {
        let template = bind.template, slots = bind.slots
        if let constant = expr.constantValue { return { _, _, _ in constant } }
        // `s`, `a` and `mu` replace the template's for one evaluation: no copy, no allocation
        // (a copy made two arrays per call, about three quarters of the instructions of a
        // small game's reward; Docs/Performance.md, "The process around the solve").
        return { s, a, mu throws(ModelError) in
            do throws(ExpressionError) {
                return try expr.evaluate(in: template, setting: slots.s, to: Double(s), slots.a, to: Double(a),
                                         binding: slots.mu, to: mu)
            } catch {
                throw ModelError(field: "reward", message: error.fieldMessage)
            }
        }
    }

    /// `reward` at every row `(s, a)` for one `μ`, with one set-up of the expression VM
    /// (``CompiledExpression/rowValues(in:states:actions:setting:_:binding:to:)``): the values of
    /// ``rewardFunction(_:_:)`` bit for bit, or `nil` when a row fails (reported by that function).
    static func rewardRowsFunction(_ expr: CompiledExpression, _ bind: RowBinder, states: Int,
                                   actions: Int) -> MeanFieldGame.RewardRowsFunction {
        let template = bind.template, slots = bind.slots
        return { mu in
            // Chunks of rows on both cores from `ExecutionMode.parallelRowThreshold` rows on, each
            // row's value the same bits as in one pass (`CompiledExpression.rowValues`).
            let (count, overflow) = states.multipliedReportingOverflow(by: actions)
            guard !overflow, actions > 0 else { return nil }
            var out = [Double](repeating: 0, count: count)
            let failed = Atomic<Bool>(false)
            out.withUnsafeMutableBufferPointer { results in
                guard let base = results.baseAddress else { return }
                let slices = DisjointSlices(base: base)
                Parallel.forEachChunk(count: count, mode: .automatic) { range in
                    let chunk = UnsafeMutableBufferPointer(start: slices.base + range.lowerBound, count: range.count)
                    if !expr.rowValues(in: template, rows: range, actions: actions, setting: slots.s, slots.a, binding: slots.mu,
                                       to: mu, into: chunk) {
                        failed.store(true, ordering: .relaxed)
                    }
                }
            }
            return failed.load(ordering: .relaxed) ? nil : out
        }
    }

    /// `ambiguity.radius`, evaluated at `(s, a, μ)`; a value that is not `≥ 0` is an error.
    static func radiusFunction(_ expr: CompiledExpression, _ bind: RowBinder) -> MeanFieldGame.RadiusFunction {
        let template = bind.template, slots = bind.slots
        return { s, a, mu throws(ModelError) in
            let rho: Double
            do throws(ExpressionError) {
                rho = try expr.evaluate(in: template, setting: slots.s, to: Double(s), slots.a, to: Double(a),
                                        binding: slots.mu, to: mu)
            } catch {
                throw ModelError(field: "ambiguity.radius", message: error.fieldMessage)
            }
            guard rho >= 0 else { throw ModelError(field: "ambiguity.radius", message: "found \(rho), expected a number >= 0") }
            return rho
        }
    }

    /// `transition`'s kernel: the function of one row (the stored rows, the expression evaluated
    /// for every `t` at `(s, a, μ)`, or the listed successors, `O(k)` per row), whether it reads
    /// `μ`, and the same rows written by chunks into flat storage with the maximum entries of a
    /// row (`nil` for stored rows, which are evaluated once).
    ///
    /// With `cachingBindings` (the default), the batch rows of the successor forms and of a
    /// transition expression read the μ-free `let` bindings from a ``RowBindingCache`` computed
    /// at their first call.
    func kernelFunction(_ bind: RowBinder, cachingBindings: Bool = true) -> GameKernel {
        switch transition {
        case let .rows(rows):
            let m = actionCount
            return GameKernel(function: { s, a, _ in rows[s * m + a] }, dependsOnMeanField: false)
        case let .flat(rows):
            let m = actionCount
            return GameKernel(function: { s, a, _ in rows.row(s * m + a) }, dependsOnMeanField: false)
        case let .expression(expr, normalize):
            let n = stateCount, m = actionCount
            let tBindings = schema.bindingSlots(dependingOn: slots.t)
            let layout = RowScope.Layout(environment: bind.template, expressions: [expr])
            let function: MeanFieldGame.KernelFunction = { s, a, mu throws(ModelError) in
                try Self.expressionRow(expr, normalize: normalize, states: n, environment: bind, layout: layout, tBindings: tBindings,
                                       s, a, mu)
            }
            let cache = cachingBindings ? RowBindingCache(expression: expr, schema: schema, bind: bind, states: n, actions: m) : nil
            let rows: MeanFieldGame.KernelRowsFunction = { range, mu, out throws(MeanFieldError) in
                try Self.expressionRows(expr, normalize: normalize, states: n, actions: m, environment: bind, layout: layout,
                                        tBindings: tBindings, cache: cache, range, mu, into: &out)
            }
            return GameKernel(function: function, dependsOnMeanField: expr.depends(on: "mu"), rows: rows, entriesPerRow: 0,
                              bindingCache: cache)
        case let .successors(rule):
            let n = stateCount, m = actionCount
            let noiseBindings = rule.noiseSlot.map { schema.bindingSlots(dependingOn: $0) } ?? []
            let layout = rule.scopeLayout(bind)
            let function: MeanFieldGame.KernelFunction = { s, a, mu throws(ModelError) in
                try rule.row(states: n, bind: bind, layout: layout, noiseBindings: noiseBindings, s, a, mu)
            }
            let cache = cachingBindings ? RowBindingCache(rule: rule, schema: schema, bind: bind, states: n, actions: m) : nil
            let rows: MeanFieldGame.KernelRowsFunction = { range, mu, out throws(MeanFieldError) in
                try rule.rows(range, states: n, actions: m, bind: bind, layout: layout, noiseBindings: noiseBindings, cache: cache, mu,
                              into: &out)
            }
            // Weights that read the row only through one cached binding: once per value of it.
            let keyed = KeyedWeights(rule: rule, cache: cache, bind: bind, layout: layout, actions: m)
            var preparation: MeanFieldGame.KernelRowsPreparation?
            if let keyed {
                // Rows with μ-free targets: probabilities only, into a structure built once (KeyedRows).
                let fixed = KeyedRows(rule: rule, states: n, actions: m)
                preparation = { mu -> PreparedKernelRows? in
                    guard let prepared = keyed.values(mu) else { return nil }
                    if let whole = withExtendedLifetime(prepared, { fixed.rows(prepared.values) }) {
                        return .rows(whole.rows, slots: whole.slots)
                    }
                    let function: MeanFieldGame.KernelRowsFunction = { range, mu, out throws(MeanFieldError) in
                        try rule.rows(range, states: n, actions: m, bind: bind, layout: layout, noiseBindings: noiseBindings,
                                      cache: cache, keyed: prepared.values, mu, into: &out)
                    }
                    return .function(function)
                }
            }
            return GameKernel(function: function, dependsOnMeanField: rule.dependsOnMeanField, rows: rows,
                              entriesPerRow: rule.entries.count, bindingCache: cache, preparation: preparation, keyed: keyed)
        }
    }

    /// A game file's kernel in both forms (``kernelFunction(_:)``).
    struct GameKernel {
        let function: MeanFieldGame.KernelFunction
        let dependsOnMeanField: Bool
        var rows: MeanFieldGame.KernelRowsFunction? = nil
        var entriesPerRow = 0
        /// The cache of μ-free bindings the batch rows read, if any.
        var bindingCache: RowBindingCache? = nil
        /// The batch rows' per-mean-field form (``KeyedWeights``), if any.
        var preparation: MeanFieldGame.KernelRowsPreparation? = nil
        /// The weights it computes once per key value, if any.
        var keyed: KeyedWeights? = nil
    }

    /// The batch kernel rows of ``makeGame()`` (`nil` for stored rows) and the cache of μ-free
    /// `let` bindings they read (``RowBindingCache``; `nil` without `cachingBindings`, or where
    /// there is none), for tests that compare the rows with and without it
    /// (`MeanFieldGame.withKernelRows(_:entriesPerRow:)`).
    package func kernelRows(cachingBindings: Bool) -> (rows: MeanFieldGame.KernelRowsFunction?, entriesPerRow: Int,
                                                         cache: RowBindingCache?) {
        if case .flat = transition { return (nil, 0, nil) }
        let kernel = kernelFunction(RowBinder(template: Environment(schema: schema), slots: slots), cachingBindings: cachingBindings)
        return (kernel.rows, kernel.entriesPerRow, kernel.bindingCache)
    }

    /// The batch kernel rows of ``makeGame()`` with their per-mean-field form and the weights it
    /// computes once per key value (``KeyedWeights``; `nil` where there are none), for tests.
    func keyedKernelRows() -> (rows: MeanFieldGame.KernelRowsFunction?, entriesPerRow: Int,
                               preparation: MeanFieldGame.KernelRowsPreparation?, keyed: KeyedWeights?) {
        if case .flat = transition { return (nil, 0, nil, nil) }
        let kernel = kernelFunction(RowBinder(template: Environment(schema: schema), slots: slots))
        return (kernel.rows, kernel.entriesPerRow, kernel.preparation, kernel.keyed)
    }

    /// One row `P̂(·|s, a, μ)` of a transition expression: every `p(t) ≥ 0`, and the row
    /// divided by its (positive) sum when `normalize`, or summing to 1 within 1e-9 otherwise.
    /// The row's `n` evaluations share one memo of the `let` bindings: a binding that does
    /// not read `t` (or `tx ty tz`) is evaluated once per row, the others (`tBindings`) once per `t`.
    static func expressionRow(_ expr: CompiledExpression, normalize: Bool, states n: Int, environment bind: RowBinder,
                              layout: RowScope.Layout, tBindings: [Int], _ s: Int, _ a: Int,
                              _ mu: [Double]) throws(ModelError) -> SparseDistribution {
        let field = normalize ? "transition.expr" : "transition"
        let slots = bind.slots
        // The batch path's code (``writeExpressionRow``) into a writer of this row alone.
        var out = KernelRowWriter(rowEntries: 0)
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage throws(ModelError) in
            var scope: RowScope
            do throws(ExpressionError) {
                scope = try RowScope(environment: bind.template, layout: layout, storage: storage, setting: slots.s, to: Double(s),
                                     slots.a, to: Double(a), slots.t, to: 0, binding: slots.mu, to: mu)
            } catch {
                throw ModelError(field: field, message: error.message)
            }
            try writeExpressionRow(expr, normalize: normalize, states: n, field: field, &scope, tBindings: tBindings, into: &out)
        }
        return out.openRow
    }

    /// Checks the sum of a transition expression's row: positive when normalizing, else 1 within 1e-9.
    @inline(__always)
    private static func checkExpressionSum(_ total: Double, normalize: Bool, field: String) throws(ModelError) {
        if normalize {
            guard total > 0 else {
                throw ModelError(field: field, message: "the row sums to 0, expected a positive sum to normalize")
            }
            guard total.isFinite else {
                throw ModelError(field: field, message: "the row sums to \(total) (beyond the double range), expected a finite positive sum to normalize")
            }
        } else if abs(total - 1) > rowTolerance {
            throw ModelError(field: field, message: "the row sums to \(total), expected 1 (within 1e-9; use transition.normalize: true to divide by the sum)")
        }
    }

    /// Rows `range` (`s·m + a`) of a transition expression at `mu`, written into `out`, each
    /// closed by `KernelRowWriter.endRow(_:)`: the rows of
    /// ``expressionRow(_:normalize:states:environment:layout:tBindings:_:_:_:)`` after
    /// `MeanFieldGame`'s validation, bit for bit, with its errors; one ``RowScope`` for the range.
    /// With `cache`, each row's memo starts with the row's μ-free bindings (``RowBindingCache``:
    /// the values the row's own evaluations would give).
    ///
    /// - Throws: ``MeanFieldError/model(state:action:error:)`` or the writer's validation error,
    ///   for the first row that fails.
    static func expressionRows(_ expr: CompiledExpression, normalize: Bool, states n: Int, actions m: Int,
                               environment bind: RowBinder, layout: RowScope.Layout, tBindings: [Int], cache: RowBindingCache? = nil,
                               _ range: Range<Int>, _ mu: [Double], into out: inout KernelRowWriter) throws(MeanFieldError) {
        guard let first = range.first else { return }
        let field = normalize ? "transition.expr" : "transition"
        let slots = bind.slots
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage throws(MeanFieldError) in
            var scope: RowScope
            do throws(ExpressionError) {
                scope = try RowScope(environment: bind.template, layout: layout, storage: storage, setting: slots.s,
                                     to: Double(first / m), slots.a, to: Double(first % m), slots.t, to: 0, binding: slots.mu, to: mu)
            } catch {
                throw .model(state: first / m, action: first % m, error: ModelError(field: field, message: error.message))
            }
            let cached = cache?.rows(mu)
            for row in range {
                let s = row / m, a = row % m
                scope.reset(Double(s), Double(a), 0)
                cached?.preload(row, into: scope.memo)
                do throws(ModelError) {
                    try writeExpressionRow(expr, normalize: normalize, states: n, field: field, &scope, tBindings: tBindings, into: &out)
                } catch {
                    throw .model(state: s, action: a, error: error)
                }
                try out.endRow(row)
            }
        }
    }

    /// The open row of `out` from `scope`: `p(t)` for every `t` (each checked `≥ 0`, the positive
    /// ones appended in order), the sum checked, and the row divided by it when normalizing;
    /// ``expressionRow(_:normalize:states:environment:layout:tBindings:_:_:_:)`` runs it too.
    @inline(__always)
    private static func writeExpressionRow(_ expr: CompiledExpression, normalize: Bool, states n: Int, field: String,
                                           _ scope: inout RowScope, tBindings: [Int],
                                           into out: inout KernelRowWriter) throws(ModelError) {
        var total = 0.0
        for t in 0..<n {
            scope.setThird(to: Double(t))
            scope.memo.forget(tBindings)
            let p: Double
            do throws(ExpressionError) { p = try scope.evaluate(expr) } catch {
                throw ModelError(field: field, message: error.fieldMessage)
            }
            guard p >= 0 else { throw ModelError(field: field, message: "found \(p), expected a probability >= 0", successor: t) }
            if p > 0 { out.append(t, p); total += p }
        }
        try checkExpressionSum(total, normalize: normalize, field: field)
        if normalize { out.divideRow(by: total) }
    }

    /// Turns an error from the solver into a one-line game-file error naming the
    /// field, `s`, `a` (and `t`): the message of the game's function when an
    /// expression failed, or the solver's own description otherwise.
    public func explain(_ error: MeanFieldError) -> GameFileError {
        func name(_ s: Int, _ a: Int) -> String {
            "at s=\(stateName(s)), a=\(a < actionNames.count ? actionNames[a] : "\(a)")"
        }
        switch error {
        case let .model(s, a, model):
            let at = name(s, a) + (model.successor.map { ", t=\(stateName($0))" } ?? "")
            return GameFileError(file: path, field: model.field, message: "\(at): \(model.message)")
        case let .invalidReward(s, a, v):
            return GameFileError(file: path, field: "reward", message: "\(name(s, a)): found \(v), expected a finite number")
        case let .invalidKernel(s, a, message):
            return GameFileError(file: path, field: "transition", message: "\(name(s, a)): \(message)")
        case let .invalidRadius(s, a, v):
            return GameFileError(file: path, field: "ambiguity.radius", message: "\(name(s, a)): found \(v), expected a finite number >= 0")
        case let .invalidGame(field, message):
            return GameFileError(file: path, field: field.rawValue, message: message)
        case let .invalidOption(option, message):
            return GameFileError(file: path, field: option == .initial ? "initial" : "solver.\(option.rawValue)", message: message)
        case let .invalidMeanField(message):
            return GameFileError(file: path, field: "initial", message: message)
        default:
            return GameFileError(file: path, field: "", message: error.description)
        }
    }

    /// The name of state `s`, or its number when out of range.
    private func stateName(_ s: Int) -> String { s >= 0 && s < stateNames.count ? stateNames[s] : "\(s)" }
}
