/// An identity for the slot layout of a schema: environments and programs agree
/// on slot numbers exactly when they share one.
final class LayoutToken: Sendable {}

/// A scalar variable's slot in an ``Environment`` (for example `s`, `a`, `t`).
public struct ScalarSlot: Hashable, Sendable {
    /// The slot number, in declaration order among the scalar variables.
    public let index: Int
}

/// An array variable's slot in an ``Environment`` (for example `mu`).
public struct ArraySlot: Hashable, Sendable {
    /// The slot number, in declaration order among all arrays (variable and constant).
    public let index: Int
}

/// How an array is laid out: its name, shape and row-major strides.
struct ArrayLayout: Sendable {
    let name: String
    let shape: [Int]
    /// `strides[d]` is the distance between consecutive indices of dimension `d`.
    let strides: [Int]
    let count: Int
    /// The elements, for a constant array.
    let constant: [Double]?

    init(name: String, shape: [Int], constant: [Double]?) {
        self.name = name
        self.shape = shape
        var strides = Array(repeating: 1, count: shape.count)
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = step
            let (r, overflow) = step.multipliedReportingOverflow(by: shape[d])
            step = overflow ? Int.max : r
        }
        self.strides = strides
        self.count = step
        self.constant = constant
    }
}

/// The names an expression may use and what each one is.
///
/// A caller (the game-file loader, the CLI) declares every name once:
/// scalar variables (`s`, `a`, `t`), array variables with their shape (`mu`),
/// and constants (`states`, numeric parameters, state and action names standing
/// for their index, array parameters). Expressions are compiled against a
/// schema, which resolves every name to a slot or a value, so evaluation never
/// looks a name up.
///
/// Per-field rules ("`radius` may use `s`, `a`, `mu` but not `t`") are a view
/// of the same schema: ``restricted(toVariables:)`` and ``hiding(_:)`` keep the
/// slot layout, so one ``Environment`` serves all expressions compiled against
/// any such view, and a hidden name gets the message
/// "`t` is not available here (available: …)".
///
/// ```swift
/// var schema = Schema()
/// let s = try schema.declareScalar("s")
/// let mu = try schema.declareArray("mu", shape: [21])
/// try schema.declareConstant("states", value: 21)
/// let reward = try CompiledExpression("-log(mu[s])", schema: schema.restricted(toVariables: ["s", "mu"]))
/// ```
public struct Schema: Sendable {
    /// What a declared name stands for.
    public enum Declaration: Sendable, Equatable {
        /// A scalar variable, set per evaluation.
        case scalar(ScalarSlot)
        /// An array variable of the given shape, bound per evaluation.
        case array(ArraySlot, shape: [Int])
        /// A fixed number.
        case constant(Double)
        /// A fixed array.
        case constantArray(ArraySlot, ArrayValue)
        /// A grid coordinate of a scalar variable (``declareCoordinates(_:of:)``): `axis` 0, 1, 2 for `x y z`.
        case coordinate(of: ScalarSlot, axis: Int)
        /// A `let` binding (``declareBinding(_:source:)``) and the variables it needs.
        case binding(needs: [String])
    }

    enum Entry: Sendable {
        case scalar(Int)
        case array(Int)
        case constant(Double)
        /// Axis `axis` of the grid coordinates of scalar slot `slot`.
        case coordinate(slot: Int, axis: Int)
        /// `bindings[i]`.
        case binding(Int)
    }

    private(set) var entries: [String: Entry] = [:]
    /// Declaration order, for messages.
    private(set) var order: [String] = []
    private(set) var hidden: Set<String> = []
    private(set) var scalarNames: [String] = []
    private(set) var arrays: [ArrayLayout] = []
    private(set) var layout = LayoutToken()
    /// The grid's shape `[W, H]` or `[W, H, D]` (``declareGrid(_:)``), else `nil`.
    public private(set) var grid: [Int]?
    /// The `let` bindings, in declaration order.
    var bindings: [Binding] = []

    /// An empty schema.
    public init() {}

    /// The names of the built-in functions (`abs exp log sqrt floor ceil min max mod pow if clamp sum`).
    ///
    /// A schema may declare them (`exp` alone then means the variable, `exp(x)` the function);
    /// game files refuse them as state, action and parameter names so that a name never reads
    /// like a function.
    public static let functionNames: [String] = Builtin.allNames

    /// Whether `name` can be declared: ASCII letters, digits and `_`, not
    /// starting with a digit, and not a keyword (`and`, `or`, `not`).
    /// Function names may be declared; `exp` alone then means the variable and
    /// `exp(x)` the function.
    public static func isValidName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, Lexer.isIdentifierStart(first),
              scalars.allSatisfy(Lexer.isIdentifierContinue),
              Lexer.keywords[name] == nil
        else { return false }
        return true
    }

    /// Records a new name that adds no slot (a coordinate, a binding): environments made
    /// before stay compatible.
    mutating func addEntry(_ name: String, _ entry: Entry) throws(ExpressionError) {
        let token = layout
        try add(name, entry)
        layout = token
    }

    mutating func setGrid(_ shape: [Int]) {
        grid = shape
        layout = LayoutToken()
    }

    private mutating func add(_ name: String, _ entry: Entry) throws(ExpressionError) {
        guard Self.isValidName(name) else { throw ExpressionError(.invalidName(name)) }
        guard entries[name] == nil else { throw ExpressionError(.duplicateName(name)) }
        entries[name] = entry
        order.append(name)
        layout = LayoutToken()
    }

    /// Declares a scalar variable and returns its slot.
    /// - Throws: `invalidName` or `duplicateName`.
    @discardableResult
    public mutating func declareScalar(_ name: String) throws(ExpressionError) -> ScalarSlot {
        try add(name, .scalar(scalarNames.count))
        scalarNames.append(name)
        return ScalarSlot(index: scalarNames.count - 1)
    }

    /// Declares an array variable of a fixed shape (`[states]` for `mu`) and returns its slot.
    /// - Throws: `invalidName`, `duplicateName`, or `invalidShape` for an empty shape, a
    ///   negative dimension, or more elements than memory could hold.
    @discardableResult
    public mutating func declareArray(_ name: String, shape: [Int]) throws(ExpressionError) -> ArraySlot {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }), ArrayValue.product(shape) < Int.max else {
            throw ExpressionError(.invalidShape(shape: shape, elementCount: 0))
        }
        try add(name, .array(arrays.count))
        arrays.append(ArrayLayout(name: name, shape: shape, constant: nil))
        return ArraySlot(index: arrays.count - 1)
    }

    /// Declares a named constant, such as `states`, a numeric parameter, or a state
    /// name standing for its index. Constants are folded into expressions at compile time.
    /// - Throws: `invalidName`, `duplicateName`, or `nonFinite` for NaN or infinity.
    public mutating func declareConstant(_ name: String, value: Double) throws(ExpressionError) {
        guard value.isFinite else { throw ExpressionError(.nonFinite(value), excerpt: name) }
        try add(name, .constant(value))
    }

    /// Declares a constant array (a vector or matrix parameter).
    /// - Throws: `invalidName`, `duplicateName`, or `nonFinite` if an element is NaN or infinite.
    public mutating func declareConstant(_ name: String, array: ArrayValue) throws(ExpressionError) {
        if let bad = array.elements.first(where: { !$0.isFinite }) {
            throw ExpressionError(.nonFinite(bad), excerpt: name)
        }
        try add(name, .array(arrays.count))
        arrays.append(ArrayLayout(name: name, shape: array.shape, constant: array.elements))
    }

    /// What `name` stands for, or `nil` if it is undeclared or hidden in this view.
    public func declaration(of name: String) -> Declaration? {
        guard !hidden.contains(name), let entry = entries[name] else { return nil }
        switch entry {
        case let .scalar(i): return .scalar(ScalarSlot(index: i))
        case let .constant(v): return .constant(v)
        case let .coordinate(slot, axis): return .coordinate(of: ScalarSlot(index: slot), axis: axis)
        case let .binding(i): return .binding(needs: bindings[i].needs)
        case let .array(i):
            let layout = arrays[i]
            if let values = layout.constant,
               let value = try? ArrayValue(shape: layout.shape, elements: values) {
                return .constantArray(ArraySlot(index: i), value)
            }
            return .array(ArraySlot(index: i), shape: layout.shape)
        }
    }

    /// The names visible in this view: variables, then `let` bindings, then constants,
    /// each group in declaration order.
    public var names: [String] {
        let visible = order.filter { !hidden.contains($0) }
        let variables = visible.filter(isVariable)
        let bindings = visible.filter { if case .binding = entries[$0] { return true }; return false }
        let constants = visible.filter { if case .constant = entries[$0] { return true }; return isConstantArray($0) }
        return variables + bindings + constants
    }

    func isVariable(_ name: String) -> Bool {
        switch entries[name] {
        case .scalar?, .coordinate?: return true
        case let .array(i)?: return arrays[i].constant == nil
        default: return false
        }
    }

    private func isConstantArray(_ name: String) -> Bool {
        if case let .array(i)? = entries[name] { return arrays[i].constant != nil }
        return false
    }

    /// The names visible in this view that are variables (scalar, coordinate, array), in declaration order.
    public var variableNames: [String] { order.filter { !hidden.contains($0) && isVariable($0) } }

    /// A view of this schema in which the listed names are unavailable.
    /// The slot layout is unchanged, so environments remain compatible.
    public func hiding(_ names: some Sequence<String>) -> Schema {
        var copy = self
        for name in names where entries[name] != nil { copy.hidden.insert(name) }
        copy.hideOrphanedCoordinates()
        return copy
    }

    /// Hides every coordinate whose base variable is hidden: `x` is available exactly where `s` is.
    private mutating func hideOrphanedCoordinates() {
        for (name, entry) in entries {
            if case let .coordinate(slot, _) = entry, hidden.contains(scalarNames[slot]) { hidden.insert(name) }
        }
    }

    /// A view in which the only available *variables* are `allowed`; constants
    /// (parameters, names, counts) stay available. The slot layout is unchanged.
    ///
    /// For example `schema.restricted(toVariables: ["s", "a", "mu"])` for a reward.
    public func restricted(toVariables allowed: some Sequence<String>) -> Schema {
        let keep = Set(allowed)
        var copy = self
        for (name, entry) in entries where !keep.contains(name) {
            switch entry {
            case .scalar: copy.hidden.insert(name)
            case let .array(i) where arrays[i].constant == nil: copy.hidden.insert(name)
            default: break
            }
        }
        copy.hideOrphanedCoordinates()
        return copy
    }

    func isHidden(_ name: String) -> Bool { hidden.contains(name) && entries[name] != nil }
    func entry(_ name: String) -> Entry? { hidden.contains(name) ? nil : entries[name] }
}
