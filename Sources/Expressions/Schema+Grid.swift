/// A named sub-expression of a schema (a game file's `let`), kept as its syntax tree
/// and inlined wherever an expression uses its name, so a field that uses a binding
/// compiles to exactly the program of the same field written out by hand.
struct Binding: Sendable {
    let name: String
    let text: SourceText
    let syntax: Syntax
    /// The variables the binding reads, directly or through earlier bindings, in declaration order.
    let needs: [String]
    /// The depth and node count of its syntax tree with every binding it uses expanded.
    let expandedDepth: Int
    let expandedSize: Int
}

extension Schema {
    /// The largest syntax tree (in nodes, and in depth) an expression may have once its
    /// `let` bindings are expanded: chains of bindings that use earlier ones twice would
    /// otherwise grow exponentially, and deep trees would exhaust the stack.
    public static let expansionLimit = (nodes: 100_000, depth: 2 * Parser.nestingLimit)

    /// Declares a grid of shape `[W, H]` or `[W, H, D]` (each `≥ 1`): this enables the
    /// functions `cell(x, y[, z])` (the index `x + W·y (+ W·H·z)`, an evaluation error
    /// outside the grid) and `inside(x, y[, z])` (1 or 0), and lets
    /// ``declareCoordinates(_:of:)`` name the coordinates of an index variable.
    /// - Throws: `invalidShape` for a shape of another rank, a dimension below 1, or more
    ///   than 2⁵² cells; `duplicateName` if a grid is already declared.
    public mutating func declareGrid(_ shape: [Int]) throws(ExpressionError) {
        guard grid == nil else { throw ExpressionError(.duplicateName("grid")) }
        guard shape.count == 2 || shape.count == 3, shape.allSatisfy({ $0 >= 1 }),
              ArrayValue.product(shape) <= 1 << 52
        else { throw ExpressionError(.invalidShape(shape: shape, elementCount: 0)) }
        setGrid(shape)
    }

    /// Declares `names[k]` as coordinate `k` of the grid cell whose index is the scalar
    /// variable `base`: for `s = x + W·y + W·H·z`, `["x", "y", "z"]` of `s`. A coordinate
    /// is available exactly where its base variable is (in every view of the schema).
    /// - Throws: `notBindable` without a grid or with more names than the grid has
    ///   dimensions; `invalidName` or `duplicateName`.
    public mutating func declareCoordinates(_ names: [String], of base: ScalarSlot) throws(ExpressionError) {
        guard let grid, names.count <= grid.count, base.index >= 0, base.index < scalarNames.count else {
            throw ExpressionError(.notBindable(name: names.first ?? "", reason: "coordinates need a grid of as many dimensions and a scalar variable"))
        }
        for (axis, name) in names.enumerated() { try addEntry(name, .coordinate(slot: base.index, axis: axis)) }
    }

    /// Declares the binding `name = source`, which may use every name declared so far
    /// (variables, constants and earlier bindings). Expressions compiled against this
    /// schema or a view of it may use `name` where the view shows every variable the
    /// binding needs (``Declaration/binding(needs:)``); elsewhere compiling fails with
    /// ``ExpressionError/Kind/bindingNeedsUnavailable(binding:variable:available:)``.
    ///
    /// - Throws: any error of compiling `source` (an unknown name, including a later
    ///   binding's), `invalidName`, `duplicateName`, or `expansionTooLarge`.
    public mutating func declareBinding(_ name: String, source: String) throws(ExpressionError) {
        guard Self.isValidName(name) else { throw ExpressionError(.invalidName(name)) }
        guard entries[name] == nil else { throw ExpressionError(.duplicateName(name)) }
        let text = SourceText(source)
        let syntax = try Parser.parse(text)
        let compiled = try CompiledExpression(source, schema: self)
        var needed = Set<String>()
        for used in compiled.names {
            switch entries[used] {
            case let .binding(i)?: needed.formUnion(bindings[i].needs)
            default: if isVariable(used) { needed.insert(used) }
            }
        }
        let (depth, size) = expandedExtent(syntax)
        guard depth <= Self.expansionLimit.depth, size <= Self.expansionLimit.nodes else {
            throw ExpressionError(.expansionTooLarge(nodes: size, depth: depth))
        }
        let needs = order.filter { needed.contains($0) }
        bindings.append(Binding(name: name, text: text, syntax: syntax, needs: needs, expandedDepth: depth, expandedSize: size))
        try addEntry(name, .binding(bindings.count - 1))
    }

    /// The names of the `let` bindings, in declaration order.
    public var bindingNames: [String] { bindings.map(\.name) }

    /// The depth and node count of `syntax` with every binding it names expanded.
    func expandedExtent(_ syntax: Syntax) -> (depth: Int, size: Int) {
        func children(_ kind: Syntax.Kind) -> [Syntax] {
            switch kind {
            case .number, .name: return []
            case let .call(_, _, arguments): return arguments
            case let .index(base, indices): return [base] + indices
            case let .negate(x), let .not(x): return [x]
            case let .arithmetic(first, rest): return [first] + rest.map(\.1)
            case let .power(xs), let .logical(_, xs): return xs
            case let .comparison(_, x, y): return [x, y]
            }
        }
        if case let .name(n) = syntax.kind, case let .binding(i)? = entries[n] {
            return (bindings[i].expandedDepth, bindings[i].expandedSize)
        }
        var depth = 0, size = 1
        for child in children(syntax.kind) {
            let (d, s) = expandedExtent(child)
            depth = Swift.max(depth, d)
            size = size &+ s
            if size > Self.expansionLimit.nodes { break }
        }
        return (depth + 1, size)
    }
}
