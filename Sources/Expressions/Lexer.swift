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

        func fail(_ kind: ExpressionError.Kind, at offset: Int) -> ExpressionError {
            ExpressionError(kind, position: text.position(at: offset))
        }
        func peek(_ j: Int) -> Unicode.Scalar? { j < s.count ? s[j] : nil }

        while i < s.count {
            let c = s[i]
            let start = i
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
                continue
            }
            if isDigit(c) || (c == "." && peek(i + 1).map(isDigit) == true) {
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
                        throw fail(.malformedNumber(bad, reason: "expected digits after the exponent 'e'"), at: start)
                    }
                    while j < s.count, isDigit(s[j]) { j += 1 }
                    i = j
                }
                let literal = String(String.UnicodeScalarView(s[start..<i]))
                guard let value = Double(literal) else {
                    throw fail(.malformedNumber(literal, reason: "not a decimal number"), at: start)
                }
                guard value.isFinite else {
                    throw fail(.malformedNumber(literal, reason: "too large for a double-precision number"), at: start)
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
            let next = peek(i + 1)
            let kind: Token.Kind
            var length = 1
            switch c {
            case "+": kind = .plus
            case "-": kind = .minus
            case "*":
                if next == "*" {
                    throw fail(.unexpectedCharacter("**", hint: "write powers with `^`, like `x^2`"), at: start)
                }
                kind = .star
            case "/": kind = .slash
            case "%": kind = .percent
            case "^": kind = .caret
            case "(": kind = .leftParen
            case ")": kind = .rightParen
            case "[": kind = .leftBracket
            case "]": kind = .rightBracket
            case ",": kind = .comma
            case "=":
                guard next == "=" else {
                    throw fail(.unexpectedCharacter("=", hint: "compare with `==`"), at: start)
                }
                kind = .equal; length = 2
            case "!":
                guard next == "=" else {
                    throw fail(.unexpectedCharacter("!", hint: "use `not` for negation, `!=` for inequality"), at: start)
                }
                kind = .notEqual; length = 2
            case "<":
                if next == "=" { kind = .lessEqual; length = 2 } else { kind = .less }
            case ">":
                if next == "=" { kind = .greaterEqual; length = 2 } else { kind = .greater }
            case "&":
                throw fail(.unexpectedCharacter(next == "&" ? "&&" : "&", hint: "use `and`"), at: start)
            case "|":
                throw fail(.unexpectedCharacter(next == "|" ? "||" : "|", hint: "use `or`"), at: start)
            default:
                throw fail(.unexpectedCharacter(String(Character(c)), hint: nil), at: start)
            }
            i += length
            tokens.append(Token(kind: kind, range: start..<i))
        }
        tokens.append(Token(kind: .end, range: s.count..<s.count))
        return tokens
    }
}
