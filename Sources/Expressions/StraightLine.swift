/// A short program without jumps, `let` bindings, reductions, dot products or grid functions,
/// rebuilt as a tree of closures over one batch's arrays: the evaluator of
/// ``CompiledExpression/rowValues(in:rows:actions:setting:_:binding:to:into:)`` for such programs
/// (a game file's reward `R[s][a] - c * mu[s]`: 487 of the VM's instructions a row for its seven
/// instructions, the dispatch, the stack and the per-element array checks; Docs/Performance.md,
/// section 4, "Seventh round").
///
/// Each node computes its instruction's operation on its operands' values with the VM's own
/// arithmetic (``Semantics``), so a row's value has the same bits. The arrays are resolved once
/// per batch (the replaced array or the environment's), and an array whose length does not match
/// its layout makes the whole program unusable (every row would fail there). A node that fails
/// throws ``Failure``, with no detail: the batch is then abandoned and its rows evaluated one by
/// one, which reports the VM's error.
struct StraightLine {
    struct Failure: Error {}
    typealias Node = (UnsafePointer<Double>) throws(Failure) -> Double

    /// Programs longer than this keep the VM (the tree's depth and closures grow with it).
    static let maximumLength = 48

    /// The program's root, reading the scalars it is given.
    let root: Node

    /// An operand while the tree is built: scalar and constant leaves stay visible, so that
    /// array indices and binary operations can read them without a closure call.
    private enum Operand {
        case scalar(Int)
        case constant(Double)
        case node(Node)

        var node: Node {
            switch self {
            case let .scalar(slot): return { s throws(Failure) in s[slot] }
            case let .constant(c): return { _ throws(Failure) in c }
            case let .node(n): return n
            }
        }
    }

    /// The tree of `program`'s code, whose arrays read `environment`'s or (for `replaced`)
    /// `values`; `nil` when the program has an instruction this evaluator does not take, is
    /// longer than ``maximumLength``, or reads an array of the wrong length.
    init?(_ program: CompiledExpression.Program, environment: Environment, replaced: Int, values: [Double]) {
        let code = program.instructions
        guard Self.covers(code) else { return nil }
        var stack: [Operand] = []
        stack.reserveCapacity(program.stackSize)
        for instruction in code {
            switch instruction {
            case let .constant(c): stack.append(.constant(c))
            case let .scalar(slot): stack.append(.scalar(slot))
            case let .coordinate(slot, divisor, modulus):
                stack.append(.node { s throws(Failure) in Semantics.coordinate(s[slot], divisor: divisor, modulus: modulus) })
            case let .element(array, k):
                guard k >= 0, k <= stack.count, array >= 0, array < program.arrays.count else { return nil }
                let layout = program.arrays[array]
                let data = array == replaced ? values : environment.arrays[array]
                guard data.count == layout.count, layout.shape.count >= k else { return nil }
                let indices = Array(stack.suffix(k))
                stack.removeLast(k)
                stack.append(.node(Self.element(data, layout: layout, indices: indices)))
            case let .unary(op):
                guard let x = stack.popLast() else { return nil }
                stack.append(.node(Self.unary(op, x.node)))
            case let .binary(op):
                guard let y = stack.popLast(), let x = stack.popLast() else { return nil }
                stack.append(.node(Self.binary(op, x, y)))
            case let .binaryConstant(op, c):
                guard let x = stack.popLast() else { return nil }
                stack.append(.node(Self.binary(op, x, .constant(c))))
            case let .constantBinary(c, op):
                guard let x = stack.popLast() else { return nil }
                stack.append(.node(Self.binary(op, .constant(c), x)))
            case .clamp:
                guard let hi = stack.popLast()?.node, let lo = stack.popLast()?.node, let x = stack.popLast()?.node else { return nil }
                stack.append(.node { s throws(Failure) in
                    let (v, l, h) = (try x(s), try lo(s), try hi(s))
                    guard let r = try? Semantics.clamp(v, l, h) else { throw Failure() }
                    return r
                })
            default:
                return nil
            }
        }
        guard stack.count == 1, let last = stack.last else { return nil }
        root = last.node
    }

    /// Whether `code` is a program this evaluator takes: not empty, at most ``maximumLength``
    /// instructions, none of them a jump, a `let` binding's, a reduction, a dot product or a grid function.
    static func covers(_ code: [Instruction]) -> Bool {
        guard !code.isEmpty, code.count <= maximumLength else { return false }
        return code.allSatisfy { instruction in
            switch instruction {
            case .constant, .scalar, .coordinate, .element, .unary, .binary, .binaryConstant, .constantBinary, .clamp: return true
            case .reduce, .jump, .jumpIfZero, .jumpIfNonZero, .grid, .dot, .recall, .remember: return false
            }
        }
    }

    /// The rows `rows` written into `results` as the VM's batch writes them: `scalars` (the
    /// environment's) with slot `first` set to `row / actions` and `second` to `row % actions`;
    /// `false` at the first row that fails or is not finite.
    func rowValues(scalars environmentScalars: [Double], rows: Range<Int>, actions: Int, setting first: Int, _ second: Int,
                   into results: UnsafeMutableBufferPointer<Double>) -> Bool {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: environmentScalars.count) { buffer -> Bool in
            _ = buffer.initialize(fromContentsOf: environmentScalars)
            guard let s = buffer.baseAddress, first < buffer.count, second < buffer.count else { return false }
            var out = 0
            for row in rows {
                s[first] = Double(row / actions)
                s[second] = Double(row % actions)
                guard let value = try? root(UnsafePointer(s)), value.isFinite else { return false }
                results[out] = value
                out += 1
            }
            return true
        }
    }

    /// The VM's `offset` for one index: a whole number in `0..<n` as it is, else its rounding,
    /// which must be in range.
    @inline(__always)
    static func index(_ value: Double, _ n: Int) throws(Failure) -> Int {
        if value >= 0, value < Double(n) {
            let whole = Int(value)
            if Double(whole) == value { return whole }
        }
        let r = value.rounded()
        guard r >= 0, r < Double(n) else { throw Failure() }
        return Int(r)
    }

    /// An element of `data` (laid out as `layout`) selected by `indices`, outermost first.
    private static func element(_ data: [Double], layout: ArrayLayout, indices: [Operand]) -> Node {
        let shape = layout.shape, strides = layout.strides
        switch indices.count {
        case 1:
            let n = shape[0], stride = strides[0]
            if case let .scalar(i) = indices[0] {
                return { s throws(Failure) in data[try index(s[i], n) &* stride] }
            }
            let i = indices[0].node
            return { s throws(Failure) in data[try index(i(s), n) &* stride] }
        case 2:
            let (n0, n1, st0, st1) = (shape[0], shape[1], strides[0], strides[1])
            if case let .scalar(i) = indices[0], case let .scalar(j) = indices[1] {
                return { s throws(Failure) in data[(try index(s[i], n0) &* st0) &+ (try index(s[j], n1) &* st1)] }
            }
            let (i, j) = (indices[0].node, indices[1].node)
            return { s throws(Failure) in
                let first = try index(i(s), n0) &* st0
                return data[first &+ (try index(j(s), n1) &* st1)]
            }
        default:
            let nodes = indices.map(\.node)
            return { s throws(Failure) in
                var offset = 0
                for d in nodes.indices { offset = offset &+ (try index(nodes[d](s), shape[d])) &* strides[d] }
                return data[offset]
            }
        }
    }

    private static func unary(_ op: UnaryOperation, _ x: @escaping Node) -> Node {
        switch op {
        case .negate: return { s throws(Failure) in -(try x(s)) }
        default:
            return { s throws(Failure) in
                let v = try x(s)
                guard let r = try? Semantics.apply(op, v) else { throw Failure() }
                return r
            }
        }
    }

    /// `x op y`, with `x` evaluated first as in the VM; the common operations on a scalar or a
    /// constant without the operand's closure.
    private static func binary(_ op: BinaryOperation, _ x: Operand, _ y: Operand) -> Node {
        switch (op, x, y) {
        case let (.add, .node(l), .node(r)): return { s throws(Failure) in try l(s) + r(s) }
        case let (.subtract, .node(l), .node(r)): return { s throws(Failure) in try l(s) - r(s) }
        case let (.multiply, .node(l), .node(r)): return { s throws(Failure) in try l(s) * r(s) }
        case let (.add, .node(l), .constant(c)): return { s throws(Failure) in try l(s) + c }
        case let (.subtract, .node(l), .constant(c)): return { s throws(Failure) in try l(s) - c }
        case let (.multiply, .node(l), .constant(c)): return { s throws(Failure) in try l(s) * c }
        case let (.add, .constant(c), .node(r)): return { s throws(Failure) in try c + r(s) }
        case let (.subtract, .constant(c), .node(r)): return { s throws(Failure) in try c - r(s) }
        case let (.multiply, .constant(c), .node(r)): return { s throws(Failure) in try c * r(s) }
        case let (.add, .scalar(i), .scalar(j)): return { s throws(Failure) in s[i] + s[j] }
        case let (.subtract, .scalar(i), .scalar(j)): return { s throws(Failure) in s[i] - s[j] }
        case let (.multiply, .scalar(i), .scalar(j)): return { s throws(Failure) in s[i] * s[j] }
        default:
            let (l, r) = (x.node, y.node)
            return { s throws(Failure) in
                let (u, v) = (try l(s), try r(s))
                guard let w = try? Semantics.apply(op, u, v) else { throw Failure() }
                return w
            }
        }
    }
}
