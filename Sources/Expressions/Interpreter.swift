/// An evaluation failure and the instruction that raised it.
struct LocatedFault: Error {
    let kind: ExpressionError.Kind
    let instruction: Int
}

/// Values that replace an environment's for one evaluation, without copying the environment:
/// up to three scalar slots and one array slot (`-1`: none). The row functions of game files
/// set `s` and `a` (and the noise value `e`) and bind `mu` this way for every `(s, a)` and
/// mean field.
struct Replacements {
    var first = -1
    var x = 0.0
    var second = -1
    var y = 0.0
    var third = -1
    var z = 0.0
    var array = -1
    var values: [Double] = []
    /// The row's memo of `let` bindings (``BindingMemo``), shared by the evaluations of one
    /// row, or `nil`: each evaluation then remembers its bindings for itself.
    var memo: BindingMemo?

    /// Nothing replaced.
    static var none: Replacements { Replacements() }
}

extension CompiledExpression {
    /// Runs the program on `environment`'s values, with `replacements` in place of its own.
    /// With `diagnose`, also stops at the first instruction whose result is not finite (used
    /// only after a non-finite result, to say where).
    @inline(__always)
    func run(_ environment: Environment, _ replacements: Replacements, diagnose: Bool) throws(LocatedFault) -> Double {
        let scalarCount = environment.scalars.count
        // The row's memo when the caller passed one (not while diagnosing: a value remembered
        // by another evaluation would hide where it became non-finite), else a memo of this
        // evaluation's own, after the scalars.
        let shared = diagnose ? nil : replacements.memo
        let ownMemo = shared == nil ? program.memoCount : 0
        // One temporary block: the VM's stack, then a copy of the scalars with the replacements,
        // then the memo's values and flags (if this evaluation has its own).
        let capacity = stackSize + scalarCount + 2 * ownMemo
        return try withUnsafeTemporaryAllocation(of: Double.self, capacity: capacity) { block throws(LocatedFault) -> Double in
            guard let base = block.baseAddress else { throw LocatedFault(kind: .nonFinite(.nan), instruction: 0) }
            let scalars = UnsafeMutableBufferPointer(start: base + stackSize, count: scalarCount)
            _ = scalars.initialize(fromContentsOf: environment.scalars)
            if replacements.first >= 0, replacements.first < scalarCount { scalars[replacements.first] = replacements.x }
            if replacements.second >= 0, replacements.second < scalarCount { scalars[replacements.second] = replacements.y }
            if replacements.third >= 0, replacements.third < scalarCount { scalars[replacements.third] = replacements.z }
            let memo: BindingMemo
            if let shared {
                memo = shared
            } else {
                memo = BindingMemo(storage: base + stackSize + scalarCount, count: ownMemo)
                memo.clear()
            }
            var frame = VMFrame(stack: UnsafeMutableBufferPointer(start: base, count: stackSize), scalars: scalars,
                                environment: environment, replacements: replacements, memo: memo)
            return try instructions.withUnsafeBufferPointer { code throws(LocatedFault) -> Double in
                try diagnose ? program.diagnose(code, &frame) : program.execute(code, &frame)
            }
        }
    }
}

/// What the VM reads besides its program: the stack, the scalars (a copy with the replaced
/// slots set), the environment's arrays and the replaced array, and the memo of `let`
/// bindings. The VM takes it by reference (`inout`, though it writes only the stack and the
/// memo's storage): a row scope (``RowScope``) keeps one for all its evaluations, and passing
/// the 20 words of these fields by value cost a copy and the VM's prologue spills at every call
/// (Docs/Performance.md, section 8, "Thirteenth round").
struct VMFrame {
    let stack: UnsafeMutableBufferPointer<Double>
    let scalars: UnsafeMutableBufferPointer<Double>
    let environment: Environment
    var replacements: Replacements
    let memo: BindingMemo
}

extension CompiledExpression.Program {
    /// The stack machine. The stack never exceeds `stackSize` (computed by
    /// ``CodeGenerator`` while emitting), and each instruction pops only what
    /// earlier instructions pushed. Debug builds assert both before every push and pop
    /// (`assert`, compiled out with `-O`): a code-generator bug then stops at the
    /// instruction instead of writing past the stack.
    ///
    /// A documented hot kernel (Docs/Development.md): one `switch` over the instruction set in
    /// one loop, the dispatch every expression evaluation runs. Always inlined into
    /// ``execute(_:_:)`` and ``diagnose(_:_:)``, so that each has `diagnose` fixed and the
    /// evaluations' copy tests nothing after every instruction.
    @inline(__always)
    func execute(_ code: UnsafeBufferPointer<Instruction>, _ frame: inout VMFrame, diagnose: Bool) throws(LocatedFault) -> Double {
        guard let s = frame.stack.baseAddress, frame.stack.count >= stackSize, stackSize >= 1 else {
            throw LocatedFault(kind: .nonFinite(.nan), instruction: 0)
        }
        let scalars = UnsafeBufferPointer(frame.scalars)
        let memo = frame.memo
        var sp = 0
        var pc = 0
        let end = code.count
        let size = stackSize
        while pc < end {
            assert(sp >= 0 && sp <= size, "expression VM: stack pointer \(sp) outside 0...\(size) at instruction \(pc)")
            switch code[pc] {
            case let .constant(v):
                assert(sp < size, "expression VM: push beyond the stack (\(size)) at instruction \(pc)")
                s[sp] = v
                sp &+= 1
            case let .scalar(slot):
                assert(sp < size, "expression VM: push beyond the stack (\(size)) at instruction \(pc)")
                s[sp] = scalars[slot]
                sp &+= 1
            case let .element(array, k):
                assert(k >= 0 && k <= sp && (k > 0 || sp < size), "expression VM: element needs \(k) operands (and room), stack at \(sp) at instruction \(pc)")
                let base = sp &- k
                let offset = try self.offset(array: array, indices: s + base, count: k, pc: pc)
                let values = array == frame.replacements.array ? frame.replacements.values : frame.environment.arrays[array]
                guard values.count == arrays[array].count else {
                    throw LocatedFault(kind: .unboundArray(arrays[array].name), instruction: pc)
                }
                s[base] = values[offset]
                sp = base &+ 1
            case let .reduce(op, array, k):
                assert(k >= 0 && k <= sp && (k > 0 || sp < size), "expression VM: reduce needs \(k) operands (and room), stack at \(sp) at instruction \(pc)")
                let base = sp &- k
                let offset = try self.offset(array: array, indices: s + base, count: k, pc: pc)
                let layout = arrays[array]
                let values = array == frame.replacements.array ? frame.replacements.values : frame.environment.arrays[array]
                guard values.count == layout.count else {
                    throw LocatedFault(kind: .unboundArray(layout.name), instruction: pc)
                }
                let size = k == 0 ? layout.count : layout.strides[k - 1]
                s[base] = Semantics.reduce(op, values[offset..<(offset + size)])
                sp = base &+ 1
            case let .unary(op):
                assert(sp >= 1, "expression VM: unary operation on an empty stack at instruction \(pc)")
                do {
                    s[sp &- 1] = try Semantics.apply(op, s[sp &- 1])
                } catch {
                    throw LocatedFault(kind: error.kind, instruction: pc)
                }
            case let .binary(op):
                assert(sp >= 2, "expression VM: binary operation with \(sp) operands at instruction \(pc)")
                sp &-= 1
                do {
                    s[sp &- 1] = try Semantics.apply(op, s[sp &- 1], s[sp])
                } catch {
                    throw LocatedFault(kind: error.kind, instruction: pc)
                }
            case let .binaryConstant(op, c):
                assert(sp >= 1, "expression VM: binary operation on an empty stack at instruction \(pc)")
                do {
                    s[sp &- 1] = try Semantics.apply(op, s[sp &- 1], c)
                } catch {
                    throw LocatedFault(kind: error.kind, instruction: pc)
                }
            case let .constantBinary(c, op):
                assert(sp >= 1, "expression VM: binary operation on an empty stack at instruction \(pc)")
                do {
                    s[sp &- 1] = try Semantics.apply(op, c, s[sp &- 1])
                } catch {
                    throw LocatedFault(kind: error.kind, instruction: pc)
                }
            case .clamp:
                assert(sp >= 3, "expression VM: clamp with \(sp) operands at instruction \(pc)")
                sp &-= 2
                do {
                    s[sp &- 1] = try Semantics.clamp(s[sp &- 1], s[sp], s[sp &+ 1])
                } catch {
                    throw LocatedFault(kind: error.kind, instruction: pc)
                }
            case let .coordinate(slot, divisor, modulus):
                assert(sp < size, "expression VM: push beyond the stack (\(size)) at instruction \(pc)")
                s[sp] = Semantics.coordinate(scalars[slot], divisor: divisor, modulus: modulus)
                sp &+= 1
            case let .grid(isCell):
                let shape = grid
                assert(sp >= shape.count, "expression VM: grid function with \(sp) operands at instruction \(pc)")
                let base = sp &- shape.count
                let coordinates = UnsafeBufferPointer(start: s + base, count: shape.count)
                if let index = Semantics.cell(coordinates, shape: shape) {
                    s[base] = isCell ? index : 1
                } else if isCell {
                    throw LocatedFault(kind: .outsideGrid(coordinates: Array(coordinates), shape: shape.map { Int($0) }),
                                       instruction: pc)
                } else {
                    s[base] = 0
                }
                sp = base &+ 1
            case let .dot(first, firstCount, second, secondCount):
                let (i, k, j, l) = (Int(first), Int(firstCount), Int(second), Int(secondCount))
                assert(k + l <= sp && (k + l > 0 || sp < size), "expression VM: dot needs \(k + l) operands (and room) at instruction \(pc)")
                let base = sp &- k &- l
                let u = i == frame.replacements.array ? frame.replacements.values : frame.environment.arrays[i]
                let v = j == frame.replacements.array ? frame.replacements.values : frame.environment.arrays[j]
                s[base] = try dot(i, u, indices: s + base, count: k, j, v, indices: s + base + k, count: l, pc: pc)
                sp = base &+ 1
            case let .recall(slot, skip):
                if slot < memo.count, let known = memo.storage, known[memo.count &+ slot] != 0 {
                    assert(sp < size, "expression VM: push beyond the stack (\(size)) at instruction \(pc)")
                    s[sp] = known[slot]
                    sp &+= 1
                    pc = skip
                    continue
                }
                pc &+= 1  // not known yet: its code follows (nothing pushed, nothing to check)
                continue
            case let .remember(slot):
                assert(sp >= 1, "expression VM: remember on an empty stack at instruction \(pc)")
                if slot < memo.count, let known = memo.storage {
                    known[slot] = s[sp &- 1]
                    known[memo.count &+ slot] = 1
                }
            case let .jump(target):
                pc = target
                continue
            case let .jumpIfZero(target):
                assert(sp >= 1, "expression VM: conditional jump on an empty stack at instruction \(pc)")
                sp &-= 1
                pc = s[sp] == 0 ? target : pc &+ 1
                continue
            case let .jumpIfNonZero(target):
                assert(sp >= 1, "expression VM: conditional jump on an empty stack at instruction \(pc)")
                sp &-= 1
                pc = s[sp] != 0 ? target : pc &+ 1
                continue
            }
            if diagnose, !s[sp &- 1].isFinite {
                throw LocatedFault(kind: .nonFinite(s[sp &- 1]), instruction: pc)
            }
            pc &+= 1
        }
        assert(sp == 1, "expression VM: \(sp) values left on the stack, expected 1")
        return s[0]
    }

    /// ``execute(_:_:diagnose:)`` without `diagnose`: every evaluation's VM.
    @inline(never)
    func execute(_ code: UnsafeBufferPointer<Instruction>, _ frame: inout VMFrame) throws(LocatedFault) -> Double {
        try execute(code, &frame, diagnose: false)
    }

    /// ``execute(_:_:diagnose:)`` with `diagnose`: run only after a non-finite result, to say where.
    @inline(never)
    func diagnose(_ code: UnsafeBufferPointer<Instruction>, _ frame: inout VMFrame) throws(LocatedFault) -> Double {
        try execute(code, &frame, diagnose: true)
    }

    /// `dot` of the blocks of arrays `i` and `j` (values `u` and `v`) selected by their indices (same shape, checked at compile time).
    private func dot(_ i: Int, _ u: [Double], indices: UnsafeMutablePointer<Double>, count k: Int, _ j: Int, _ v: [Double],
                     indices second: UnsafeMutablePointer<Double>, count l: Int, pc: Int) throws(LocatedFault) -> Double {
        let a = try offset(array: i, indices: indices, count: k, pc: pc)
        let b = try offset(array: j, indices: second, count: l, pc: pc)
        for (values, array) in [(u, i), (v, j)] where values.count != arrays[array].count {
            throw LocatedFault(kind: .unboundArray(arrays[array].name), instruction: pc)
        }
        let size = k == 0 ? arrays[i].count : arrays[i].strides[k - 1]
        return Semantics.dot(u[a..<(a + size)], v[b..<(b + size)])
    }

    /// The row-major offset selected by `count` indices, each rounded to the
    /// nearest integer and checked against its dimension.
    @inline(__always)
    func offset(array: Int, indices: UnsafeMutablePointer<Double>, count: Int,
                        pc: Int) throws(LocatedFault) -> Int {
        let layout = arrays[array]
        var offset = 0
        for d in 0..<count {
            let value = indices[d]
            let n = layout.shape[d]
            // An index that is already a whole number in range (the usual case: `s`, `a`, `t`)
            // skips `rounded()`, a call into the C library on baseline x86-64 (1.3·10⁶ of
            // the 200-state garnet's instructions): the same offset, as `rounded()` of a whole
            // number is itself. Everything else takes the checked path below.
            if value >= 0, value < Double(n) {
                let whole = Int(value)
                if Double(whole) == value {
                    offset = offset &+ whole &* layout.strides[d]
                    continue
                }
            }
            let r = value.rounded()
            guard r >= 0, r < Double(n) else {
                throw LocatedFault(kind: .indexOutOfRange(array: layout.name, position: d,
                                                          dimensions: layout.shape.count, value: value, count: n),
                                   instruction: pc)
            }
            // Wrapping: with an absurd declared shape the offset may wrap, but such an
            // array can never be bound, and the caller checks binding before reading.
            offset = offset &+ Int(r) &* layout.strides[d]
        }
        return offset
    }
}

extension CompiledExpression {
    /// The expression's value at every row `(s, a)` of a game with `states × actions` rows, in
    /// row order `s·actions + a`, with `first` set to `s`, `second` to `a` and `array` bound to
    /// `values`: bit for bit the values of
    /// ``evaluate(in:setting:to:_:to:binding:to:memo:)`` row by row (the same program on the same
    /// scalars, each row with a fresh memo of its own), without that call's per-row set-up (a
    /// temporary block, the copy of the scalars, the binding check: about 300 of a small reward's
    /// 800 instructions; Docs/Performance.md, section 4, "Fifth round").
    ///
    /// `nil` when any row fails or is not finite, or for a constant expression: the caller then
    /// evaluates row by row, which reports the error.
    package func rowValues(in environment: Environment, states: Int, actions: Int, setting first: ScalarSlot,
                           _ second: ScalarSlot, binding array: ArraySlot, to values: [Double]) -> [Double]? {
        guard states >= 0, actions >= 0 else { return nil }
        let (count, overflow) = states.multipliedReportingOverflow(by: actions)
        guard !overflow else { return nil }
        var out = [Double](repeating: 0, count: count)
        let complete = out.withUnsafeMutableBufferPointer { results in
            rowValues(in: environment, rows: 0..<count, actions: actions, setting: first, second, binding: array, to: values,
                      into: results)
        }
        return complete ? out : nil
    }

    /// Whether ``rowValues(in:states:actions:setting:_:binding:to:)`` evaluates this expression
    /// with its straight-line evaluator (a short program without jumps, `let` bindings,
    /// reductions, dot products or grid functions) rather than the VM. For tests.
    package var rowValuesInStraightLine: Bool { constantValue == nil && StraightLine.covers(program.instructions) }

    /// ``rowValues(in:states:actions:setting:_:binding:to:)`` of the rows `rows` alone, written into
    /// `results` (`results[row − rows.lowerBound]`, room for `rows.count` values): the same values
    /// bit for bit, so that chunks of rows can run on several threads. `false` (and `results`
    /// partly written) when any row fails or is not finite, or for a constant expression.
    package func rowValues(in environment: Environment, rows: Range<Int>, actions: Int, setting first: ScalarSlot,
                           _ second: ScalarSlot, binding array: ArraySlot, to values: [Double],
                           into results: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard constantValue == nil, environment.layout === layout, actions > 0 || rows.isEmpty, rows.lowerBound >= 0,
              results.count >= rows.count, (try? environment.checkBinding(array, count: values.count)) != nil
        else { return false }
        let scalarCount = environment.scalars.count
        guard first.index >= 0, first.index < scalarCount, second.index >= 0, second.index < scalarCount,
              first.index != second.index
        else { return false }
        if let line = StraightLine(program, environment: environment, replaced: array.index, values: values) {
            return line.rowValues(scalars: environment.scalars, rows: rows, actions: actions, setting: first.index,
                                  second.index, into: results)
        }
        let replacements = Replacements(first: first.index, x: 0, second: second.index, y: 0, array: array.index,
                                        values: values, memo: nil)
        let memoCount = program.memoCount
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: stackSize + scalarCount + 2 * memoCount) { block -> Bool in
            guard let base = block.baseAddress else { return false }
            let scalars = UnsafeMutableBufferPointer(start: base + stackSize, count: scalarCount)
            _ = scalars.initialize(fromContentsOf: environment.scalars)
            let memo = BindingMemo(storage: base + stackSize + scalarCount, count: memoCount)
            var frame = VMFrame(stack: UnsafeMutableBufferPointer(start: base, count: stackSize), scalars: scalars,
                                environment: environment, replacements: replacements, memo: memo)
            return instructions.withUnsafeBufferPointer { code -> Bool in
                var out = 0
                for row in rows {
                    scalars[first.index] = Double(row / actions)
                    scalars[second.index] = Double(row % actions)
                    memo.clear()
                    guard let value = try? program.execute(code, &frame), value.isFinite else { return false }
                    results[out] = value
                    out += 1
                }
                return true
            }
        }
    }
}
