extension CompiledExpression {
    /// What the expression reads that can differ from one row `(s, a)` of a game to the next,
    /// when the bindings in `known` are known before it runs (their values preloaded into the
    /// row's ``BindingMemo``, as ``RowScope`` rows of a game file's transition are by its cache of
    /// μ-free bindings).
    ///
    /// - `bindings`: the bindings of `known` whose value the program recalls (their code is then
    ///   skipped, so what that code reads does not count);
    /// - `readsScalars`: whether any other instruction reads a scalar variable (`s`, `a`, `e`,
    ///   `t`, or a grid coordinate of one) — a game file's only scalars.
    ///
    /// An expression with `readsScalars == false` is, at a fixed mean field, a function of the
    /// values of `bindings` alone (its other inputs are constants and arrays, and the bindings it
    /// computes itself follow from the same inputs): rows whose values of `bindings` are equal
    /// bit for bit get the same value, bit for bit, and the same errors. Read by the instruction
    /// list, every branch included, so it may say "reads" of code that never runs, never the
    /// opposite.
    package func rowInputs(knownBindings known: Set<Int>) -> (bindings: Set<Int>, readsScalars: Bool) {
        let code = instructions
        var bindings = Set<Int>()
        var readsScalars = false
        var pc = 0
        while pc < code.count {
            switch code[pc] {
            case let .recall(slot, skip) where known.contains(slot) && skip > pc:
                // A known binding: its value is recalled and its code (up to `skip`) skipped.
                bindings.insert(slot)
                pc = skip
                continue
            case .scalar, .coordinate:
                readsScalars = true
            default:
                break
            }
            pc += 1
        }
        return (bindings, readsScalars)
    }
}

extension CompiledExpression {
    /// What a field that is only a value stands for: a constant, one binding's name or one
    /// scalar variable (`to: 0`, `to: target`, `to: s`), with no operation after it; `nil`
    /// otherwise. Its value is then the constant, the binding's remembered value or the
    /// scalar's value, when that is finite (the VM pushes it and returns it).
    package var plainValue: PlainValue? {
        if let constantValue { return .constant(constantValue) }
        switch program.alias {
        case let .binding(slot, nil): return .binding(slot)
        case let .scalar(slot, nil): return .scalar(slot)
        default: return nil
        }
    }

    /// See ``plainValue``.
    package enum PlainValue: Sendable, Equatable {
        case constant(Double)
        case binding(Int)
        case scalar(Int)
    }
}
