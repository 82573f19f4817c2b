/// One step of a compiled program, run by a stack machine.
///
/// Every instruction except the jumps leaves exactly one new value on top of
/// the stack (after popping its operands), so a program for a single
/// expression ends with exactly one value.
enum Instruction: Sendable {
    case constant(Double)
    case scalar(Int)
    /// Pops `indexCount` indices (outermost first) and pushes the element.
    case element(array: Int, indexCount: Int)
    /// Pops `indexCount` indices selecting a block and pushes its reduction.
    case reduce(ReduceOperation, array: Int, indexCount: Int)
    case unary(UnaryOperation)
    /// Pops `y`, then replaces `x` on top with `x op y`.
    case binary(BinaryOperation)
    /// Replaces `x` on top with `x op c`: `constant(c)` then `binary(op)` in one instruction
    /// (a superinstruction; ``CodeGenerator/fusesConstants``).
    case binaryConstant(BinaryOperation, Double)
    /// Replaces `x` on top with `c op x`: `c op x` with the constant `c` pushed first, emitted
    /// after `x`'s code (a constant cannot fail, so the order changes no error).
    case constantBinary(Double, BinaryOperation)
    /// Pops `hi` and `lo`, replaces `x` with `clamp(x, lo, hi)`.
    case clamp
    case jump(Int)
    /// Pops a value; jumps if it is zero.
    case jumpIfZero(Int)
    /// Pops a value; jumps if it is not zero.
    case jumpIfNonZero(Int)
    /// Pushes the grid coordinate `floor(scalar / divisor) mod modulus` of a scalar slot.
    case coordinate(slot: Int, divisor: Double, modulus: Double)
    /// Pops one coordinate per grid dimension and pushes the cell's index (`isCell`,
    /// an error outside the grid) or whether it is inside (1 or 0).
    case grid(isCell: Bool)
    /// Pops the indices of the second block, then of the first, and pushes their dot product.
    case dot(first: Int32, firstIndexCount: Int32, second: Int32, secondIndexCount: Int32)
    /// If `let` binding `slot` has been evaluated (in this evaluation, or in the row's memo
    /// the caller passed), pushes its value and jumps to `skip`, past the binding's code;
    /// otherwise does nothing (the binding's code follows).
    case recall(slot: Int, skip: Int)
    /// Remembers the value on top of the stack (left there) as binding `slot`'s.
    case remember(slot: Int)
}

/// Lowers a ``Node`` tree to postfix instructions and sizes the stack.
struct CodeGenerator {
    var instructions: [Instruction] = []
    /// For each instruction, the index of its site (source range), or -1.
    var sites: [Int32] = []
    /// The largest stack height reached.
    var stackSize = 0
    var scalarSlots: Set<Int> = []
    var arraySlots: Set<Int> = []
    /// One more than the largest binding slot remembered (0: no binding), the size of the memo.
    var memoCount = 0
    /// Whether a binary operation with a finite constant operand is emitted as one
    /// instruction (``Instruction/binaryConstant(_:_:)``, ``Instruction/constantBinary(_:_:)``)
    /// instead of a `constant` and a `binary`: the same operation on the same operands, so the
    /// same bits and errors, with one dispatch of the VM fewer (`false`: the plain program,
    /// which the tests compare with).
    var fusesConstants = true

    @discardableResult
    mutating func append(_ instruction: Instruction, site: Int = -1) -> Int {
        instructions.append(instruction)
        sites.append(Int32(truncatingIfNeeded: site))
        return instructions.count - 1
    }

    mutating func patch(_ at: Int, to target: Int) {
        switch instructions[at] {
        case .jump: instructions[at] = .jump(target)
        case .jumpIfZero: instructions[at] = .jumpIfZero(target)
        case .jumpIfNonZero: instructions[at] = .jumpIfNonZero(target)
        case let .recall(slot, _): instructions[at] = .recall(slot: slot, skip: target)
        default: break
        }
    }

    /// Emits code that pushes the value of `node` on a stack of height `depth`.
    mutating func emit(_ node: Node, depth: Int) {
        stackSize = max(stackSize, depth + 1)
        switch node {
        case let .constant(v):
            append(.constant(v))
        case let .scalar(slot, site):
            scalarSlots.insert(slot)
            append(.scalar(slot), site: site)
        case let .element(array, indices, site):
            arraySlots.insert(array)
            for (k, index) in indices.enumerated() { emit(index, depth: depth + k) }
            append(.element(array: array, indexCount: indices.count), site: site)
        case let .reduce(op, array, indices, site):
            arraySlots.insert(array)
            for (k, index) in indices.enumerated() { emit(index, depth: depth + k) }
            append(.reduce(op, array: array, indexCount: indices.count), site: site)
        case let .unary(op, operand, site):
            emit(operand, depth: depth)
            append(.unary(op), site: site)
        case let .chain(head, links):
            emitChain(head, links, depth: depth)
        case let .power(operands, sites):
            for (k, operand) in operands.enumerated() { emit(operand, depth: depth + k) }
            for site in sites.reversed() { append(.binary(.power), site: site) }
        case let .clamp(x, lo, hi, site):
            emit(x, depth: depth)
            emit(lo, depth: depth + 1)
            emit(hi, depth: depth + 2)
            append(.clamp, site: site)
        case let .conditional(condition, then, otherwise):
            emitConditional(condition, then, otherwise, depth: depth)
        case let .coordinate(slot, divisor, modulus, site):
            scalarSlots.insert(slot)
            append(.coordinate(slot: slot, divisor: divisor, modulus: modulus), site: site)
        case let .grid(isCell, coordinates, site):
            for (k, coordinate) in coordinates.enumerated() { emit(coordinate, depth: depth + k) }
            append(.grid(isCell: isCell), site: site)
        case let .dot(u, v, site):
            arraySlots.formUnion([u.array, v.array])
            for (k, index) in (u.indices + v.indices).enumerated() { emit(index, depth: depth + k) }
            append(.dot(first: Int32(truncatingIfNeeded: u.array), firstIndexCount: Int32(truncatingIfNeeded: u.indices.count),
                        second: Int32(truncatingIfNeeded: v.array), secondIndexCount: Int32(truncatingIfNeeded: v.indices.count)),
                   site: site)
        case let .logical(isAnd, operands):
            emitLogical(isAnd: isAnd, operands, depth: depth)
        case let .memo(slot, body):
            emitMemo(slot, body, depth: depth)
        }
    }

    /// A `let` binding's value: its code (the binding written out, as before bindings were
    /// remembered) between a `recall`, which skips it once the value is known, and a
    /// `remember`. The first use that runs computes it exactly as the written-out code
    /// would, and later uses read the same bits, so values and errors do not change.
    private mutating func emitMemo(_ slot: Int, _ body: Node, depth: Int) {
        memoCount = max(memoCount, slot + 1)
        let recall = append(.recall(slot: slot, skip: -1))
        emit(body, depth: depth)
        append(.remember(slot: slot))
        patch(recall, to: instructions.count)
    }

    /// `((head op₁ x₁) op₂ x₂) …`, with a finite constant operand folded into its operation's
    /// instruction when ``fusesConstants``: a constant head into the first link's (its operand's
    /// code first; the constant cannot fail, so the first error is the same), a constant
    /// operand into its link's.
    private mutating func emitChain(_ head: Node, _ links: [Node.Link], depth: Int) {
        var rest = links[...]
        if fusesConstants, let c = head.constantValue, c.isFinite, let first = rest.first {
            emit(first.operand, depth: depth)
            append(.constantBinary(c, first.operation), site: first.site)
            rest = rest.dropFirst()
        } else {
            emit(head, depth: depth)
        }
        for link in rest {
            if fusesConstants, let c = link.operand.constantValue, c.isFinite {
                append(.binaryConstant(link.operation, c), site: link.site)
            } else {
                emit(link.operand, depth: depth + 1)
                append(.binary(link.operation), site: link.site)
            }
        }
    }

    /// `if(c, x, y)`: evaluates only the branch that `c` selects.
    private mutating func emitConditional(_ condition: Node, _ then: Node, _ otherwise: Node, depth: Int) {
        emit(condition, depth: depth)
        let toElse = append(.jumpIfZero(-1))
        emit(then, depth: depth)
        let toEnd = append(.jump(-1))
        patch(toElse, to: instructions.count)
        emit(otherwise, depth: depth)
        patch(toEnd, to: instructions.count)
    }

    /// `and`/`or` with short-circuit jumps: the first operand that decides the result
    /// jumps to the code pushing that result.
    private mutating func emitLogical(isAnd: Bool, _ operands: [Node], depth: Int) {
        var exits: [Int] = []
        for operand in operands {
            emit(operand, depth: depth)
            exits.append(append(isAnd ? .jumpIfZero(-1) : .jumpIfNonZero(-1)))
        }
        append(.constant(isAnd ? 1 : 0))
        let toEnd = append(.jump(-1))
        for exit in exits { patch(exit, to: instructions.count) }
        append(.constant(isAnd ? 0 : 1))
        patch(toEnd, to: instructions.count)
    }
}
