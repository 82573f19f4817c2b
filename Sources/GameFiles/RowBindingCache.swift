import Expressions
import MeanField
import Synchronization

/// The values, at every row `(s, a)` of a game, of the `let` bindings a μ-dependent successor
/// transition uses that do not read `mu` (nor `e` or `t`): computed once per game, at the first
/// batch evaluation of the kernel rows, and preloaded into each row's ``BindingMemo`` at every
/// later evaluation (``SuccessorRule/rows(_:states:actions:bind:layout:noiseBindings:cache:_:into:)``),
/// so that the expression VM recalls them instead of running their code again. On the crowd grid,
/// `nx`, `ny` and `target` are computed once and only `go` (which reads `mu[target]`) at every
/// refresh (Docs/Performance.md, section 8, "Tenth round").
///
/// Results do not change, bit for bit: each value is computed by the binding's own code at the
/// row's `s` and `a` (the binding's name compiled as an expression, evaluated in a ``RowScope``
/// set up as the rows' is), and a binding whose evaluation fails at a row is not known there, so
/// the row evaluates it (and reports its error) as without the cache.
///
/// Memory: `rows × slots.count` doubles (8 bytes each), plus one byte each when some binding
/// fails at some row (the known flags); no cache above ``valueBudget`` values.
package final class RowBindingCache: Sendable {
    /// The largest `rows × bindings` the cache holds (2²⁵ values, 256 MiB).
    package static let valueBudget = 1 << 25

    /// The cached values, `values[row · slots.count + j]` for binding `slots[j]`.
    package struct Table: Sendable {
        /// The binding slots, in increasing order.
        package let slots: [Int]
        /// The values, row-major.
        package var values: [Double]
        /// `known[row · slots.count + j]`, or empty when every value is known.
        package var known: [Bool]

        /// Preloads row `row`'s values into `memo` (after `RowScope.reset`).
        @inline(__always)
        func preload(_ row: Int, into memo: BindingMemo) {
            memo.preload(slots, values: values, known: known, at: row &* slots.count)
        }
    }

    /// The binding slots cached (in increasing order).
    package let slots: [Int]
    /// Their names, for messages and tests.
    package let names: [String]
    private let expressions: [CompiledExpression]
    private let layout: RowScope.Layout
    private let bind: GameFile.RowBinder
    private let noiseSlot: ScalarSlot?
    private let rowCount: Int
    private let actionCount: Int
    private let state = Mutex<Table??>(nil)

    /// The cache for `rule`'s rows, or `nil` when it would not help or not fit: a rule that does
    /// not read `mu`, no binding both used by the rule and free of variables other than `s`,
    /// `a` and their coordinates, more than ``valueBudget`` values, or a binding whose name does
    /// not compile on its own.
    init?(rule: SuccessorRule, schema: Schema, bind: GameFile.RowBinder, states n: Int, actions m: Int) {
        guard rule.dependsOnMeanField else { return nil }
        let used = Set(rule.entries.flatMap { $0.to.rememberedBindings + $0.p.rememberedBindings })
        let slots = schema.bindingSlots(readingOnly: [bind.slots.s, bind.slots.a]).filter(used.contains)
        let (rows, overflow) = n.multipliedReportingOverflow(by: m)
        guard !slots.isEmpty, !overflow, rows <= Self.valueBudget / slots.count else { return nil }
        let names = slots.map { schema.bindingNames[$0] }
        var expressions: [CompiledExpression] = []
        for name in names {
            guard let expression = try? CompiledExpression(name, schema: schema) else { return nil }
            expressions.append(expression)
        }
        self.slots = slots
        self.names = names
        self.expressions = expressions
        layout = RowScope.Layout(environment: bind.template, expressions: expressions)
        self.bind = bind
        noiseSlot = rule.noiseSlot
        rowCount = rows
        actionCount = m
    }

    /// The table, computed at the first call (`mu` only sets up the scope: the bindings do not
    /// read it); `nil` if it could not be computed. Thread-safe: concurrent first callers wait
    /// for one computation.
    package func table(_ mu: [Double]) -> Table? {
        state.withLock { table in
            if let table { return table }
            let built = compute(mu)
            table = .some(built)
            return built
        }
    }

    #if DEBUG || RMFG_TEST_HOOKS
    /// Replaces the table (tests: a changed value must change the rows, so the rows read it).
    package func replaceTable(_ replacement: Table) {
        state.withLock { $0 = .some(replacement) }
    }
    #endif

    /// Every row's values: the row's scope reset as ``SuccessorRule`` resets it, each binding's
    /// expression evaluated (a failure leaves the binding unknown), the memo read.
    private func compute(_ mu: [Double]) -> Table? {
        let width = slots.count
        var values = [Double](repeating: 0, count: rowCount * width)
        var known = [Bool](repeating: true, count: rowCount * width)
        var allKnown = true
        let complete = withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage -> Bool in
            let slots = bind.slots, m = actionCount
            guard var scope = try? RowScope(environment: bind.template, layout: layout, storage: storage, setting: slots.s, to: 0,
                                            slots.a, to: 0, noiseSlot, to: 0, binding: slots.mu, to: mu)
            else { return false }
            for row in 0..<rowCount {
                scope.reset(Double(row / m), Double(row % m), 0)
                for expression in expressions { _ = try? scope.evaluate(expression) }
                for j in 0..<width {
                    if let value = scope.memo.value(self.slots[j]) {
                        values[row * width + j] = value
                    } else {
                        known[row * width + j] = false
                        allKnown = false
                    }
                }
            }
            return true
        }
        guard complete else { return nil }
        return Table(slots: slots, values: values, known: allKnown ? [] : known)
    }
}
