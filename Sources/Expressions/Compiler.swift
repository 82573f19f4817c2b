/// The resolved, type-checked form of an expression: every name is a slot or
/// a constant, every node is a number, and constant sub-trees are folded.
///
/// Like ``Syntax``, chains are flat, so the depth of a tree is bounded by the
/// parser's nesting limit.
indirect enum Node: Sendable {
    case constant(Double)
    case scalar(slot: Int, site: Int)
    /// A fully indexed array element.
    case element(array: Int, indices: [Node], site: Int)
    /// A reduction over the block selected by a prefix of the indices.
    case reduce(ReduceOperation, array: Int, indices: [Node], site: Int)
    case unary(UnaryOperation, Node, site: Int)
    /// Left-associative: `((first op₁ x₁) op₂ x₂) …`.
    case chain(Node, [Link])
    /// Right-associative powers `x₀ ^ (x₁ ^ (… ^ xₙ))`; `sites[i]` belongs to the
    /// power whose base is `xᵢ`.
    case power([Node], sites: [Int])
    case clamp(Node, Node, Node, site: Int)
    /// `if(c, x, y)`: only the chosen branch is evaluated.
    case conditional(Node, Node, Node)
    /// Short-circuit `and` / `or` of two or more operands, giving 1 or 0.
    case logical(isAnd: Bool, [Node])
    /// A grid coordinate of a scalar slot: `floor(v / divisor)` modulo `modulus`.
    case coordinate(slot: Int, divisor: Double, modulus: Double, site: Int)
    /// `cell(…)` (`isCell`) or `inside(…)` of as many coordinates as the grid has dimensions.
    case grid(isCell: Bool, [Node], site: Int)
    /// `dot(u, v)` of two equally shaped blocks.
    case dot(DotOperand, DotOperand, site: Int)
    /// The value of `let` binding `slot` (its index in the schema's bindings): `body`, the
    /// binding compiled in place, is evaluated at the first use only and remembered for
    /// the others (``CodeGenerator/emitMemo(_:_:depth:)``).
    case memo(slot: Int, Node)

    struct DotOperand: Sendable {
        var array: Int
        var indices: [Node]
    }

    struct Link: Sendable {
        var operation: BinaryOperation
        var operand: Node
        var site: Int
    }

    var constantValue: Double? {
        if case let .constant(v) = self { return v }
        return nil
    }
}

/// An array-valued reference: `mu`, `m[i]` (partly indexed) or `m[i][j]`.
struct ArrayReference {
    var array: Int
    var indices: [Node]
    var layout: ArrayLayout
    var remainingShape: [Int] { Array(layout.shape.dropFirst(indices.count)) }
}

/// A sub-expression that can fail at evaluation time: its range in `texts[text]` of the program.
struct Site: Sendable {
    var range: Range<Int>
    var text: Int
}

/// Resolves names against a schema, checks arities and shapes, and folds constants.
struct Compiler {
    let schema: Schema
    /// The text being compiled: the expression's, or an inlined binding's.
    var text: SourceText
    /// Index of ``text`` in ``texts``.
    var textIndex = 0
    /// The expression's text, then those of the bindings inlined into it (with their names).
    var texts: [(binding: String?, text: SourceText)]
    /// Sub-expressions that can fail at evaluation time.
    var sites: [Site] = []
    /// Every declared name the source mentions (bindings included, not their contents).
    var names: Set<String> = []

    init(schema: Schema, text: SourceText) {
        self.schema = schema
        self.text = text
        self.texts = [(nil, text)]
    }

    mutating func site(_ range: Range<Int>) -> Int {
        sites.append(Site(range: range, text: textIndex))
        return sites.count - 1
    }

    func error(_ kind: ExpressionError.Kind, at range: Range<Int>) -> ExpressionError {
        ExpressionError(kind, position: text.position(at: range.lowerBound))
    }

    // MARK: Scalars

    mutating func scalar(_ syntax: Syntax) throws(ExpressionError) -> Node {
        switch syntax.kind {
        case let .number(v):
            return .constant(v)

        case let .name(name):
            return try scalarName(name, syntax)

        case .index:
            return try scalarElement(syntax)

        case let .call(name, nameRange, arguments):
            return try call(name, nameRange: nameRange, arguments: arguments, range: syntax.range)

        case let .negate(operand):
            return Self.unary(.negate, try scalar(operand), site: site(syntax.range))

        case let .not(operand):
            return Self.unary(.not, try scalar(operand), site: site(syntax.range))

        case let .arithmetic(first, rest):
            return try arithmetic(first, rest)

        case let .power(operands):
            var nodes: [Node] = []
            var sites: [Int] = []
            let end = syntax.range.upperBound
            for (i, operand) in operands.enumerated() {
                nodes.append(try scalar(operand))
                if i < operands.count - 1 { sites.append(site(operand.range.lowerBound..<end)) }
            }
            return Self.power(nodes, sites: sites)

        case let .comparison(op, lhs, rhs):
            let operation = Self.operation(op)
            let l = try scalar(lhs)
            let r = try scalar(rhs)
            return Self.chain(l, [Node.Link(operation: operation, operand: r, site: site(syntax.range))])

        case let .logical(isAnd, operands):
            var nodes: [Node] = []
            for operand in operands { nodes.append(try scalar(operand)) }
            return Self.logical(isAnd: isAnd, nodes, site: site(syntax.range))
        }
    }

    /// A name used as a number: a scalar slot or a constant (an array is an error).
    private mutating func scalarName(_ name: String, _ syntax: Syntax) throws(ExpressionError) -> Node {
        switch try resolve(name, at: syntax.range) {
        case let .scalar(slot): return .scalar(slot: slot, site: site(syntax.range))
        case let .constant(v): return .constant(v)
        case let .array(i):
            throw error(.arrayWhereNumberExpected(name, shape: schema.arrays[i].shape), at: syntax.range)
        case let .coordinate(slot, axis):
            let shape = schema.grid ?? []
            let divisor = shape.prefix(axis).reduce(1, *)
            let modulus = axis < shape.count ? shape[axis] : 1
            return .coordinate(slot: slot, divisor: Double(divisor), modulus: Double(modulus), site: site(syntax.range))
        case let .binding(i):
            return Self.memo(i, try inline(schema.bindings[i], at: syntax.range))
        }
    }

    /// The binding's syntax tree compiled in place (so the program is the one the same
    /// expression written out would give), after checking that this view shows every
    /// variable it needs. Sites inside it refer to the binding's own text.
    private mutating func inline(_ binding: Binding, at range: Range<Int>) throws(ExpressionError) -> Node {
        if let missing = binding.needs.first(where: { schema.isHidden($0) }) {
            throw error(.bindingNeedsUnavailable(binding: binding.name, variable: missing, available: schema.variableNames),
                        at: range)
        }
        let saved = (text, textIndex, names)
        if let k = texts.firstIndex(where: { $0.binding == binding.name }) {
            textIndex = k
        } else {
            texts.append((binding.name, binding.text))
            textIndex = texts.count - 1
        }
        text = binding.text
        defer { (text, textIndex, names) = saved }
        do {
            return try scalar(binding.syntax)
        } catch {
            var located = error
            located.binding = located.binding ?? binding.name
            throw located
        }
    }

    /// An index expression used as a number: it must select one element.
    private mutating func scalarElement(_ syntax: Syntax) throws(ExpressionError) -> Node {
        guard let ref = try arrayReference(syntax) else {
            // Unreachable: an index expression is always an array reference or an error.
            throw error(.indexingNumber(text.excerpt(syntax.range)), at: syntax.range)
        }
        let remaining = ref.remainingShape
        guard remaining.isEmpty else {
            throw error(.arrayWhereNumberExpected(text.excerpt(syntax.range), shape: remaining), at: syntax.range)
        }
        return Self.element(ref, site: site(syntax.range))
    }

    /// `first op₁ x₁ op₂ x₂ …`, left to right; each link's site spans from `first` to its operand.
    private mutating func arithmetic(_ first: Syntax, _ rest: [(ArithmeticOperator, Syntax)]) throws(ExpressionError) -> Node {
        let start = first.range.lowerBound
        var links: [Node.Link] = []
        links.reserveCapacity(rest.count)
        let head = try scalar(first)
        for (op, operand) in rest {
            let operation: BinaryOperation
            switch op {
            case .add: operation = .add
            case .subtract: operation = .subtract
            case .multiply: operation = .multiply
            case .divide: operation = .divide
            case .remainder: operation = .remainder
            }
            links.append(Node.Link(operation: operation, operand: try scalar(operand),
                                   site: site(start..<operand.range.upperBound)))
        }
        return Self.chain(head, links)
    }

    /// The VM operation of a comparison.
    private static func operation(_ op: ComparisonOperator) -> BinaryOperation {
        switch op {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessEqual: .lessEqual
        case .greater: .greater
        case .greaterEqual: .greaterEqual
        }
    }

    /// Looks up a name, producing the helpful errors for unknown and hidden names.
    mutating func resolve(_ name: String, at range: Range<Int>) throws(ExpressionError) -> Schema.Entry {
        if let entry = schema.entry(name) {
            names.insert(name)
            return entry
        }
        if schema.isHidden(name) {
            throw error(.unavailableName(name, available: schema.names), at: range)
        }
        if Builtin(rawValue: name) != nil {
            throw error(.functionWithoutCall(name), at: range)
        }
        let available = schema.names
        throw error(.unknownName(name, suggestion: Self.suggestion(for: name, among: available),
                                 available: available), at: range)
    }

    // MARK: Arrays

    /// The array an expression denotes, or `nil` if it denotes a number.
    /// Errors in the parts (unknown names, too many indices) are thrown.
    mutating func arrayReference(_ syntax: Syntax) throws(ExpressionError) -> ArrayReference? {
        switch syntax.kind {
        case let .name(name):
            guard case let .array(i)? = schema.entry(name) else { return nil }
            names.insert(name)
            return ArrayReference(array: i, indices: [], layout: schema.arrays[i])
        case let .index(base, indices):
            guard var ref = try arrayReference(base) else {
                _ = try scalar(base)  // report unknown names etc. first
                throw error(.indexingNumber(text.excerpt(base.range)), at: base.range)
            }
            let rank = ref.layout.shape.count
            if ref.indices.count + indices.count > rank {
                throw error(.tooManyIndices(array: ref.layout.name, dimensions: rank,
                                            found: ref.indices.count + indices.count), at: syntax.range)
            }
            for index in indices { ref.indices.append(try scalar(index)) }
            return ref
        default:
            return nil
        }
    }

    /// The array argument of `sum`, `min` or `max`.
    mutating func arrayArgument(_ syntax: Syntax, of function: String) throws(ExpressionError) -> ArrayReference {
        if let ref = try arrayReference(syntax) {
            if !ref.remainingShape.isEmpty { return ref }
        } else {
            _ = try scalar(syntax)  // report errors inside the argument first
        }
        throw error(.numberWhereArrayExpected(function: function), at: syntax.range)
    }

    // MARK: Calls

    mutating func call(_ name: String, nameRange: Range<Int>, arguments: [Syntax],
                       range: Range<Int>) throws(ExpressionError) -> Node {
        guard let builtin = Builtin(rawValue: name) else {
            throw error(.unknownFunction(name, suggestion: Self.suggestion(for: name, among: Builtin.allNames)),
                        at: nameRange)
        }
        guard builtin.accepts(arguments.count) else {
            throw error(.wrongArgumentCount(function: name, expected: builtin.arityDescription,
                                            found: arguments.count), at: range)
        }
        let unary: UnaryOperation
        switch builtin {
        case .abs: unary = .abs
        case .exp: unary = .exp
        case .log: unary = .log
        case .sqrt: unary = .sqrt
        case .floor: unary = .floor
        case .ceil: unary = .ceil
        case .mod, .pow:
            let x = try scalar(arguments[0])
            let y = try scalar(arguments[1])
            return Self.chain(x, [Node.Link(operation: builtin == .mod ? .remainder : .power,
                                            operand: y, site: site(range))])
        case .if:
            let c = try scalar(arguments[0])
            let x = try scalar(arguments[1])
            let y = try scalar(arguments[2])
            if let value = c.constantValue { return value != 0 ? x : y }
            return .conditional(c, x, y)
        case .clamp:
            let x = try scalar(arguments[0])
            let lo = try scalar(arguments[1])
            let hi = try scalar(arguments[2])
            if let a = x.constantValue, let b = lo.constantValue, let c = hi.constantValue,
               let v = try? Semantics.clamp(a, b, c) {
                return .constant(v)
            }
            return .clamp(x, lo, hi, site: site(range))
        case .sum:
            let ref = try arrayArgument(arguments[0], of: name)
            return Self.reduce(.sum, ref, site: site(range))
        case .cell, .inside:
            return try gridCall(builtin, arguments: arguments, range: range)
        case .dot:
            return try dot(arguments, range: range)
        case .min, .max:
            return try extremumCall(builtin, name, arguments: arguments, range: range)
        }
        return Self.unary(unary, try scalar(arguments[0]), site: site(range))
    }

    /// `min(a)`/`max(a)` of one array (not empty), or `min(x, y, …)`/`max(x, y, …)` of scalars.
    private mutating func extremumCall(_ builtin: Builtin, _ name: String, arguments: [Syntax],
                                       range: Range<Int>) throws(ExpressionError) -> Node {
        if arguments.count == 1 {
            let ref = try arrayArgument(arguments[0], of: name)
            if ref.remainingShape.contains(0) {
                throw error(.emptyArray(function: name, array: text.excerpt(arguments[0].range)), at: range)
            }
            return Self.reduce(builtin == .min ? .minimum : .maximum, ref, site: site(range))
        }
        let head = try scalar(arguments[0])
        var links: [Node.Link] = []
        for argument in arguments.dropFirst() {
            links.append(Node.Link(operation: builtin == .min ? .minimum : .maximum,
                                   operand: try scalar(argument), site: site(range)))
        }
        return Self.chain(head, links)
    }

    /// `cell(x, y[, z])` or `inside(x, y[, z])`: as many coordinates as the grid has dimensions.
    private mutating func gridCall(_ builtin: Builtin, arguments: [Syntax], range: Range<Int>) throws(ExpressionError) -> Node {
        guard let shape = schema.grid else { throw error(.gridFunctionWithoutGrid(builtin.rawValue), at: range) }
        guard arguments.count == shape.count else {
            throw error(.wrongArgumentCount(function: builtin.rawValue, expected: "\(shape.count) (the grid's dimensions)",
                                            found: arguments.count), at: range)
        }
        var nodes: [Node] = []
        for argument in arguments { nodes.append(try scalar(argument)) }
        let constants = nodes.compactMap(\.constantValue)
        if constants.count == nodes.count, let v = Semantics.cell(constants, shape: shape.map(Double.init)) {
            return .constant(v)
        } else if constants.count == nodes.count, builtin == .inside {
            return .constant(0)
        }
        return .grid(isCell: builtin == .cell, nodes, site: site(range))
    }

    /// `dot(u, v)`: two array blocks of the same shape (checked here, where shapes are known).
    private mutating func dot(_ arguments: [Syntax], range: Range<Int>) throws(ExpressionError) -> Node {
        var operands: [ArrayReference] = []
        for argument in arguments {
            if let ref = try arrayReference(argument), !ref.remainingShape.isEmpty {
                operands.append(ref)
            } else {
                _ = try scalar(argument)
                operands.append(ArrayReference(array: -1, indices: [], layout: ArrayLayout(name: "", shape: [], constant: nil)))
            }
        }
        let (u, v) = (operands[0], operands[1])
        guard u.array >= 0, v.array >= 0, u.remainingShape == v.remainingShape else {
            throw error(.dotShapeMismatch(first: u.array >= 0 ? u.remainingShape : [],
                                          second: v.array >= 0 ? v.remainingShape : []), at: range)
        }
        if let a = u.layout.constant, let b = v.layout.constant, let i = Self.constantOffset(u), let j = Self.constantOffset(v) {
            let size = ArrayValue.product(u.remainingShape)
            if i + size <= a.count, j + size <= b.count {
                let value = Semantics.dot(a[i..<(i + size)], b[j..<(j + size)])
                if value.isFinite { return .constant(value) }
            }
        }
        return .dot(Node.DotOperand(array: u.array, indices: u.indices), Node.DotOperand(array: v.array, indices: v.indices),
                    site: site(range))
    }

    // MARK: Folding constructors

    /// Binding `slot`'s compiled body, remembered after its first evaluation; a body that
    /// costs one instruction (a constant, a variable, a coordinate) or is itself a
    /// remembered binding (`b: "a"`) is used as it is.
    static func memo(_ slot: Int, _ body: Node) -> Node {
        switch body {
        case .constant, .scalar, .coordinate, .memo: return body
        default: return .memo(slot: slot, body)
        }
    }

    static func unary(_ op: UnaryOperation, _ x: Node, site: Int) -> Node {
        if let a = x.constantValue, let v = try? Semantics.apply(op, a), v.isFinite { return .constant(v) }
        return .unary(op, x, site: site)
    }

    /// Folds the constant prefix of a left-associative chain.
    static func chain(_ head: Node, _ links: [Node.Link]) -> Node {
        var head = head
        var rest: [Node.Link] = []
        for link in links {
            if rest.isEmpty, let a = head.constantValue, let b = link.operand.constantValue,
               let v = try? Semantics.apply(link.operation, a, b), v.isFinite {
                head = .constant(v)
            } else {
                rest.append(link)
            }
        }
        return rest.isEmpty ? head : .chain(head, rest)
    }

    /// Folds the constant suffix of a right-associative power chain.
    static func power(_ operands: [Node], sites: [Int]) -> Node {
        var operands = operands
        var sites = sites
        while operands.count >= 2,
              let b = operands[operands.count - 1].constantValue,
              let a = operands[operands.count - 2].constantValue,
              let v = try? Semantics.power(a, b), v.isFinite {
            operands.removeLast(2)
            operands.append(.constant(v))
            sites.removeLast()
        }
        if operands.count == 1 { return operands[0] }
        return .power(operands, sites: sites)
    }

    /// Folds leading constant operands of `and` / `or` (later ones must wait:
    /// evaluating an earlier operand may fail).
    static func logical(isAnd: Bool, _ operands: [Node], site: Int) -> Node {
        var rest = operands[...]
        while let first = rest.first, let v = first.constantValue {
            if isAnd, v == 0 { return .constant(0) }
            if !isAnd, v != 0 { return .constant(1) }
            rest = rest.dropFirst()
        }
        switch rest.count {
        case 0: return .constant(isAnd ? 1 : 0)
        case 1: return unary(.truth, rest[rest.startIndex], site: site)
        default: return .logical(isAnd: isAnd, Array(rest))
        }
    }

    /// The row-major offset of constant indices, or `nil` if any is not a constant in range.
    static func constantOffset(_ ref: ArrayReference) -> Int? {
        var offset = 0
        for (d, index) in ref.indices.enumerated() {
            guard let v = index.constantValue else { return nil }
            let r = v.rounded()
            guard r >= 0, r < Double(ref.layout.shape[d]) else { return nil }
            offset += Int(r) * ref.layout.strides[d]
        }
        return offset
    }

    static func element(_ ref: ArrayReference, site: Int) -> Node {
        if let values = ref.layout.constant, let offset = constantOffset(ref), offset < values.count {
            return .constant(values[offset])
        }
        return .element(array: ref.array, indices: ref.indices, site: site)
    }

    static func reduce(_ op: ReduceOperation, _ ref: ArrayReference, site: Int) -> Node {
        if let values = ref.layout.constant, let offset = constantOffset(ref) {
            let size = ref.indices.isEmpty ? ref.layout.count : ref.layout.strides[ref.indices.count - 1]
            if offset + size <= values.count {
                let v = Semantics.reduce(op, values[offset..<(offset + size)])
                if v.isFinite { return .constant(v) }
            }
        }
        return .reduce(op, array: ref.array, indices: ref.indices, site: site)
    }

    // MARK: Suggestions

    /// The closest candidate within a small edit distance, for "did you mean" hints.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        let target = Array(name.lowercased().unicodeScalars)
        let threshold = max(1, min(2, target.count / 3))
        var best: (String, Int)?
        for candidate in candidates {
            let c = Array(candidate.lowercased().unicodeScalars)
            guard Swift.abs(c.count - target.count) <= threshold else { continue }
            let d = editDistance(target, c)
            if d <= threshold, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1,
                                       previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
