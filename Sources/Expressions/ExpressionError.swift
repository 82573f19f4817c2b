import NumberText

/// Everything that can go wrong with an expression: reading it, compiling it
/// against a ``Schema``, declaring names, binding values, or evaluating it.
///
/// Every failure is one of these; no input can crash the module. Errors that
/// concern a place in the source carry its ``position`` and, where useful, the
/// text of the offending sub-expression (``excerpt``). ``description`` renders
/// everything as one sentence, for example
/// `column 7: expected ')' but found end of input` or
/// "column 1: in `log(mu[s])`: logarithm of a non-positive number (0)".
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The phase in which an error arises.
    public enum Stage: Sendable, Hashable {
        /// The text is not a well-formed expression.
        case syntax
        /// The expression is well-formed but does not fit the schema (names, arities, shapes),
        /// or a declaration or binding is invalid.
        case compilation
        /// The expression failed while being evaluated with concrete values.
        case evaluation
    }

    /// What went wrong, with the values involved.
    public enum Kind: Sendable, Equatable {
        // MARK: Syntax
        /// A character that cannot start any token; `hint` suggests the intended spelling.
        case unexpectedCharacter(String, hint: String?)
        /// A number that is malformed (`1e`) or too large for a `Double` (`1e999`).
        case malformedNumber(String, reason: String)
        /// The parser found one token where it expected something else.
        case unexpectedToken(found: String, expected: String)
        /// `a < b < c`: comparisons cannot be chained.
        case chainedComparison
        /// Parentheses, calls, indices and prefix operators nest deeper than `limit`.
        case nestingTooDeep(limit: Int)

        // MARK: Declarations and bindings
        /// A declared name is not an identifier (letters, digits, `_`, not starting with a digit) or is a keyword.
        case invalidName(String)
        /// A name is declared twice in one schema.
        case duplicateName(String)
        /// An array's shape has a negative dimension, or does not match its number of elements.
        case invalidShape(shape: [Int], elementCount: Int)
        /// An array variable was bound to values of the wrong length.
        case bindingShapeMismatch(name: String, expected: Int, found: Int)
        /// A name used for binding is not a variable of the right kind in the schema.
        case notBindable(name: String, reason: String)
        /// A program was evaluated with an ``Environment`` made from an unrelated schema.
        case environmentMismatch

        // MARK: Compilation
        /// A name the schema does not know.
        case unknownName(String, suggestion: String?, available: [String])
        /// A name the schema knows, but hides for this expression (for example `t` in a reward).
        case unavailableName(String, available: [String])
        /// A call of a function that does not exist.
        case unknownFunction(String, suggestion: String?)
        /// A function name used without a call, like `exp + 1`.
        case functionWithoutCall(String)
        /// A call with the wrong number of arguments; `expected` is e.g. "1", "3", "2 or more".
        case wrongArgumentCount(function: String, expected: String, found: Int)
        /// Indexing something that is a number, like `s[0]` or `(mu[1])[0]`.
        case indexingNumber(String)
        /// More indices than the array has dimensions.
        case tooManyIndices(array: String, dimensions: Int, found: Int)
        /// An array (or a partly indexed one) where a number is needed, like `mu + 1`.
        case arrayWhereNumberExpected(String, shape: [Int])
        /// A number where `sum`, `min` or `max` needs an array.
        case numberWhereArrayExpected(function: String)
        /// `min` or `max` of an array with no elements.
        case emptyArray(function: String, array: String)
        /// A `let` binding used where a variable it needs is not available (for example a
        /// binding that reads `t`, used in a reward).
        case bindingNeedsUnavailable(binding: String, variable: String, available: [String])
        /// An expression whose syntax tree, with its `let` bindings expanded, exceeds
        /// ``Schema/expansionLimit``.
        case expansionTooLarge(nodes: Int, depth: Int)
        /// `cell` or `inside` in a schema without a grid (``Schema/declareGrid(_:)``).
        case gridFunctionWithoutGrid(String)
        /// `dot(u, v)` of arrays whose shapes differ (`shape` is `[]` for a number).
        case dotShapeMismatch(first: [Int], second: [Int])

        // MARK: Evaluation
        /// An index, after rounding to the nearest integer, outside `0..<count`.
        /// `position` is the 0-based position of the index among `dimensions` indices.
        case indexOutOfRange(array: String, position: Int, dimensions: Int, value: Double, count: Int)
        /// Division (`/`, `%`, `mod`, or `0 ^ negative`) by zero.
        case divisionByZero
        /// `log(x)` with `x <= 0`.
        case logarithmOfNonPositive(Double)
        /// `sqrt(x)` with `x < 0`.
        case squareRootOfNegative(Double)
        /// `x ^ y` or `pow(x, y)` with a negative base and a non-integer exponent.
        case powerOfNegative(base: Double, exponent: Double)
        /// `clamp(x, lo, hi)` with `lo > hi`.
        case invalidClampBounds(lower: Double, upper: Double)
        /// A value that is NaN or infinite.
        case nonFinite(Double)
        /// An array variable that was never bound in the ``Environment``.
        case unboundArray(String)
        /// `cell(x, y[, z])` of a point outside the grid (coordinates as given, before rounding).
        case outsideGrid(coordinates: [Double], shape: [Int])
    }

    /// What went wrong.
    public var kind: Kind
    /// Where in the source, if the error concerns a place in it.
    public var position: SourcePosition?
    /// The text of the sub-expression involved (for evaluation errors), shortened if long.
    public var excerpt: String?
    /// The `let` binding whose text ``position`` and ``excerpt`` refer to, when the failing
    /// sub-expression came from one.
    public var binding: String?

    /// Creates an error.
    public init(_ kind: Kind, position: SourcePosition? = nil, excerpt: String? = nil) {
        self.kind = kind
        self.position = position
        self.excerpt = excerpt
    }

    /// The phase the error belongs to.
    public var stage: Stage {
        switch kind {
        case .unexpectedCharacter, .malformedNumber, .unexpectedToken, .chainedComparison, .nestingTooDeep:
            return .syntax
        case .invalidName, .duplicateName, .invalidShape, .bindingShapeMismatch, .notBindable,
             .environmentMismatch, .unknownName, .unavailableName, .unknownFunction,
             .functionWithoutCall, .wrongArgumentCount, .indexingNumber, .tooManyIndices,
             .arrayWhereNumberExpected, .numberWhereArrayExpected, .emptyArray, .bindingNeedsUnavailable,
             .expansionTooLarge, .gridFunctionWithoutGrid, .dotShapeMismatch:
            return .compilation
        case .indexOutOfRange, .divisionByZero, .logarithmOfNonPositive, .squareRootOfNegative,
             .powerOfNegative, .invalidClampBounds, .nonFinite, .unboundArray, .outsideGrid:
            return .evaluation
        }
    }

    /// The message without position or excerpt, e.g. `expected ')' but found end of input`.
    public var message: String {
        switch kind {
        case let .unexpectedCharacter(c, hint): "unexpected character '\(c)'" + (hint.map { " (\($0))" } ?? "")
        case let .malformedNumber(text, reason): "malformed number `\(text)`: \(reason)"
        case let .unexpectedToken(found, expected): "expected \(expected) but found \(found)"
        case .chainedComparison: "comparisons cannot be chained; write `a < b and b < c` instead of `a < b < c`"
        case let .nestingTooDeep(limit):
            "expression is nested too deeply (more than \(limit) levels of parentheses, calls, indices or prefix operators)"
        case let .invalidName(name):
            "`\(name)` cannot be declared: a name is letters, digits and '_', does not start with a digit, and is not `and`, `or` or `not`"
        case let .duplicateName(name): "`\(name)` is declared twice"
        case let .invalidShape(shape, count): "an array of shape \(shape) cannot hold \(count) elements"
        case let .bindingShapeMismatch(name, expected, found): "`\(name)` needs \(expected) values but was given \(found)"
        case let .notBindable(name, reason): "cannot set `\(name)`: \(reason)"
        case .environmentMismatch: "the environment was made from a different schema than the expression was compiled against"
        case let .unknownName(name, suggestion, available):
            "unknown name `\(name)` (\(Self.didYouMean(suggestion))available: \(Self.list(available)))"
        case let .unavailableName(name, available): "`\(name)` is not available here (available: \(Self.list(available)))"
        case let .unknownFunction(name, suggestion):
            "unknown function `\(name)` (\(Self.didYouMean(suggestion))functions: \(Builtin.allNames.joined(separator: ", ")))"
        case let .functionWithoutCall(name): "`\(name)` is a function; call it with arguments, like `\(name)(x)`"
        case let .wrongArgumentCount(function, expected, found):
            "`\(function)` takes \(expected) \(expected == "1" ? "argument" : "arguments") but was given \(found)"
        case let .indexingNumber(text): "`\(text)` is a number and cannot be indexed"
        case let .tooManyIndices(array, dimensions, found):
            "`\(array)` has \(dimensions) \(dimensions == 1 ? "dimension" : "dimensions") but is given \(found) indices"
        case let .arrayWhereNumberExpected(text, shape): Self.arrayWhereNumberExpected(text, shape: shape)
        case let .numberWhereArrayExpected(function):
            function == "sum" ? "`sum` takes one array (like `sum(mu)` or `sum(m[i])`), not a number"
                : "`\(function)` takes two or more numbers, or one array"
        case let .emptyArray(function, array): "`\(function)` of `\(array)`, which has no elements"
        case let .bindingNeedsUnavailable(binding, variable, available):
            "uses let `\(binding)`, which needs `\(variable)`, not available here (variables available: \(Self.list(available)))"
        case let .expansionTooLarge(nodes, depth):
            "the expression is too large once its let bindings are expanded (\(nodes) nodes, depth \(depth); at most \(Schema.expansionLimit.nodes) nodes and depth \(Schema.expansionLimit.depth))"
        case let .gridFunctionWithoutGrid(name):
            "`\(name)` needs grid states (states: {grid: [W, H]} or [W, H, D])"
        case let .dotShapeMismatch(first, second):
            "`dot` takes two arrays of the same shape, found \(Self.shape(first)) and \(Self.shape(second))"
        case let .indexOutOfRange(array, position, dimensions, value, count):
            Self.indexOutOfRange(array, position: position, dimensions: dimensions, value: value, count: count)
        case .divisionByZero: "division by zero"
        case let .logarithmOfNonPositive(x): "logarithm of a non-positive number (\(Self.render(x)))"
        case let .squareRootOfNegative(x): "square root of a negative number (\(Self.render(x)))"
        case let .powerOfNegative(base, exponent):
            "negative base \(Self.render(base)) raised to the non-integer power \(Self.render(exponent))"
        case let .invalidClampBounds(lower, upper):
            "clamp bounds are reversed (lower \(Self.render(lower)) > upper \(Self.render(upper)))"
        case let .nonFinite(x): "the value is not finite (\(Self.render(x)))"
        case let .unboundArray(name): "`\(name)` has not been bound to values"
        case let .outsideGrid(coordinates, shape):
            "cell (\(coordinates.map(Self.render).joined(separator: ", "))) is outside the \(shape.map(String.init).joined(separator: "×")) grid (\(Self.gridRanges(shape)))"
        }
    }

    /// `did you mean `x`? ` for a suggestion, or nothing.
    static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "did you mean `\($0)`? " } ?? ""
    }

    static func arrayWhereNumberExpected(_ text: String, shape: [Int]) -> String {
        let what = shape.count == 1 ? "a vector of \(shape[0]) numbers" : "an array of shape \(shape)"
        let more = shape.count == 1 ? "an index" : "\(shape.count) more indices"
        return "`\(text)` is \(what) where a number is needed; it needs \(more), like `\(text)\(String(repeating: "[i]", count: shape.count))`, or use it in sum/min/max"
    }

    static func indexOutOfRange(_ array: String, position: Int, dimensions: Int, value: Double, count: Int) -> String {
        let which = dimensions == 1 ? "index" : "index \(position + 1) of \(dimensions)"
        let rendered = render(value)
        let rounded = value.isFinite && value.rounded() != value ? " (rounds to \(render(value.rounded())))" : ""
        let range = count == 0 ? "it has no elements" : "valid: 0...\(count - 1)"
        return "\(which) of `\(array)` is \(rendered)\(rounded), out of range (\(range))"
    }

    static func shape(_ shape: [Int]) -> String {
        shape.isEmpty ? "a number" : shape.count == 1 ? "a vector of \(shape[0])" : "shape \(shape)"
    }

    static func gridRanges(_ shape: [Int]) -> String {
        zip(["x", "y", "z"], shape).map { "\($0) in 0...\($1 - 1)" }.joined(separator: ", ")
    }

    /// `in let `b`: position: in `excerpt`: message`, leaving out the parts that are absent.
    public var description: String {
        var parts: [String] = []
        if let binding { parts.append("in let `\(binding)`") }
        if let position { parts.append(position.description) }
        if let excerpt, !excerpt.isEmpty { parts.append("in `\(excerpt)`") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    static func render(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        return numberText(x)
    }

    static func list(_ names: [String], limit: Int = 24) -> String {
        if names.isEmpty { return "none" }
        if names.count <= limit { return names.joined(separator: ", ") }
        return names.prefix(limit).joined(separator: ", ") + ", … (\(names.count - limit) more)"
    }
}
