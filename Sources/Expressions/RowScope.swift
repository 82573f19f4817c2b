/// Several expressions evaluated at the same values (one transition row of a game: its
/// targets and weights at one `s`, `a` and `μ`), with one setup for all of them: the scalars
/// copied once with the replaced slots, the array bound once, one VM stack, and one
/// ``BindingMemo``, so that a `let` binding is evaluated once for the whole row.
///
/// Each ``evaluate(_:)`` gives the value and errors of ``CompiledExpression/evaluate(in:setting:to:_:to:_:to:binding:to:memo:)``
/// with the same slots and memo. A scope lives in storage the caller provides (for example
/// `withUnsafeTemporaryAllocation` of ``Layout/capacity`` doubles), valid only there.
package struct RowScope {
    /// The sizes of a scope for a set of expressions, computed once per game.
    package struct Layout: Sendable {
        /// The largest VM stack of the expressions.
        let stackSize: Int
        let scalarCount: Int
        /// The memo's bindings: every binding of the schema.
        let memoCount: Int

        /// The doubles a scope needs: the stack, the scalars and the memo.
        package var capacity: Int { stackSize + scalarCount + 2 * memoCount }

        /// The layout for evaluating `expressions` in `environment` (or any environment of its schema).
        package init(environment: Environment, expressions: [CompiledExpression]) {
            stackSize = max(1, expressions.map(\.stackSize).max() ?? 1)
            scalarCount = environment.scalars.count
            memoCount = environment.shared.schema.bindings.count
        }
    }

    /// What the VM reads (stack, scalars, environment, replacements, memo), kept together so
    /// that an evaluation passes it by reference.
    var frame: VMFrame
    /// The identity of the environment's layout, which a handle's program must share.
    let layoutIdentity: ObjectIdentifier
    var environment: Environment { frame.environment }
    var replacements: Replacements { frame.replacements }
    var stack: UnsafeMutableBufferPointer<Double> { frame.stack }
    var scalars: UnsafeMutableBufferPointer<Double> { frame.scalars }
    /// The row's remembered bindings (``VMFrame/memo``, kept here too: a stored property, so
    /// that reading it from another module copies two words, not the scope).
    package let memo: BindingMemo

    /// A scope with `first`, `second` (and `third`, unless `nil`) set to `x`, `y` (and `z`) and
    /// `array` bound to `values`, in `storage` of at least `layout.capacity` doubles.
    ///
    /// - Throws: as `Environment.bind(_:to:)` with a slot; `environmentMismatch` if `storage`
    ///   is smaller than the layout or the layout is of another schema's size.
    package init(environment: Environment, layout: Layout, storage: UnsafeMutableBufferPointer<Double>,
                 setting first: ScalarSlot, to x: Double, _ second: ScalarSlot, to y: Double, _ third: ScalarSlot?,
                 to z: Double, binding array: ArraySlot, to values: [Double]) throws(ExpressionError) {
        try environment.checkBinding(array, count: values.count)
        let scalarCount = environment.scalars.count
        guard let base = storage.baseAddress, storage.count >= layout.capacity, layout.scalarCount == scalarCount else {
            throw ExpressionError(.environmentMismatch)
        }
        let scalars = UnsafeMutableBufferPointer(start: base + layout.stackSize, count: scalarCount)
        _ = scalars.initialize(fromContentsOf: environment.scalars)
        let memo = BindingMemo(storage: base + layout.stackSize + scalarCount, count: layout.memoCount)
        memo.clear()
        let replacements = Replacements(first: first.index, x: x, second: second.index, y: y, third: third?.index ?? -1, z: z,
                                        array: array.index, values: values, memo: memo)
        frame = VMFrame(stack: UnsafeMutableBufferPointer(start: base, count: layout.stackSize), scalars: scalars,
                        environment: environment, replacements: replacements, memo: memo)
        self.memo = memo
        layoutIdentity = ObjectIdentifier(environment.layout)
        if first.index >= 0, first.index < scalarCount { scalars[first.index] = x }
        if second.index >= 0, second.index < scalarCount { scalars[second.index] = y }
        if let third, third.index >= 0, third.index < scalarCount { scalars[third.index] = z }
    }

    /// Starts the next row at the same array values: the first, second and third slots set to
    /// `x`, `y` and `z` and every binding forgotten, which is the state of a new scope with these
    /// values (the evaluations never write the scalars), without its set-up: one scope serves a
    /// chunk of rows.
    package mutating func reset(_ x: Double, _ y: Double, _ z: Double) {
        memo.clear()
        frame.replacements.x = x
        frame.replacements.y = y
        frame.replacements.z = z
        let count = scalars.count
        let (first, second, third) = (replacements.first, replacements.second, replacements.third)
        if first >= 0, first < count { scalars[first] = x }
        if second >= 0, second < count { scalars[second] = y }
        if third >= 0, third < count { scalars[third] = z }
    }

    /// Sets the third slot (the noise value `e`, or `t`) to `z` for the next evaluations. The
    /// caller forgets the bindings that read it (``Schema/bindingSlots(dependingOn:)``).
    package mutating func setThird(to z: Double) {
        frame.replacements.z = z
        let slot = replacements.third
        if slot >= 0, slot < scalars.count { scalars[slot] = z }
    }

    /// `expression` at the scope's values, its bindings read from and remembered in ``memo``.
    /// `mutating` only so that the scope is passed by reference (as for the handles below).
    ///
    /// - Throws: as ``CompiledExpression/evaluate(in:)``.
    package mutating func evaluate(_ expression: CompiledExpression) throws(ExpressionError) -> Double {
        if let constant = expression.constantValue { return constant }
        guard environment.layout === expression.layout else { throw ExpressionError(.environmentMismatch) }
        guard expression.stackSize <= stack.count else {
            // Not one of the layout's expressions: the plain path, with the same memo.
            return try expression.evaluate(in: environment, replacements)
        }
        if let value = aliasValue(expression.program.alias) { return value }
        let value: Double
        do {
            value = try expression.instructions.withUnsafeBufferPointer { code throws(LocatedFault) -> Double in
                try expression.program.execute(code, &frame)
            }
        } catch {
            throw expression.locate(error)
        }
        if value.isFinite { return value }
        throw expression.nonFiniteError(value, environment, replacements)
    }

    /// The value of a program that only reads a remembered binding or a scalar (``CompiledExpression/Program/alias``:
    /// a target `to: target` or `to: s`), and applies at most one operation with a constant
    /// to it (a weight `1 - go`), when the value is known and the result finite, else `nil`:
    /// the VM would push that value, apply that operation (``CompiledExpression/Combination``)
    /// and return the result (and when it fails or is not finite, the VM runs and reports it).
    @inline(__always)
    func aliasValue(_ alias: CompiledExpression.Alias) -> Double? {
        let value: Double, combination: CompiledExpression.Combination?
        switch alias {
        case let .binding(slot, operation):
            guard let known = memo.value(slot) else { return nil }
            (value, combination) = (known, operation)
        case let .scalar(slot, operation):
            guard slot >= 0, slot < scalars.count else { return nil }
            (value, combination) = (scalars[slot], operation)
        case .none:
            return nil
        }
        var result = value
        if let combination {
            guard let combined = combination.apply(value) else { return nil }
            result = combined
        }
        return result.isFinite ? result : nil
    }
}

/// A compiled expression held without a reference count (``CompiledExpression/unretained``),
/// for loops that evaluate the same few expressions at every row of a game on both cores.
///
/// Copying a ``CompiledExpression`` retains its program: an atomic update of a reference count
/// that every worker shares, so the two cores fight over its cache line. Reading the entries of
/// a `{successors}` transition that way cost 35 % of a 200×200 crowd grid's solve
/// (Docs/Performance.md, section 8, "Tenth round"). A handle is a plain value (copying it
/// retains nothing) and is valid only while the expression it came from is alive: its owner
/// keeps both.
package struct UnretainedExpression {
    let constantValue: Double?
    let program: Unmanaged<CompiledExpression.Program>
    /// The program's fields that ``RowScope/evaluate(_:)-(UnretainedExpression)`` checks before
    /// running it, copied here so that the checks read no field of the program.
    let stackSize: Int
    let layoutIdentity: ObjectIdentifier
    let alias: CompiledExpression.Alias

    init(constantValue: Double?, program: CompiledExpression.Program) {
        self.constantValue = constantValue
        self.program = .passUnretained(program)
        stackSize = program.stackSize
        layoutIdentity = ObjectIdentifier(program.layout)
        alias = program.alias
    }
}

extension RowScope {
    /// ``evaluate(_:)-(CompiledExpression)`` of the expression behind `handle`: the same value and
    /// errors, without retaining its program. An evaluation that fails, is not finite or does
    /// not fit this scope runs again through the retained path, which reports it as always.
    ///
    /// `mutating` only so that the scope is passed by reference: evaluations do not change it
    /// (they write the stack and the memo, in the caller's storage). A `RowScope` is 20 words,
    /// and a non-mutating call from a loop holding the scope `inout` copied all of them at every
    /// call (Docs/Performance.md, section 8, "Thirteenth round").
    ///
    /// - Throws: as ``CompiledExpression/evaluate(in:)``.
    package mutating func evaluate(_ handle: UnretainedExpression) throws(ExpressionError) -> Double {
        if let constant = handle.constantValue { return constant }
        if handle.layoutIdentity == layoutIdentity, handle.stackSize <= frame.stack.count {
            if let value = aliasValue(handle.alias) { return value }
            let value: Double? = handle.program._withUnsafeGuaranteedRef { program in
                program.instructions.withUnsafeBufferPointer { code in try? program.execute(code, &frame) }
            }
            if let value, value.isFinite { return value }
        }
        return try evaluate(CompiledExpression(constantValue: nil, program: handle.program.takeUnretainedValue()))
    }
}
