import Expressions
import MeanField
import Synchronization

/// The values, at every row `(s, a)` of a game, of the `let` bindings a μ-dependent successor
/// transition or transition expression uses that do not read `mu` (nor `e` or `t`): computed once
/// per game, at the first batch evaluation of the kernel rows, and preloaded into each row's
/// ``BindingMemo`` at every later evaluation (``SuccessorRule/rows(_:states:actions:bind:layout:noiseBindings:cache:keyed:_:into:)``,
/// ``GameFile/expressionRows(_:normalize:states:actions:environment:layout:tBindings:cache:_:_:into:)``),
/// so that the expression VM recalls them instead of running their code again. On the crowd grid,
/// `nx`, `ny` and `target` are computed once and only `go` (which reads `mu[target]`) at every
/// refresh (Docs/Performance.md, section 8, "Eleventh round").
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
    package struct Table: Sendable, Equatable {
        /// The binding slots, in increasing order.
        package let slots: [Int]
        /// The values, row-major.
        package var values: [Double]
        /// `known[row · slots.count + j]`, or empty when every value is known.
        package var known: [Bool]
    }

    /// A ``Table`` in storage of its own, read by the rows without reference counting.
    private final class Stored: @unchecked Sendable {
        let slots: UnsafeMutableBufferPointer<Int>
        let values: UnsafeMutableBufferPointer<Double>
        let known: UnsafeMutableBufferPointer<Bool>?

        /// The table as arrays again (a copy).
        var table: Table { Table(slots: Array(slots), values: Array(values), known: known.map { Array($0) } ?? []) }

        init(_ table: Table) {
            slots = .allocate(capacity: table.slots.count)
            _ = slots.initialize(fromContentsOf: table.slots)
            values = .allocate(capacity: table.values.count)
            _ = values.initialize(fromContentsOf: table.values)
            if table.known.isEmpty {
                known = nil
            } else {
                let flags = UnsafeMutableBufferPointer<Bool>.allocate(capacity: table.known.count)
                _ = flags.initialize(fromContentsOf: table.known)
                known = flags
            }
        }

        deinit {
            slots.deallocate()
            values.deallocate()
            known?.deallocate()
        }
    }

    /// The rows' view of the table: pointers into the cache's storage, valid while the cache
    /// lives and its table is not replaced.
    struct Rows {
        let slots: UnsafePointer<Int>
        let width: Int
        let values: UnsafePointer<Double>
        let known: UnsafePointer<Bool>?

        /// Preloads row `row`'s values into `memo` (after `RowScope.reset`).
        @inline(__always)
        func preload(_ row: Int, into memo: BindingMemo) {
            let offset = row &* width
            memo.preload(slots, width: width, values: values + offset, known: known.map { $0 + offset })
        }
    }

    /// The binding slots cached (in increasing order).
    package let slots: [Int]
    /// Their names, for messages and tests.
    package let names: [String]
    private let expressions: [CompiledExpression]
    private let layout: RowScope.Layout
    private let bind: GameFile.RowBinder
    /// The rows' third variable (`e` or `t`), set to 0 in the scope as the rows set it.
    private let thirdSlot: ScalarSlot?
    /// The rows `n·m` of the game.
    let rowCount: Int
    private let actionCount: Int
    /// `nil` until the first call of ``rows(_:)``, then the table (or `nil` inside if it failed).
    private let state = Mutex<Stored??>(nil)

    /// The cache for `rule`'s rows, or `nil` when it would not help or not fit: a rule that does
    /// not read `mu`, no binding both used by the rule and free of variables other than `s`,
    /// `a` and their coordinates, more than ``valueBudget`` values, or a binding whose name does
    /// not compile on its own.
    convenience init?(rule: SuccessorRule, schema: Schema, bind: GameFile.RowBinder, states n: Int, actions m: Int) {
        self.init(used: Set(rule.entries.flatMap { $0.to.rememberedBindings + $0.p.rememberedBindings }),
                  readsMeanField: rule.dependsOnMeanField, third: rule.noiseSlot, schema: schema, bind: bind, states: n, actions: m)
    }

    /// The cache for the rows of a transition written as one expression over `t`
    /// (``GameFile/expressionRows(_:normalize:states:actions:environment:layout:tBindings:cache:_:_:into:)``),
    /// or `nil` as for a rule: the bindings it caches read neither `t` nor `mu`, so they are
    /// the same at every `t` of a row.
    convenience init?(expression: CompiledExpression, schema: Schema, bind: GameFile.RowBinder, states n: Int, actions m: Int) {
        self.init(used: Set(expression.rememberedBindings), readsMeanField: expression.depends(on: "mu"), third: bind.slots.t,
                  schema: schema, bind: bind, states: n, actions: m)
    }

    /// The cache of the bindings in `used` that read only `s` and `a`, for rows whose scope sets
    /// `third` (the noise value `e`, or `t`) besides them.
    private init?(used: Set<Int>, readsMeanField: Bool, third: ScalarSlot?, schema: Schema, bind: GameFile.RowBinder,
                  states n: Int, actions m: Int) {
        guard readsMeanField else { return nil }
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
        thirdSlot = third
        rowCount = rows
        actionCount = m
    }

    /// The table (a copy), computed at the first call (`mu` only sets up the scope: the bindings
    /// do not read it); `nil` if it could not be computed. Thread-safe: concurrent first callers wait
    /// for one computation.
    package func table(_ mu: [Double]) -> Table? { stored(mu)?.table }

    /// The rows' view of ``table(_:)``.
    func rows(_ mu: [Double]) -> Rows? {
        guard let stored = stored(mu), let slots = stored.slots.baseAddress, let values = stored.values.baseAddress else { return nil }
        return Rows(slots: UnsafePointer(slots), width: stored.slots.count, values: UnsafePointer(values),
                    known: stored.known?.baseAddress.map { UnsafePointer($0) })
    }

    private func stored(_ mu: [Double]) -> Stored? {
        state.withLock { stored in
            if let stored { return stored }
            let built = compute(mu).map(Stored.init)
            stored = .some(built)
            return built
        }
    }

    #if DEBUG || RMFG_TEST_HOOKS
    /// Replaces the table (tests: a changed value must change the rows, so the rows read it).
    /// Not while rows are evaluated.
    package func replaceTable(_ replacement: Table) {
        state.withLock { $0 = .some(Stored(replacement)) }
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
                                            slots.a, to: 0, thirdSlot, to: 0, binding: slots.mu, to: mu)
            else { return false }
            for row in 0..<rowCount {
                scope.reset(Double(row / m), Double(row % m), 0)
                // The latest binding first: it computes the earlier ones it reads on the way.
                for j in expressions.indices.reversed() where scope.memo.value(self.slots[j]) == nil {
                    _ = try? scope.evaluate(expressions[j])
                }
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
