import Ambiguity
import Expressions
import MeanField

/// A transition given as a short list of (target, weight) expressions per row:
/// `{successors: [{to, p}, …], normalize}` or `{next: E, noise: {values, probabilities}}`
/// (the noise form is the list with entry `k` = `(E at e = values[k], probabilities[k])`).
/// A row costs `O(k)` evaluations, so a game costs `O(n·m·k)` per mean field.
struct SuccessorRule: Sendable {
    /// One listed successor.
    struct Entry: Sendable {
        /// The target state (rounded for noise, required whole for successors).
        let to: CompiledExpression
        /// Its weight.
        let p: CompiledExpression
        /// The noise value `e` bound while `to` is evaluated (noise form only).
        let noise: Double?
    }

    let entries: [Entry]
    /// The entries' target and weight, held without reference counts: the row loops read these
    /// (``Expressions/UnretainedExpression``), valid as long as `entries`, which this rule keeps.
    private let handles: [(to: UnretainedExpression, p: UnretainedExpression)]
    /// Divide each row by its sum instead of requiring 1.
    let normalize: Bool
    /// Whether this is the `{next, noise}` form (targets rounded, fields named after it).
    let isNoise: Bool
    /// The slot of `e` (noise form only).
    let noiseSlot: ScalarSlot?

    init(entries: [Entry], normalize: Bool, isNoise: Bool, noiseSlot: ScalarSlot?) {
        self.entries = entries
        self.handles = entries.map { ($0.to.unretained, $0.p.unretained) }
        self.normalize = normalize
        self.isNoise = isNoise
        self.noiseSlot = noiseSlot
    }

    /// Whether any expression reads `mu`.
    var dependsOnMeanField: Bool { entries.contains { $0.to.depends(on: "mu") || $0.p.depends(on: "mu") } }

    /// The field a row's sum is reported under.
    var sumField: String { isNoise ? "transition.noise.probabilities" : "transition.successors" }
    func weightField(_ k: Int) -> String { isNoise ? "transition.noise.probabilities[\(k)]" : "transition.successors[\(k)].p" }
    func targetField(_ k: Int) -> String { isNoise ? "transition.next" : "transition.successors[\(k)].to" }

    /// The sizes of a row's evaluation scope (every target and weight of the rule).
    func scopeLayout(_ bind: GameFile.RowBinder) -> RowScope.Layout {
        RowScope.Layout(environment: bind.template, expressions: entries.flatMap { [$0.to, $0.p] })
    }

    /// Row `P̂(·|s, a, μ)`: increasing targets, coinciding targets added, zero weights dropped.
    /// The row's expressions are evaluated in one ``RowScope`` (`s`, `a` and `mu` set once, one
    /// memo of the `let` bindings: each binding is evaluated at most once per row, and those
    /// reading `e`, listed in `noiseBindings`, once per noise value).
    ///
    /// - Throws: ``ModelError`` naming the field: an evaluation that fails, a weight that is
    ///   not finite and `≥ 0`, a target of positive weight that is not finite, not whole
    ///   (successors) or outside `0..<n`, a row that does not sum to 1 (or to a positive
    ///   number when normalizing).
    func row(states n: Int, bind: GameFile.RowBinder, layout: RowScope.Layout, noiseBindings: [Int] = [], _ s: Int, _ a: Int,
             _ mu: [Double]) throws(ModelError) -> SparseDistribution {
        // `s`, `a` (and `e`) and `mu` replace the template's for the row: no copy of the
        // environment, so no allocation but the row's own two arrays (Docs/Performance.md,
        // section 8, "The crowd grid at scale").
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage throws(ModelError) -> SparseDistribution in
            let slots = bind.slots
            var scope: RowScope
            do throws(ExpressionError) {
                scope = try RowScope(environment: bind.template, layout: layout, storage: storage, setting: slots.s, to: Double(s),
                                     slots.a, to: Double(a), noiseSlot, to: 0, binding: slots.mu, to: mu)
            } catch {
                throw ModelError(field: sumField, message: error.message)
            }
            return try row(states: n, &scope, noiseBindings: noiseBindings)
        }
    }

    /// The row of `scope`, its bindings remembered in `scope.memo`: ``write(states:_:noiseBindings:into:)``,
    /// the batch path's code, into a writer of this row alone.
    private func row(states n: Int, _ scope: inout RowScope, noiseBindings: [Int]) throws(ModelError) -> SparseDistribution {
        var out = KernelRowWriter(rowEntries: entries.count)
        try write(states: n, &scope, noiseBindings: noiseBindings, into: &out)
        return out.openRow
    }

    /// Checks a row's sum of weights (in entry order): positive when normalizing, else 1 within 1e-9.
    @inline(__always)
    private func checkSum(_ total: Double) throws(ModelError) {
        if normalize {
            guard total > 0 else { throw ModelError(field: sumField, message: "the weights sum to 0, expected a positive sum to normalize") }
            guard total.isFinite else {
                throw ModelError(field: sumField, message: "the weights sum to \(total) (beyond the double range), expected a finite positive sum to normalize")
            }
        } else if abs(total - 1) > GameFile.rowTolerance {
            let hint = isNoise ? "" : "; use transition.normalize: true to divide by the sum"
            throw ModelError(field: sumField, message: "the row sums to \(total), expected 1 (within 1e-9\(hint))")
        }
    }

    /// Rows `range` (`s·m + a`) at `mu`, written into `out`, each closed by
    /// `KernelRowWriter.endRow(_:)`: the rows of ``row(states:bind:layout:noiseBindings:_:_:_:)`` after
    /// `MeanFieldGame`'s validation, bit for bit (the same evaluations, merges, division and sort,
    /// in the same order), with its errors. One ``RowScope`` serves the whole range, reset per row,
    /// and the entries go straight into the writer's arrays: nothing is allocated per row. With
    /// `cache`, each row's memo starts with the row's μ-free bindings (``RowBindingCache``); with
    /// `keyed`, the weights it holds are read from it (``KeyedWeights``: the same values).
    ///
    /// - Throws: ``MeanFieldError/model(state:action:error:)`` with the ``ModelError`` of
    ///   ``row(states:bind:layout:noiseBindings:_:_:_:)``, or the writer's validation error, for
    ///   the first row that fails.
    func rows(_ range: Range<Int>, states n: Int, actions m: Int, bind: GameFile.RowBinder, layout: RowScope.Layout,
              noiseBindings: [Int], cache: RowBindingCache? = nil, keyed: KeyedWeights.Values? = nil, _ mu: [Double],
              into out: inout KernelRowWriter) throws(MeanFieldError) {
        guard let first = range.first else { return }
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage throws(MeanFieldError) in
            let slots = bind.slots
            var scope: RowScope
            do throws(ExpressionError) {
                scope = try RowScope(environment: bind.template, layout: layout, storage: storage, setting: slots.s,
                                     to: Double(first / m), slots.a, to: Double(first % m), noiseSlot, to: 0, binding: slots.mu, to: mu)
            } catch {
                throw .model(state: first / m, action: first % m, error: ModelError(field: sumField, message: error.message))
            }
            let cached = cache?.rows(mu)
            for row in range {
                let s = row / m, a = row % m
                if let keyed, keyed.direct != nil, writeDirect(row, s: s, a: a, states: n, keyed: keyed, into: &out) {
                    try out.endRow(row)
                    continue
                }
                scope.reset(Double(s), Double(a), 0)
                cached?.preload(row, into: scope.memo)
                do throws(ModelError) { try write(states: n, &scope, noiseBindings: noiseBindings, keyed: keyed, row: row, into: &out) } catch {
                    throw .model(state: s, action: a, error: error)
                }
                try out.endRow(row)
            }
        }
    }

    /// The open row of `out` from `scope`: the entries of positive weight in order, coinciding
    /// targets added (in order of first appearance), the sum checked, divided by it when
    /// normalizing, then sorted by target.
    @inline(__always)
    private func write(states n: Int, _ scope: inout RowScope, noiseBindings: [Int], keyed: KeyedWeights.Values? = nil, row: Int = 0,
                       into out: inout KernelRowWriter) throws(ModelError) {
        var total = 0.0
        for k in entries.indices {
            let w: Double
            if let known = keyed?.weight(k, row: row) { w = known } else { w = try weight(k, &scope) }
            guard w > 0 else { continue }
            let t = try target(k, weight: w, states: n, &scope, noiseBindings: noiseBindings)
            total += w
            out.accumulate(t, w)
        }
        try checkSum(total)
        if normalize { out.divideRow(by: total) }
        out.sortRow()
    }

    /// The open row of `out` from the keyed weights and direct targets alone (no scope, no VM),
    /// when every weight and target is there and valid and the sum passes: then the row of
    /// ``write(states:_:noiseBindings:keyed:row:into:)`` bit for bit (the same weights and targets,
    /// summed, added, divided and sorted in the same order). `false`, with nothing written, when
    /// anything is missing or would fail: the caller then writes the row, which reports the error.
    @inline(__always)
    private func writeDirect(_ row: Int, s: Int, a: Int, states n: Int, keyed: KeyedWeights.Values,
                             into out: inout KernelRowWriter) -> Bool {
        var total = 0.0
        for k in entries.indices {
            guard let w = keyed.weight(k, row: row) else { return false }
            guard w > 0 else { continue }
            guard let x = keyed.target(k, row: row, s: s, a: a), x >= 0, x < Double(n), Double(Int(x)) == x else { return false }
            total += w
        }
        if normalize {
            guard total > 0, total.isFinite else { return false }
        } else if abs(total - 1) > GameFile.rowTolerance {
            return false
        }
        for k in entries.indices {
            // Every lookup succeeded above (they read fixed tables).
            guard let w = keyed.weight(k, row: row), w > 0, let x = keyed.target(k, row: row, s: s, a: a) else { continue }
            out.accumulate(Int(x), w)
        }
        if normalize { out.divideRow(by: total) }
        out.sortRow()
        return true
    }

    /// Entry `k`'s weight expression, unretained (``KeyedWeights``' lanes).
    func weightHandle(_ k: Int) -> UnretainedExpression { handles[k].p }

    /// Entry `k`'s weight in `scope` when it is finite and `≥ 0`, else `nil` (``KeyedWeights``,
    /// which leaves every other case to the rows).
    func keyedWeight(_ k: Int, _ scope: inout RowScope) -> Double? {
        guard let w = try? scope.evaluate(handles[k].p), w.isFinite, w >= 0 else { return nil }
        return w
    }

    /// Entry `k`'s weight, checked finite and `≥ 0`.
    @inline(__always)
    private func weight(_ k: Int, _ scope: inout RowScope) throws(ModelError) -> Double {
        let w: Double
        do throws(ExpressionError) { w = try scope.evaluate(handles[k].p) } catch {
            throw ModelError(field: weightField(k), message: error.fieldMessage)
        }
        guard w.isFinite, w >= 0 else {
            throw ModelError(field: weightField(k), message: "found \(DocumentValue.format(w)), expected a \(isNoise ? "probability" : "weight") >= 0")
        }
        return w
    }

    /// Entry `k`'s target state (of positive weight `w`), checked in `0..<n`. In the noise
    /// form, `e` is set to the entry's value first and the bindings that read it forgotten.
    @inline(__always)
    private func target(_ k: Int, weight w: Double, states n: Int, _ scope: inout RowScope,
                        noiseBindings: [Int]) throws(ModelError) -> Int {
        // The entry's expressions are read through `handles`, which retain nothing (a copy
        // of an entry or of its expressions retained their programs, which every row and both
        // threads share), and the noise label is formatted only for an error.
        if let e = entries[k].noise, noiseSlot != nil {
            scope.setThird(to: e)
            scope.memo.forget(noiseBindings)
        }
        let x: Double
        do throws(ExpressionError) { x = try scope.evaluate(handles[k].to) } catch {
            throw ModelError(field: targetField(k), message: noiseLabel(k) + error.fieldMessage)
        }
        let t = isNoise ? Self.rounded(x) : x
        // Whole and in `0..<n`: the range test first (NaN and infinities fail it), then the
        // truncation, which on baseline x86-64 is one instruction where `rounded()` calls the C
        // library (2 % of a 200×200 crowd grid's solve).
        guard t >= 0, t < Double(n), Double(Int(t)) == t else {
            let what = isNoise ? "probability" : "weight"
            let at = noiseLabel(k)
            throw ModelError(field: targetField(k),
                             message: at + "found the next state \(DocumentValue.format(x)) with \(what) \(DocumentValue.format(w)), expected a whole number in 0..<\(n) (a target may be outside only where its \(what) is 0)")
        }
        return Int(t)
    }

    /// `x.rounded()`, out of line: inlined, the optimizer hoisted the rounding (a C library call
    /// on baseline x86-64, which has no side effects) above the noise-form test, so every
    /// successor's target paid for it.
    @inline(never)
    private static func rounded(_ x: Double) -> Double { x.rounded() }

    /// `e=VALUE: ` for entry `k` of the noise form, which errors about its target start with; else empty.
    private func noiseLabel(_ k: Int) -> String {
        guard let e = entries[k].noise, noiseSlot != nil else { return "" }
        return "e=\(DocumentValue.format(e)): "
    }
}

extension GameFile {
    /// The keys of a `transition` mapping in the `{successors}` or `{next, noise}` form, or
    /// `nil` when the mapping has neither.
    static func isSuccessorForm(_ pairs: [(key: String, value: DocumentNode)]) -> Bool {
        pairs.contains { $0.key == "successors" || $0.key == "next" || $0.key == "noise" }
    }

    /// Whether a `transition` node uses the noise form (so the schema declares `e`).
    static func usesNoise(_ node: DocumentNode?) -> Bool {
        guard let node, case let .object(pairs) = node.value else { return false }
        return pairs.contains { $0.key == "next" || $0.key == "noise" }
    }

    /// Reads `{successors: [{to, p}, …], normalize}` or `{next, noise: {values, probabilities}}`.
    static func readSuccessorRule(
        _ node: DocumentNode, pairs: [(key: String, value: DocumentNode)], r: FieldReader, noiseSlot: ScalarSlot?,
        parameterArrays: ParameterArrays,
        compile: (DocumentNode, String, [String]) throws(GameFileError) -> CompiledExpression
    ) throws(GameFileError) -> SuccessorRule {
        func sub(_ k: String) -> DocumentNode? { pairs.first { $0.key == k }?.value }
        if sub("successors") != nil {
            try r.checkKeys(pairs, known: ["successors", "normalize"], field: "transition")
            let normalize = try sub("normalize").map { n throws(GameFileError) in try r.bool(n, "transition.normalize") } ?? false
            return SuccessorRule(entries: try readSuccessorEntries(sub("successors") ?? node, r: r, compile: compile),
                                 normalize: normalize, isNoise: false, noiseSlot: nil)
        }
        try r.checkKeys(pairs, known: ["next", "noise"], field: "transition")
        guard let next = sub("next") else { throw r.error("transition.next", node, "missing, expected the next state for noise value e (an expression in s, a, mu, e)") }
        guard let noise = sub("noise") else { throw r.error("transition.noise", node, "missing, expected {values: [...], probabilities: [...]}") }
        let to = try compile(next, "transition.next", ["s", "a", "mu", "e"])
        let (values, probabilities) = try readNoise(noise, r: r, parameterArrays: parameterArrays, compile: compile)
        let entries = zip(values, probabilities).map { SuccessorRule.Entry(to: to, p: $0.1, noise: $0.0) }
        return SuccessorRule(entries: entries, normalize: false, isNoise: true, noiseSlot: noiseSlot)
    }

    /// `transition.successors`: a non-empty list of `{to, p}` expressions in `s, a, mu`.
    private static func readSuccessorEntries(
        _ node: DocumentNode, r: FieldReader,
        compile: (DocumentNode, String, [String]) throws(GameFileError) -> CompiledExpression
    ) throws(GameFileError) -> [SuccessorRule.Entry] {
        guard let items = node.value.items, !items.isEmpty else {
            throw r.error("transition.successors", node, "found \(node.value.kindDescription), expected a non-empty list of {to: E, p: F}")
        }
        var entries: [SuccessorRule.Entry] = []
        for (k, item) in items.enumerated() {
            let field = "transition.successors[\(k)]"
            let keys = try r.object(item, field)
            try r.checkKeys(keys, known: ["to", "p"], field: field)
            guard let to = keys.first(where: { $0.key == "to" })?.value else { throw r.error("\(field).to", item, "missing, expected the target state (an expression in s, a, mu)") }
            guard let p = keys.first(where: { $0.key == "p" })?.value else { throw r.error("\(field).p", item, "missing, expected the weight (an expression in s, a, mu)") }
            entries.append(SuccessorRule.Entry(to: try compile(to, "\(field).to", ["s", "a", "mu"]),
                                               p: try compile(p, "\(field).p", ["s", "a", "mu"]), noise: nil))
        }
        return entries
    }

    /// `transition.noise`: `values` (numbers, or an array parameter) and as many
    /// `probabilities` (numbers or expressions in `s, a, mu`, or an array parameter).
    private static func readNoise(
        _ node: DocumentNode, r: FieldReader, parameterArrays: ParameterArrays,
        compile: (DocumentNode, String, [String]) throws(GameFileError) -> CompiledExpression
    ) throws(GameFileError) -> (values: [Double], probabilities: [CompiledExpression]) {
        let pairs = try r.object(node, "transition.noise")
        try r.checkKeys(pairs, known: ["values", "probabilities"], field: "transition.noise")
        guard let valuesNode = pairs.first(where: { $0.key == "values" })?.value else {
            throw r.error("transition.noise.values", node, "missing, expected a list of numbers")
        }
        guard let probNode = pairs.first(where: { $0.key == "probabilities" })?.value else {
            throw r.error("transition.noise.probabilities", node, "missing, expected one probability per value")
        }
        let values = try resolveArray(valuesNode, "transition.noise.values", r: r, parameterArrays: parameterArrays)
        guard values.shape.count == 1, !values.elements.isEmpty else {
            throw r.error("transition.noise.values", valuesNode, "has shape \(values.shape), expected a non-empty list of numbers")
        }
        var probabilities: [CompiledExpression] = []
        if let items = probNode.value.items {
            for (k, item) in items.enumerated() {
                probabilities.append(try compile(item, "transition.noise.probabilities[\(k)]", ["s", "a", "mu"]))
            }
        } else {
            let array = try resolveArray(probNode, "transition.noise.probabilities", r: r, parameterArrays: parameterArrays)
            guard array.shape.count == 1 else {
                throw r.error("transition.noise.probabilities", probNode, "has shape \(array.shape), expected a list")
            }
            for (k, p) in array.elements.enumerated() {
                probabilities.append(try compile(DocumentNode(.number(p)), "transition.noise.probabilities[\(k)]", []))
            }
        }
        guard probabilities.count == values.elements.count else {
            throw r.error("transition.noise.probabilities", probNode, "\(probabilities.count) probabilities for \(values.elements.count) values, expected one per value")
        }
        return (values.elements, probabilities)
    }
}
