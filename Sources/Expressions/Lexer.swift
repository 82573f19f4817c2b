/// One token of an expression, with the range of scalars it covers.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case number(Double)
        case name(String)
        case plus, minus, star, slash, percent, caret
        case leftParen, rightParen, leftBracket, rightBracket, comma
        case equal, notEqual, less, lessEqual, greater, greaterEqual
        case and, or, not
        case end
    }

    var kind: Kind
    var range: Range<Int>

    /// How the token is named in messages: `')'`, `` `x` ``, `number 2.5`, `end of input`.
    func describe(in text: SourceText) -> String {
        switch kind {
        case .number: return "number \(text.excerpt(range))"
        case let .name(n): return "`\(n)`"
        case .and: return "`and`"
        case .or: return "`or`"
        case .not: return "`not`"
        case .end: return "end of input"
        default: return "'\(text.excerpt(range))'"
        }
    }
}

/// Splits source text into tokens. Runs in linear time and never recurses.
enum Lexer {
    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    static let keywords: [String: Token.Kind] = ["and": .and, "or": .or, "not": .not]

    static func tokenize(_ text: SourceText) throws(ExpressionError) -> [Token] {
        let s = text.scalars
        var tokens: [Token] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            let start = i
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
                continue
            }
            if isDigit(c) || (c == "." && i + 1 < s.count && isDigit(s[i + 1])) {
                i = try scanNumber(text, from: start)
                let literal = String(String.UnicodeScalarView(s[start..<i]))
                guard let value = Double(literal) else {
                    throw fail(text, .malformedNumber(literal, reason: "not a decimal number"), at: start)
                }
                guard value.isFinite else {
                    throw fail(text, .malformedNumber(literal, reason: "too large for a double-precision number"), at: start)
                }
                tokens.append(Token(kind: .number(value), range: start..<i))
                continue
            }
            if isIdentifierStart(c) {
                while i < s.count, isIdentifierContinue(s[i]) { i += 1 }
                let name = String(String.UnicodeScalarView(s[start..<i]))
                tokens.append(Token(kind: keywords[name] ?? .name(name), range: start..<i))
                continue
            }
            let (kind, length) = try punctuation(text, at: start)
            i += length
            tokens.append(Token(kind: kind, range: start..<i))
        }
        tokens.append(Token(kind: .end, range: s.count..<s.count))
        return tokens
    }

    static func fail(_ text: SourceText, _ kind: ExpressionError.Kind, at offset: Int) -> ExpressionError {
        ExpressionError(kind, position: text.position(at: offset))
    }

    /// The end of the number literal starting at `start`: digits, an optional fraction and
    /// an optional exponent (which must have digits).
    static func scanNumber(_ text: SourceText, from start: Int) throws(ExpressionError) -> Int {
        let s = text.scalars
        var i = start
        while i < s.count, isDigit(s[i]) { i += 1 }
        if i < s.count, s[i] == "." {
            i += 1
            while i < s.count, isDigit(s[i]) { i += 1 }
        }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            guard j < s.count, isDigit(s[j]) else {
                let bad = String(String.UnicodeScalarView(s[start..<min(j, s.count)]))
                throw fail(text, .malformedNumber(bad, reason: "expected digits after the exponent 'e'"), at: start)
            }
            while j < s.count, isDigit(s[j]) { j += 1 }
            i = j
        }
        return i
    }

    /// The operator or bracket at `start` and its length in scalars; a helpful error for
    /// `**`, `=`, `!`, `&&`, `||` and unknown characters.
    static func punctuation(_ text: SourceText, at start: Int) throws(ExpressionError) -> (Token.Kind, Int) {
        let s = text.scalars
        let c = s[start]
        let next: Unicode.Scalar? = start + 1 < s.count ? s[start + 1] : nil
        switch c {
        case "+": return (.plus, 1)
        case "-": return (.minus, 1)
        case "*":
            if next == "*" {
                throw fail(text, .unexpectedCharacter("**", hint: "write powers with `^`, like `x^2`"), at: start)
            }
            return (.star, 1)
        case "/": return (.slash, 1)
        case "%": return (.percent, 1)
        case "^": return (.caret, 1)
        case "(": return (.leftParen, 1)
        case ")": return (.rightParen, 1)
        case "[": return (.leftBracket, 1)
        case "]": return (.rightBracket, 1)
        case ",": return (.comma, 1)
        case "=":
            guard next == "=" else { throw fail(text, .unexpectedCharacter("=", hint: "compare with `==`"), at: start) }
            return (.equal, 2)
        case "!":
            guard next == "=" else {
                throw fail(text, .unexpectedCharacter("!", hint: "use `not` for negation, `!=` for inequality"), at: start)
            }
            return (.notEqual, 2)
        case "<": return next == "=" ? (.lessEqual, 2) : (.less, 1)
        case ">": return next == "=" ? (.greaterEqual, 2) : (.greater, 1)
        case "&": throw fail(text, .unexpectedCharacter(next == "&" ? "&&" : "&", hint: "use `and`"), at: start)
        case "|": throw fail(text, .unexpectedCharacter(next == "|" ? "||" : "|", hint: "use `or`"), at: start)
        default: throw fail(text, .unexpectedCharacter(String(Character(c)), hint: nil), at: start)
        }
    }
}
