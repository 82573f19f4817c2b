/// A recursive-descent parser for the grammar in `Docs/Expressions.md`.
///
/// Recursion happens only where the input nests (parentheses, calls, indices,
/// prefix `-`, `+` and `not`), and that nesting is limited to
/// ``Parser/nestingLimit`` levels, so no input can overflow the stack.
struct Parser {
    /// The deepest nesting of parentheses, calls, indices and prefix operators accepted.
    static let nestingLimit = 200

    let text: SourceText
    let tokens: [Token]
    var position = 0
    var depth = 0

    init(text: SourceText) throws(ExpressionError) {
        self.text = text
        self.tokens = try Lexer.tokenize(text)
    }

    /// Parses the whole input as one expression.
    static func parse(_ text: SourceText) throws(ExpressionError) -> Syntax {
        var parser = try Parser(text: text)
        if parser.current.kind == .end {
            throw parser.unexpected(expected: "an expression")
        }
        let result = try parser.parseExpression()
        guard parser.current.kind == .end else {
            throw parser.unexpected(expected: "an operator or end of input")
        }
        return result
    }

    // MARK: Token helpers

    var current: Token { tokens[position] }

    mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    func unexpected(expected: String) -> ExpressionError {
        ExpressionError(.unexpectedToken(found: current.describe(in: text), expected: expected),
                        position: text.position(at: current.range.lowerBound))
    }

    mutating func expect(_ kind: Token.Kind, _ description: String) throws(ExpressionError) -> Token {
        guard current.kind == kind else { throw unexpected(expected: description) }
        return advance()
    }

    /// Enters one level of nesting opened by the token starting at `offset`.
    mutating func enter(at offset: Int) throws(ExpressionError) {
        depth += 1
        if depth > Self.nestingLimit {
            throw ExpressionError(.nestingTooDeep(limit: Self.nestingLimit), position: text.position(at: offset))
        }
    }

    // MARK: Grammar

    mutating func parseExpression() throws(ExpressionError) -> Syntax {
        try parseLogical(isAnd: false)
    }

    /// `or` (loosest) and `and` levels.
    mutating func parseLogical(isAnd: Bool) throws(ExpressionError) -> Syntax {
        let first = isAnd ? try parseNot() : try parseLogical(isAnd: true)
        let keyword: Token.Kind = isAnd ? .and : .or
        guard current.kind == keyword else { return first }
        var operands = [first]
        while current.kind == keyword {
            _ = advance()
            operands.append(isAnd ? try parseNot() : try parseLogical(isAnd: true))
        }
        let range = first.range.lowerBound..<(operands.last?.range.upperBound ?? first.range.upperBound)
        return Syntax(kind: .logical(isAnd: isAnd, operands), range: range)
    }

    mutating func parseNot() throws(ExpressionError) -> Syntax {
        guard current.kind == .not else { return try parseComparison() }
        let start = advance().range.lowerBound
        try enter(at: start)
        let operand = try parseNot()
        depth -= 1
        return Syntax(kind: .not(operand), range: start..<operand.range.upperBound)
    }

    static func comparisonOperator(_ kind: Token.Kind) -> ComparisonOperator? {
        switch kind {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        default: return nil
        }
    }

    mutating func parseComparison() throws(ExpressionError) -> Syntax {
        let lhs = try parseArithmetic(multiplicative: false)
        guard let op = Self.comparisonOperator(current.kind) else { return lhs }
        _ = advance()
        let rhs = try parseArithmetic(multiplicative: false)
        if Self.comparisonOperator(current.kind) != nil {
            throw ExpressionError(.chainedComparison, position: text.position(at: current.range.lowerBound))
        }
        return Syntax(kind: .comparison(op, lhs, rhs), range: lhs.range.lowerBound..<rhs.range.upperBound)
    }

    static func arithmeticOperator(_ kind: Token.Kind, multiplicative: Bool) -> ArithmeticOperator? {
        switch (kind, multiplicative) {
        case (.plus, false): return .add
        case (.minus, false): return .subtract
        case (.star, true): return .multiply
        case (.slash, true): return .divide
        case (.percent, true): return .remainder
        default: return nil
        }
    }

    /// The `+ -` level, or (`multiplicative`) the `* / %` level.
    mutating func parseArithmetic(multiplicative: Bool) throws(ExpressionError) -> Syntax {
        let first = multiplicative ? try parseUnary() : try parseArithmetic(multiplicative: true)
        guard Self.arithmeticOperator(current.kind, multiplicative: multiplicative) != nil else { return first }
        var rest: [(ArithmeticOperator, Syntax)] = []
        while let op = Self.arithmeticOperator(current.kind, multiplicative: multiplicative) {
            _ = advance()
            rest.append((op, multiplicative ? try parseUnary() : try parseArithmetic(multiplicative: true)))
        }
        let end = rest.last?.1.range.upperBound ?? first.range.upperBound
        return Syntax(kind: .arithmetic(first: first, rest: rest), range: first.range.lowerBound..<end)
    }

    /// Prefix `-` and `+`, which bind looser than `^`: `-2^2` is `-(2^2)`.
    mutating func parseUnary() throws(ExpressionError) -> Syntax {
        guard current.kind == .minus || current.kind == .plus else { return try parsePower() }
        let token = advance()
        try enter(at: token.range.lowerBound)
        let operand = try parseUnary()
        depth -= 1
        if token.kind == .plus {
            return Syntax(kind: operand.kind, range: token.range.lowerBound..<operand.range.upperBound)
        }
        return Syntax(kind: .negate(operand), range: token.range.lowerBound..<operand.range.upperBound)
    }

    /// `x ^ y ^ z` (right-associative); an exponent may start with `-`: `2 ^ -1`.
    mutating func parsePower() throws(ExpressionError) -> Syntax {
        let base = try parsePostfix()
        guard current.kind == .caret else { return base }
        var operands = [base]
        while current.kind == .caret {
            _ = advance()
            if current.kind == .minus || current.kind == .plus {
                // A signed exponent takes the rest of the chain: 2^-1^2 = 2^(-(1^2)).
                operands.append(try parseUnary())
                break
            }
            operands.append(try parsePostfix())
        }
        let end = operands.last?.range.upperBound ?? base.range.upperBound
        return Syntax(kind: .power(operands), range: base.range.lowerBound..<end)
    }

    /// A primary followed by any number of `[index]`.
    mutating func parsePostfix() throws(ExpressionError) -> Syntax {
        let base = try parsePrimary()
        guard current.kind == .leftBracket else { return base }
        var indices: [Syntax] = []
        var end = base.range.upperBound
        while current.kind == .leftBracket {
            try enter(at: advance().range.lowerBound)
            indices.append(try parseExpression())
            depth -= 1
            end = try expect(.rightBracket, "']'").range.upperBound
        }
        return Syntax(kind: .index(base: base, indices: indices), range: base.range.lowerBound..<end)
    }

    mutating func parsePrimary() throws(ExpressionError) -> Syntax {
        let token = current
        switch token.kind {
        case let .number(value):
            _ = advance()
            return Syntax(kind: .number(value), range: token.range)
        case let .name(name):
            _ = advance()
            guard current.kind == .leftParen else {
                return Syntax(kind: .name(name), range: token.range)
            }
            try enter(at: advance().range.lowerBound)
            var arguments: [Syntax] = []
            if current.kind != .rightParen {
                arguments.append(try parseExpression())
                while current.kind == .comma {
                    _ = advance()
                    arguments.append(try parseExpression())
                }
            }
            depth -= 1
            let close = try expect(.rightParen, arguments.isEmpty ? "an argument or ')'" : "',' or ')'")
            return Syntax(kind: .call(name, nameRange: token.range, arguments: arguments),
                          range: token.range.lowerBound..<close.range.upperBound)
        case .leftParen:
            try enter(at: advance().range.lowerBound)
            let inner = try parseExpression()
            depth -= 1
            let close = try expect(.rightParen, "')'")
            // Keep the inner node, but widen its range to include the parentheses.
            return Syntax(kind: inner.kind, range: token.range.lowerBound..<close.range.upperBound)
        case .not:
            throw unexpected(expected: "a number, a name or '(' (put `not …` in parentheses here)")
        default:
            throw unexpected(expected: "a number, a name or '('")
        }
    }
}
