/// Several rows' evaluations of the same expressions at once: each instruction of a program runs
/// over every *lane* (one row's `s`, `a`, … and remembered bindings) before the next, instead
/// of the whole program once per row, so the VM's dispatch is paid once per instruction and
/// chunk of rows. It serves loops that evaluate a few short expressions at very many rows, such
/// as the keyed weights of a `μ`-dependent transition (one evaluation per distinct key value
/// and mean field: 10⁶ per refresh on the 1000×1000 crowd grid).
///
/// **The same values.** Each lane computes, with the same operations in the same order, what
/// ``RowScope/evaluate(_:)-(UnretainedExpression)`` computes at that row (the same
/// operation for every instruction, the same array offsets), so a lane's value is the row scope's bit for bit. What
/// differs is what happens on a failure, which this type does not report:
/// - a lane whose evaluation fails (an index out of range, a division by zero, a cell outside
///   the grid, …) or whose result is not finite is marked ``failed(_:)``, and its later values
///   are unspecified: the caller evaluates that row again with a ``RowScope``, which reports what
///   it reports;
/// - a program that runs an instruction the lanes do not implement (jumps of `if` and the
///   logical operators, `sum`, `max`, `min` over arrays, `dot`), or a binding remembered for
///   some lanes only, makes ``evaluate(_:into:)`` return `false`: the caller evaluates every
///   lane's row with a ``RowScope``.
///
/// Memory: `(stack + bindings + 3) · lanes` doubles, allocated once per scope.
package struct LaneScope: ~Copyable {
    /// The most lanes per evaluation.
    package let capacity: Int
    /// Lanes in use (set by ``start(count:)``).
    package private(set) var count = 0
    private let stackSize: Int
    private let memoCount: Int
    /// The stack's columns (`stackSize` of `capacity`), then the bindings' (`memoCount`), then the
    /// lanes' first, second and third scalar values.
    private let storage: UnsafeMutablePointer<Double>
    /// Whether each binding is known in every lane (a binding known in some lanes only is not
    /// representable: ``preload(slot:_:)`` refuses it).
    private let known: UnsafeMutablePointer<Bool>
    private let failures: UnsafeMutablePointer<Bool>
    private let environment: Environment
    private let scalars: [Double]
    private let first: Int, second: Int, third: Int
    private let arraySlot: Int
    private let arrayValues: [Double]
    private let layoutIdentity: ObjectIdentifier

    /// A scope of `lanes` lanes for the expressions of `layout`, with `first`, `second` and
    /// `third` (unless `nil`) set per lane (``x``, ``y``, ``z``) and `array` bound to `values` in
    /// every lane.
    ///
    /// - Throws: as `Environment.bind(_:to:)` with a slot; `environmentMismatch` if the layout is
    ///   of another schema's size.
    package init(environment: Environment, layout: RowScope.Layout, lanes: Int, setting first: ScalarSlot,
                 _ second: ScalarSlot, _ third: ScalarSlot?, binding array: ArraySlot, to values: [Double]) throws(ExpressionError) {
        try environment.checkBinding(array, count: values.count)
        guard layout.scalarCount == environment.scalars.count else { throw ExpressionError(.environmentMismatch) }
        capacity = max(1, lanes)
        stackSize = layout.stackSize
        memoCount = layout.memoCount
        storage = .allocate(capacity: (stackSize + memoCount + 3) * capacity)
        storage.initialize(repeating: 0, count: (stackSize + memoCount + 3) * capacity)
        known = .allocate(capacity: max(1, memoCount))
        known.initialize(repeating: false, count: max(1, memoCount))
        failures = .allocate(capacity: capacity)
        failures.initialize(repeating: false, count: capacity)
        self.environment = environment
        scalars = environment.scalars
        self.first = first.index
        self.second = second.index
        self.third = third?.index ?? -1
        arraySlot = array.index
        arrayValues = values
        layoutIdentity = ObjectIdentifier(environment.layout)
    }

    deinit {
        storage.deallocate()
        known.deallocate()
        failures.deallocate()
    }

    /// The lanes' values of the first, second and third scalar slots (`capacity` each), to be set
    /// after ``start(count:)`` for the lanes in use.
    package var x: UnsafeMutablePointer<Double> { storage + (stackSize + memoCount) * capacity }
    package var y: UnsafeMutablePointer<Double> { storage + (stackSize + memoCount + 1) * capacity }
    package var z: UnsafeMutablePointer<Double> { storage + (stackSize + memoCount + 2) * capacity }

    /// Starts `count` lanes (at most ``capacity``): every binding forgotten, no lane failed.
    package mutating func start(count: Int) {
        self.count = min(max(0, count), capacity)
        known.update(repeating: false, count: max(1, memoCount))
        failures.update(repeating: false, count: capacity)
    }

    /// Whether lane `i` failed (or gave a non-finite value) in an evaluation since ``start(count:)``.
    package func failed(_ i: Int) -> Bool { failures[i] }

    /// Marks binding `slot` known in every lane with `value(i)` in lane `i` (the binding's value at
    /// the lane's row, as ``BindingMemo/preload(_:width:values:known:)`` promises). Returns `false`,
    /// leaving the binding unknown, when `value` is `nil` at some lanes but not all (a binding known
    /// in some lanes only); `true` otherwise (also when no lane knows it: it stays unknown).
    package mutating func preload(slot: Int, _ value: (Int) -> Double?) -> Bool {
        guard slot >= 0, slot < memoCount else { return true }
        let column = storage + (stackSize + slot) * capacity
        var some = false, all = true
        for i in 0..<count {
            if let v = value(i) {
                column[i] = v
                some = true
            } else {
                all = false
            }
        }
        guard some else { return true }
        guard all else { return false }
        known[slot] = true
        return true
    }

    /// Evaluates `handle` in every lane into `out[0..<count]` (lanes that fail are marked
    /// ``failed(_:)``; their values are unspecified), remembering its bindings per lane. Returns
    /// `false` when the lanes cannot run the program (see the type's description); a constant
    /// expression that is not finite (which a row scope returns) marks every lane failed too; the bindings'
    /// state is then unspecified and the caller evaluates every lane with a ``RowScope``.
    package mutating func evaluate(_ handle: UnretainedExpression, into out: UnsafeMutablePointer<Double>) -> Bool {
        let n = count
        if let constant = handle.constantValue {
            for i in 0..<n {
                out[i] = constant
                if !constant.isFinite { failures[i] = true }
            }
            return true
        }
        guard handle.layoutIdentity == layoutIdentity, handle.stackSize <= stackSize else { return false }
        let ran = handle.program._withUnsafeGuaranteedRef { program in
            program.instructions.withUnsafeBufferPointer { code in run(program, code) }
        }
        guard ran else { return false }
        for i in 0..<n {
            let v = storage[i]
            out[i] = v
            if !v.isFinite { failures[i] = true }
        }
        return true
    }

    /// The lanes' values of scalar slot `slot`: a lane column, or `nil` when every lane has the
    /// environment's value.
    /// A slot named twice takes the last value set, as in ``RowScope`` (which sets the first, second
    /// and third slots in that order).
    @inline(__always)
    private func laneColumn(_ slot: Int) -> UnsafeMutablePointer<Double>? {
        if slot == third { return z }
        if slot == second { return y }
        if slot == first { return x }
        return nil
    }

    /// The program over the lanes, the stack's column `k` at `storage + k · capacity`: the VM of
    /// ``CompiledExpression/Program/execute(_:_:diagnose:)``, each instruction applied lane by lane.
    /// A documented hot kernel (Docs/Development.md): one `switch` in one loop, as the VM's.
    private func run(_ program: CompiledExpression.Program, _ code: UnsafeBufferPointer<Instruction>) -> Bool {
        let n = count, stride = capacity
        let s = storage, failed = failures
        let memo = storage + stackSize * stride
        var sp = 0, pc = 0
        let end = code.count, size = program.stackSize
        while pc < end {
            guard sp >= 0, sp <= size else { return false }
            switch code[pc] {
            case let .constant(v):
                guard sp < size else { return false }
                let c = s + sp * stride
                for i in 0..<n { c[i] = v }
                sp += 1
            case let .scalar(slot):
                guard sp < size, slot >= 0, slot < scalars.count else { return false }
                let c = s + sp * stride
                if let lane = laneColumn(slot) {
                    c.update(from: lane, count: n)
                } else {
                    let v = scalars[slot]
                    for i in 0..<n { c[i] = v }
                }
                sp += 1
            case let .element(array, k):
                guard k >= 1, k <= sp, k <= 8 else { return false }
                let base = sp - k
                let values = array == arraySlot ? arrayValues : environment.arrays[array]
                guard values.count == program.arrays[array].count else { return false }
                let ok = values.withUnsafeBufferPointer { elements -> Bool in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { indices -> Bool in
                        guard let at = indices.baseAddress else { return false }
                        let c = s + base * stride
                        for i in 0..<n {
                            for d in 0..<k { at[d] = s[(base + d) * stride + i] }
                            if let offset = try? program.offset(array: array, indices: at, count: k, pc: pc),
                               offset >= 0, offset < elements.count {
                                c[i] = elements[offset]
                            } else {
                                failed[i] = true
                                c[i] = 0
                            }
                        }
                        return true
                    }
                }
                guard ok else { return false }
                sp = base + 1
            case let .unary(op):
                guard sp >= 1 else { return false }
                let c = s + (sp - 1) * stride
                for i in 0..<n {
                    do throws(Fault) { c[i] = try Semantics.apply(op, c[i]) } catch {
                        failed[i] = true
                        c[i] = 0
                    }
                }
            case let .binary(op):
                guard sp >= 2 else { return false }
                sp -= 1
                let a = s + (sp - 1) * stride, b = s + sp * stride
                for i in 0..<n {
                    do throws(Fault) { a[i] = try Semantics.apply(op, a[i], b[i]) } catch {
                        failed[i] = true
                        a[i] = 0
                    }
                }
            case let .binaryConstant(op, constant):
                guard sp >= 1 else { return false }
                let a = s + (sp - 1) * stride
                for i in 0..<n {
                    do throws(Fault) { a[i] = try Semantics.apply(op, a[i], constant) } catch {
                        failed[i] = true
                        a[i] = 0
                    }
                }
            case let .constantBinary(constant, op):
                guard sp >= 1 else { return false }
                let a = s + (sp - 1) * stride
                for i in 0..<n {
                    do throws(Fault) { a[i] = try Semantics.apply(op, constant, a[i]) } catch {
                        failed[i] = true
                        a[i] = 0
                    }
                }
            case .clamp:
                guard sp >= 3 else { return false }
                sp -= 2
                let a = s + (sp - 1) * stride, lo = s + sp * stride, hi = s + (sp + 1) * stride
                for i in 0..<n {
                    do throws(Fault) { a[i] = try Semantics.clamp(a[i], lo[i], hi[i]) } catch {
                        failed[i] = true
                        a[i] = 0
                    }
                }
            case let .coordinate(slot, divisor, modulus):
                guard sp < size, slot >= 0, slot < scalars.count else { return false }
                let c = s + sp * stride
                if let lane = laneColumn(slot) {
                    for i in 0..<n { c[i] = Semantics.coordinate(lane[i], divisor: divisor, modulus: modulus) }
                } else {
                    let v = Semantics.coordinate(scalars[slot], divisor: divisor, modulus: modulus)
                    for i in 0..<n { c[i] = v }
                }
                sp += 1
            case let .grid(isCell):
                let shape = program.grid
                let k = shape.count
                guard k >= 1, k <= sp, k <= 8 else { return false }
                let base = sp - k
                let ok = withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { coordinates -> Bool in
                    guard coordinates.baseAddress != nil else { return false }
                    let c = s + base * stride
                    for i in 0..<n {
                        for d in 0..<k { coordinates[d] = s[(base + d) * stride + i] }
                        if let index = Semantics.cell(UnsafeBufferPointer(coordinates), shape: shape) {
                            c[i] = isCell ? index : 1
                        } else if isCell {
                            failed[i] = true
                            c[i] = 0
                        } else {
                            c[i] = 0
                        }
                    }
                    return true
                }
                guard ok else { return false }
                sp = base + 1
            case let .recall(slot, skip):
                if slot >= 0, slot < memoCount, known[slot] {
                    guard sp < size else { return false }
                    (s + sp * stride).update(from: memo + slot * stride, count: n)
                    sp += 1
                    pc = skip
                    continue
                }
                pc += 1
                continue
            case let .remember(slot):
                guard sp >= 1 else { return false }
                if slot >= 0, slot < memoCount {
                    (memo + slot * stride).update(from: s + (sp - 1) * stride, count: n)
                    known[slot] = true
                }
            case .reduce, .dot, .jump, .jumpIfZero, .jumpIfNonZero:
                return false
            }
            pc += 1
        }
        return sp == 1
    }
}
