import Expressions
import MeanField
import Synchronization

/// The weights of a μ-dependent `{successors}` (or noise) transition that depend on the row
/// `(s, a)` only through one μ-free `let` binding, the *key*: computed once per key value and
/// mean field instead of once per row.
///
/// On the crowd grid, `go = (1 - slip) * exp(-congestion * states * mu[target])` reads the row
/// only through `target` (cached per row by ``RowBindingCache``), and so does `1 - go`: a refresh
/// evaluates both at each of the `n` distinct targets instead of at each of the `n·m` rows
/// (Docs/Performance.md, section 8, "Keyed weights").
///
/// **Which weights.** Entry `k`'s weight is keyed when, with the cached bindings known
/// (``Expressions/CompiledExpression/rowInputs(knownBindings:)``), it reads no scalar variable
/// (`s`, `a`, their coordinates) and exactly one cached binding; the rule's key is the binding of
/// its first such weight, and every weight keyed by it is computed this way.
///
/// **Same rows, same errors.** At a fixed mean field such a weight is a function of the key's
/// value alone, so rows whose key values are equal bit for bit get the same value and fail in
/// the same way. Each key value's weights are computed at the first row that has it, by the
/// row's own code in a scope set up as the rows' are (cached bindings preloaded); a weight that
/// fails there, is not finite or is negative is not stored, and every row with that key then
/// evaluates it itself and reports the error as without this table. Rows whose key is not
/// known (its binding fails there) evaluate their weights themselves.
///
/// **Cost and memory.** A 32-bit key index per row and the first row of each key value, built
/// at the first mean field (`8·rows` bytes at most); per mean field, `keys × weights` doubles,
/// computed in parallel chunks of keys. Not used when the key takes more than half as many
/// values as there are rows (no saving).
final class KeyedWeights: @unchecked Sendable {  // its buffers are written in `init` only, then read
    /// The key's index per row (`-1`: the key is not known at that row) and the first row of
    /// each key value, in storage of their own (read by the rows without reference counting).
    final class Keys: @unchecked Sendable {
        let rowKeys: UnsafeMutableBufferPointer<Int32>
        let representatives: [Int]

        init(rowKeys: [Int32], representatives: [Int]) {
            self.rowKeys = .allocate(capacity: rowKeys.count)
            _ = self.rowKeys.initialize(fromContentsOf: rowKeys)
            self.representatives = representatives
        }

        deinit { rowKeys.deallocate() }
    }

    /// Where an entry's target comes from when it is only a value (``Expressions/CompiledExpression/plainValue``):
    /// a constant, a cached binding's column in ``RowBindingCache``'s table, or `s` or `a`.
    enum DirectTarget: Sendable {
        case constant(Double)
        case column(Int)
        case state
        case action
    }

    /// The weights at one mean field, read by the rows: pointers only, so that a copy counts no
    /// reference (the rows' loop runs on both cores); ``Prepared`` keeps what they point into.
    struct Values: @unchecked Sendable {
        /// `column[k]`: entry `k`'s column in `values`, or `-1` when the entry is not keyed.
        let column: UnsafePointer<Int>
        let width: Int
        let rowKeys: UnsafePointer<Int32>
        let values: UnsafePointer<Double>
        /// Every entry's target read without a scope (when every weight is keyed and every target
        /// is only a value), with the cache's table it reads; else `nil`.
        let direct: UnsafePointer<DirectTarget>?
        let table: RowBindingCache.Rows

        /// Entry `k`'s target at row `(s, a)` read directly (``direct`` not `nil`), or `nil` when the
        /// cached binding is not known at the row.
        @inline(__always)
        func target(_ k: Int, row: Int, s: Int, a: Int) -> Double? {
            guard let direct else { return nil }
            switch direct[k] {
            case let .constant(value): return value
            case let .column(j):
                let offset = row &* table.width &+ j
                if let known = table.known, !known[offset] { return nil }
                return table.values[offset]
            case .state: return Double(s)
            case .action: return Double(a)
            }
        }

        /// Entry `k`'s weight at row `row` when the table holds it (finite and `≥ 0`), else `nil`.
        @inline(__always)
        func weight(_ k: Int, row: Int) -> Double? {
            let c = column[k]
            guard c >= 0 else { return nil }
            let key = Int(rowKeys[row])
            guard key >= 0 else { return nil }
            let w = values[key &* width &+ c]
            return w.isNaN ? nil : w
        }
    }

    /// One mean field's ``Values`` and everything they point into.
    final class Prepared: @unchecked Sendable {
        let values: Values
        private let storage: Storage
        private let keys: Keys
        private let weights: KeyedWeights

        init(values: Values, storage: Storage, keys: Keys, weights: KeyedWeights) {
            (self.values, self.storage, self.keys, self.weights) = (values, storage, keys, weights)
        }
    }

    /// One mean field's table.
    final class Storage: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Double>

        init(count: Int) {
            buffer = .allocate(capacity: count)
            buffer.initialize(repeating: .nan)
        }

        deinit { buffer.deallocate() }
    }

    /// Keys evaluated together by ``Expressions/LaneScope`` (one chunk of lanes).
    static let laneCount = 256
    /// Whether the weights are evaluated by lanes (``Expressions/LaneScope``; the default) or key by key
    /// with a ``Expressions/RowScope`` (tests compare the two: the same table bit for bit), read once
    /// per table.
    @TaskLocal static var lanes = true

    /// The keyed entries, in entry order.
    let entries: [Int]
    /// The key's binding slot.
    let keySlot: Int
    private let column: UnsafeMutableBufferPointer<Int>
    private let rule: SuccessorRule
    private let cache: RowBindingCache
    private let bind: GameFile.RowBinder
    private let layout: RowScope.Layout
    private let actionCount: Int
    /// Every entry's target read directly, or `nil` (``Values/direct``).
    private let direct: UnsafeMutableBufferPointer<DirectTarget>?
    /// `nil` until the first mean field, then the keys (or `nil` inside: not worth it).
    private let state = Mutex<Keys??>(nil)
    #if DEBUG || RMFG_TEST_HOOKS
    /// Tests: applied to each mean field's table once it is computed (a changed value must
    /// change the rows, so they read it).
    let adjust = Mutex<(@Sendable (UnsafeMutableBufferPointer<Double>, Keys) -> Void)?>(nil)
    /// Tests: the keys whose weights the lanes computed (not the row scope).
    let laneKeys = Atomic<Int>(0)
    #endif

    /// The keyed weights of `rule`, or `nil` when no weight is keyed (or there is no cache).
    init?(rule: SuccessorRule, cache: RowBindingCache?, bind: GameFile.RowBinder, layout: RowScope.Layout, actions m: Int) {
        guard let cache else { return nil }
        let known = Set(cache.slots)
        var key: Int?
        var entries: [Int] = []
        for (k, entry) in rule.entries.enumerated() where entry.p.constantValue == nil {
            let inputs = entry.p.rowInputs(knownBindings: known)
            guard !inputs.readsScalars, inputs.bindings.count == 1, let slot = inputs.bindings.first else { continue }
            if key == nil { key = slot }
            if slot == key { entries.append(k) }
        }
        guard let key, !entries.isEmpty else { return nil }
        column = .allocate(capacity: rule.entries.count)
        column.initialize(repeating: -1)
        for (c, k) in entries.enumerated() { column[k] = c }
        direct = Self.directTargets(rule, keyed: entries, cache: cache, bind: bind).map { targets in
            let buffer = UnsafeMutableBufferPointer<DirectTarget>.allocate(capacity: targets.count)
            _ = buffer.initialize(fromContentsOf: targets)
            return buffer
        }
        self.entries = entries
        self.keySlot = key
        self.rule = rule
        self.cache = cache
        self.bind = bind
        self.layout = layout
        actionCount = m
    }

    deinit {
        column.deallocate()
        direct?.deallocate()
    }

    /// Every entry's target read without a scope, when every weight is keyed and every target is a
    /// constant, a cached binding's name, `s` or `a` (not the noise form, whose targets read `e`).
    private static func directTargets(_ rule: SuccessorRule, keyed: [Int], cache: RowBindingCache,
                                      bind: GameFile.RowBinder) -> [DirectTarget]? {
        guard !rule.isNoise, keyed.count == rule.entries.count else { return nil }
        var targets: [DirectTarget] = []
        for entry in rule.entries {
            switch entry.to.plainValue {
            case let .constant(value)?: targets.append(.constant(value))
            case let .binding(slot)?:
                guard let j = cache.slots.firstIndex(of: slot) else { return nil }
                targets.append(.column(j))
            case let .scalar(slot)? where slot == bind.slots.s.index: targets.append(.state)
            case let .scalar(slot)? where slot == bind.slots.a.index: targets.append(.action)
            default: return nil
            }
        }
        return targets
    }

    /// The keys (built at the first call from the cache's table; `nil` when the key takes more
    /// than half as many values as there are rows, or the table is not available).
    func keys(_ mu: [Double]) -> Keys? {
        state.withLock { keys in
            if let keys { return keys }
            let built = buildKeys(mu)
            keys = .some(built)
            return built
        }
    }

    private func buildKeys(_ mu: [Double]) -> Keys? {
        guard let table = cache.rows(mu), let j = (0..<table.width).first(where: { table.slots[$0] == keySlot }) else { return nil }
        let width = table.width, rows = cache.rowCount
        var rowKeys = [Int32](repeating: -1, count: rows)
        var representatives: [Int] = []
        // Keys that are whole numbers in `0..<rows` (cells, states: the usual case) are numbered
        // through an array indexed by the value; any other value through a dictionary of bit patterns.
        var byValue = [Int32](repeating: -1, count: rows)
        var byBits: [UInt64: Int32] = [:]
        for row in 0..<rows where table.known?[row &* width &+ j] ?? true {
            let value = table.values[row &* width &+ j]
            let found: Int32?
            let whole = value >= 0 && value < Double(rows) && Double(Int(value)) == value && value.sign == .plus
            if whole {
                found = byValue[Int(value)] >= 0 ? byValue[Int(value)] : nil
            } else {
                found = byBits[value.bitPattern]
            }
            if let found {
                rowKeys[row] = found
                continue
            }
            guard representatives.count < Int(Int32.max) else { return nil }
            let next = Int32(representatives.count)
            if whole { byValue[Int(value)] = next } else { byBits[value.bitPattern] = next }
            rowKeys[row] = next
            representatives.append(row)
        }
        guard !representatives.isEmpty, representatives.count * 2 <= rows else { return nil }
        return Keys(rowKeys: rowKeys, representatives: representatives)
    }

    /// The keyed weights at `mu`, or `nil` when the keys are not available (the rows then
    /// evaluate every weight themselves).
    func values(_ mu: [Double]) -> Prepared? {
        guard let keys = keys(mu), let cached = cache.rows(mu) else { return nil }
        let count = keys.representatives.count, width = entries.count
        let storage = Storage(count: count * width)
        guard let out = storage.buffer.baseAddress else { return nil }
        #if DEBUG || RMFG_TEST_HOOKS
        let owner: KeyedWeights? = self
        #else
        let owner: KeyedWeights? = nil
        #endif
        let fill = TableFill(mu: mu, cached: cached, representatives: keys.representatives, actionCount: actionCount, slots: bind.slots,
                             entries: entries, rule: rule, layout: layout, template: bind.template, out: DisjointSlices(base: out),
                             lanes: Self.lanes, owner: owner)
        Parallel.forEachChunk(count: count, mode: .automatic) { range in fill.fill(range) }
        #if DEBUG || RMFG_TEST_HOOKS
        adjust.withLock { $0 }?(storage.buffer, keys)
        #endif
        guard let rowKeys = keys.rowKeys.baseAddress, let columns = column.baseAddress else { return nil }
        let values = Values(column: columns, width: width, rowKeys: UnsafePointer(rowKeys), values: UnsafePointer(out),
                            direct: direct?.baseAddress.map { UnsafePointer($0) }, table: cached)
        return Prepared(values: values, storage: storage, keys: keys, weights: self)
    }
}

/// One mean field's table being computed (``KeyedWeights/values(_:)``): what each chunk of keys
/// reads, and the two ways of computing a key's weights.
private struct TableFill: @unchecked Sendable {  // read-only; `out` is written at disjoint keys
    let mu: [Double]
    let cached: RowBindingCache.Rows
    let representatives: [Int]
    let actionCount: Int
    let slots: GameFile.Slots
    let entries: [Int]
    let rule: SuccessorRule
    let layout: RowScope.Layout
    let template: Environment
    let out: DisjointSlices<Double>
    /// ``KeyedWeights/lanes`` when the table started.
    let lanes: Bool
    /// Tests: the weights whose ``KeyedWeights/laneKeys`` count the keys computed in lanes.
    let owner: KeyedWeights?

    var width: Int { entries.count }

    /// The weights of the keys `range`: in chunks of lanes (``Expressions/LaneScope``) where
    /// ``lanes``, else (and for the keys the lanes do not serve) key by key.
    func fill(_ range: Range<Int>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { memory in
            guard var scope = try? RowScope(environment: template, layout: layout, storage: memory, setting: slots.s, to: 0,
                                            slots.a, to: 0, rule.noiseSlot, to: 0, binding: slots.mu, to: mu)
            else { return }
            guard lanes, var laneScope = try? LaneScope(environment: template, layout: layout, lanes: KeyedWeights.laneCount,
                                                        setting: slots.s, slots.a, rule.noiseSlot, binding: slots.mu, to: mu)
            else {
                for key in range { scalar(key, &scope) }
                return
            }
            withUnsafeTemporaryAllocation(of: Double.self, capacity: width * laneScope.capacity) { buffer in
                guard let buffer = buffer.baseAddress else {
                    for key in range { scalar(key, &scope) }
                    return
                }
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = min(start + laneScope.capacity, range.upperBound)
                    chunk(start..<end, &laneScope, buffer, &scope)
                    start = end
                }
            }
        }
    }

    /// Key `key`'s weights by its representative row's scope (as every row's before the table).
    func scalar(_ key: Int, _ scope: inout RowScope) {
        let row = representatives[key]
        scope.reset(Double(row / actionCount), Double(row % actionCount), 0)
        cached.preload(row, into: scope.memo)
        for (c, k) in entries.enumerated() {
            if let w = rule.keyedWeight(k, &scope) { out.base[key * width + c] = w }
        }
    }

    /// The keys `keys` (at most the lanes' capacity) in lanes, their representative rows' values
    /// and cached bindings loaded; a lane that failed, or every key when the lanes refuse (a
    /// branch, a binding known at some rows only), by ``scalar(_:_:)``. A lane's weight is stored
    /// when it is `≥ 0` (finite: a non-finite one failed), as ``SuccessorRule/keyedWeight(_:_:)``.
    func chunk(_ keys: Range<Int>, _ lanes: inout LaneScope, _ buffer: UnsafeMutablePointer<Double>, _ scope: inout RowScope) {
        let count = keys.count, first = keys.lowerBound, stride = lanes.capacity
        lanes.start(count: count)
        for i in 0..<count {
            let row = representatives[first + i]
            lanes.x[i] = Double(row / actionCount)
            lanes.y[i] = Double(row % actionCount)
            lanes.z[i] = 0
        }
        var served = true
        for j in 0..<cached.width where served {
            served = lanes.preload(slot: cached.slots[j]) { i in
                let offset = representatives[first + i] &* cached.width &+ j
                if let known = cached.known, !known[offset] { return nil }
                return cached.values[offset]
            }
        }
        for (c, k) in entries.enumerated() where served {
            served = lanes.evaluate(rule.weightHandle(k), into: buffer + c * stride)
        }
        var byLanes = 0
        for i in 0..<count {
            let key = first + i
            guard served, !lanes.failed(i) else {
                scalar(key, &scope)
                continue
            }
            byLanes += 1
            for c in 0..<width {
                let w = buffer[c * stride + i]
                if w >= 0 { out.base[key * width + c] = w }
            }
        }
        #if DEBUG || RMFG_TEST_HOOKS
        owner?.laneKeys.add(byLanes, ordering: .relaxed)
        #else
        _ = byLanes
        #endif
    }
}
