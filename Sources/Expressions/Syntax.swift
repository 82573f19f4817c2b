/// The operators of the `+ -` and `* / %` levels.
enum ArithmeticOperator: Sendable {
    case add, subtract, multiply, divide, remainder
}

/// The comparison operators; each gives 1 or 0.
enum ComparisonOperator: Sendable {
    case equal, notEqual, less, lessEqual, greater, greaterEqual
}

/// The parsed form of an expression, before names are resolved.
///
/// Chains of one precedence level (`a + b - c + …`, `a ^ b ^ c`, `x or y or z`)
/// are stored flat, so a long input makes a wide tree, not a deep one: the
/// depth of a tree is bounded by the parser's nesting limit, and the passes that
/// walk it recursively cannot overflow the stack.
struct Syntax: Sendable {
    indirect enum Kind: Sendable {
        case number(Double)
        case name(String)
        /// `name(arguments)`; `nameRange` covers the function name.
        case call(String, nameRange: Range<Int>, arguments: [Syntax])
        /// `base[i][j]…`.
        case index(base: Syntax, indices: [Syntax])
        case negate(Syntax)
        case not(Syntax)
        /// Left-associative: `first op₁ x₁ op₂ x₂ …`.
        case arithmetic(first: Syntax, rest: [(ArithmeticOperator, Syntax)])
        /// Right-associative: `x₀ ^ x₁ ^ … ^ xₙ`.
        case power([Syntax])
        case comparison(ComparisonOperator, Syntax, Syntax)
        /// `x₀ and x₁ and …` (`isAnd`) or `x₀ or x₁ or …`.
        case logical(isAnd: Bool, [Syntax])
    }

    var kind: Kind
    /// The scalars of the source this node covers.
    var range: Range<Int>
}
