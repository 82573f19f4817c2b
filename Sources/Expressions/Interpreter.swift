/// An evaluation failure and the instruction that raised it.
struct LocatedFault: Error {
    let kind: ExpressionError.Kind
    let instruction: Int
}

extension CompiledExpression {
    /// Runs the program. With `diagnose`, also stops at the first instruction
    /// whose result is not finite (used only after a non-finite result, to say where).
    @inline(__always)
    func run(_ environment: Environment, diagnose: Bool) throws(LocatedFault) -> Double {
        try withUnsafeTemporaryAllocation(of: Double.self, capacity: stackSize) { stack throws(LocatedFault) -> Double in
            try instructions.withUnsafeBufferPointer { code throws(LocatedFault) -> Double in
                try execute(code, stack: stack, environment: environment, diagnose: diagnose)
            }
        }
    }

    /// The stack machine. The stack never exceeds `stackSize` (computed by
    /// ``CodeGenerator`` while emitting), and each instruction pops only what
    /// earlier instructions pushed.
    private func execute(_ code: UnsafeBufferPointer<Instruction>, stack: UnsafeMutableBufferPointer<Double>,
                         environment: Environment, diagnose: Bool) throws(LocatedFault) -> Double {
        guard let s = stack.baseAddress, stack.count >= stackSize, stackSize >= 1 else {
            throw LocatedFault(kind: .nonFinite(.nan), instruction: 0)
        }
        let scalars = environment.scalars
        var sp = 0
        var pc = 0
        let end = code.count
        while pc < end {
            switch code[pc] {
            case let .constant(v):
                s[sp] = v
                sp += 1
            case let .scalar(slot):
                s[sp] = scalars[slot]
                sp += 1
            case let .element(array, k):
                let base = sp - k
                let offset = try self.offset(array: array, indices: s + base, count: k, pc: pc)
                let values = environment.arrays[array]
                guard values.count == arrays[array].count else {
                    throw LocatedFault(kind: .unboundArray(arrays[array].name), instruction: pc)
                }
                s[base] = values[offset]
                sp = base + 1
            case let .reduce(op, array, k):
                let base = sp - k
                let offset = try self.offset(array: array, indices: s + base, count: k, pc: pc)
                let layout = arrays[array]
                let values = environment.arrays[array]
                guard values.count == layout.count else {
                    throw LocatedFault(kind: .unboundArray(layout.name), instruction: pc)
                }
                let size = k == 0 ? layout.count : layout.strides[k - 1]
                s[base] = Semantics.reduce(op, values[offset..<(offset + size)])
                sp = base + 1
            case let .unary(op):
                do {
                    s[sp - 1] = try Semantics.apply(op, s[sp - 1])
                } catch {
                    throw LocatedFault(kind: error.kind, instruction: pc)
                }
            case let .binary(op):
                sp -= 1
                do {
                    s[sp - 1] = try Semantics.apply(op, s[sp - 1], s[sp])
                } catch {
                    throw LocatedFault(kind: error.kind, instruction: pc)
                }
            case .clamp:
                sp -= 2
                do {
                    s[sp - 1] = try Semantics.clamp(s[sp - 1], s[sp], s[sp + 1])
                } catch {
                    throw LocatedFault(kind: error.kind, instruction: pc)
                }
            case let .jump(target):
                pc = target
                continue
            case let .jumpIfZero(target):
                sp -= 1
                pc = s[sp] == 0 ? target : pc + 1
                continue
            case let .jumpIfNonZero(target):
                sp -= 1
                pc = s[sp] != 0 ? target : pc + 1
                continue
            }
            if diagnose, !s[sp - 1].isFinite {
                throw LocatedFault(kind: .nonFinite(s[sp - 1]), instruction: pc)
            }
            pc += 1
        }
        return s[0]
    }

    /// The row-major offset selected by `count` indices, each rounded to the
    /// nearest integer and checked against its dimension.
    @inline(__always)
    private func offset(array: Int, indices: UnsafeMutablePointer<Double>, count: Int,
                        pc: Int) throws(LocatedFault) -> Int {
        let layout = arrays[array]
        var offset = 0
        for d in 0..<count {
            let value = indices[d]
            let r = value.rounded()
            let n = layout.shape[d]
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
