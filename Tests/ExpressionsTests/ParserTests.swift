import Expressions
import Testing
import TestSupport

@Suite("Syntax and precedence")
struct ParserTests {
    @Test("precedence and associativity", arguments: [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9),
        ("2 ^ 3 ^ 2", 512),
        ("(2 ^ 3) ^ 2", 64),
        ("-2 ^ 2", -4),
        ("(-2) ^ 2", 4),
        ("2 ^ -1", 0.5),
        ("2 ^ -1 ^ 2", 0.5),        // 2^(-(1^2))
        ("2 ^ - - 2", 4),
        ("-3 * 2", -6),
        ("--3", 3),
        ("+3", 3),
        ("10 - 4 - 3", 3),          // left-associative
        ("64 / 4 / 2", 8),
        ("7 % 4 * 2", 6),           // same level, left to right
        ("2 * 3 % 4", 2),
        ("1 - 2 ^ 2 * 3", -11),
        ("2 ^ 2 * 3", 12),
        ("not 1 == 0", 1),          // not (1 == 0)
        ("not 0 and 0", 0),         // (not 0) and 0
        ("not not 3", 1),
        ("1 or 1 and 0", 1),        // 1 or (1 and 0)
        ("(1 or 1) and 0", 0),
        ("0 and 1 or 1", 1),        // (0 and 1) or 1
        ("1 + 1 == 2", 1),          // (1 + 1) == 2
    ])
    func precedence(source: String, expected: Double) throws {
        #expect(try fixture.value(source) == expected)
    }

    @Test func logicalOperatorsWithVariables() throws {
        for (a, b, c) in [(0.0, 0.0, 0.0), (1, 0, 1), (0, 1, 1), (1, 1, 0), (2, 0, 0)] {
            let vars = ["x": a, "y": b, "t": c]
            let expected: Double = (a != 0 || (b != 0 && c != 0)) ? 1 : 0
            #expect(try fixture.value("x or y and t", vars) == expected)
            #expect(try fixture.value("x and y", vars) == ((a != 0 && b != 0) ? 1 : 0))
            #expect(try fixture.value("not x", vars) == (a == 0 ? 1 : 0))
        }
    }

    @Test("comparisons give 1 or 0", arguments: [
        ("2 == 2", 1.0), ("2 == 3", 0), ("2 != 3", 1), ("2 != 2", 0),
        ("1 < 2", 1), ("2 < 2", 0), ("2 <= 2", 1), ("3 <= 2", 0),
        ("3 > 2", 1), ("2 > 2", 0), ("2 >= 2", 1), ("1 >= 2", 0),
        ("(1 < 2) + (2 < 3)", 2),
    ])
    func comparisons(source: String, expected: Double) throws {
        #expect(try fixture.value(source) == expected)
    }

    @Test("numbers", arguments: [
        ("1e-3", 0.001), (".5", 0.5), ("2.", 2), ("2.e1", 20), ("1E+2", 100), ("0.25e2", 25),
        ("007", 7), ("1.5", 1.5), ("  42  ", 42), ("\n 1 +\n\t 2 \r\n", 3),
    ])
    func numbers(source: String, expected: Double) throws {
        #expect(try fixture.value(source) == expected)
    }

    @Test("syntax errors carry column and say what was expected", arguments: [
        ("(1 + 2", 7, "expected ')' but found end of input"),
        ("1 +", 4, "expected a number, a name or '(' but found end of input"),
        ("", 1, "expected an expression but found end of input"),
        ("   ", 4, "expected an expression but found end of input"),
        ("1 2", 3, "expected an operator or end of input but found number 2"),
        ("2x", 2, "expected an operator or end of input but found `x`"),
        ("(1))", 4, "expected an operator or end of input but found ')'"),
        ("max(1, 2", 9, "expected ',' or ')' but found end of input"),
        ("abs(", 5, "expected a number, a name or '(' but found end of input"),
        ("mu[1", 5, "expected ']' but found end of input"),
        ("1 + * 2", 5, "expected a number, a name or '(' but found '*'"),
        ("1 + not 0", 5, "expected a number, a name or '(' (put `not …` in parentheses here) but found `not`"),
        ("1 < 2 < 3", 7, "comparisons cannot be chained"),
        ("1 < 2 == 1", 7, "comparisons cannot be chained"),
        ("1 $ 2", 3, "unexpected character '$'"),
        ("1 && 2", 3, "unexpected character '&&' (use `and`)"),
        ("1 || 2", 3, "unexpected character '||' (use `or`)"),
        ("!1", 1, "use `not` for negation"),
        ("s = 1", 3, "compare with `==`"),
        ("2 ** 3", 3, "write powers with `^`"),
        ("1e", 1, "malformed number `1e`: expected digits after the exponent 'e'"),
        ("1e+", 1, "malformed number `1e+`"),
        ("1e999", 1, "too large"),
        ("é", 1, "unexpected character 'é'"),
        (".", 1, "unexpected character '.'"),
    ])
    func syntaxErrors(source: String, column: Int, message: String) throws {
        let error = try #require(fixture.failure(source))
        #expect(error.stage == .syntax)
        #expect(error.position?.column == column)
        #expect(error.position?.line == 1)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.description.hasPrefix("column \(column): "), "\(error.description)")
    }

    @Test func exactMessageForMissingParenthesis() throws {
        let error = try #require(fixture.failure("(1 + 2"))
        #expect(error.description == "column 7: expected ')' but found end of input")
        #expect(error.kind == .unexpectedToken(found: "end of input", expected: "')'"))
    }

    @Test func multilineSourceReportsLineAndColumn() throws {
        let error = try #require(fixture.failure("1 +\n  2 *\n    )"))
        #expect(error.position == SourcePosition(line: 3, column: 5, sourceIsMultiline: true))
        #expect(error.description.hasPrefix("line 3, column 5: "))
        let first = try #require(fixture.failure("(1 +\n 2"))
        #expect(first.description.hasPrefix("line 2, column 3: expected ')'"))
        let onFirstLine = try #require(fixture.failure("1 $\n 2"))
        #expect(onFirstLine.description.hasPrefix("line 1, column 3: "))
    }
}
