import Expressions
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Built-in functions")
struct FunctionTests {
    @Test("values", arguments: [
        ("abs(-2.5)", 2.5), ("abs(3)", 3), ("abs(0)", 0),
        ("exp(0)", 1), ("exp(1)", M_E), ("exp(-800)", 0),
        ("log(1)", 0), ("log(exp(2))", 2), ("log(1e-300)", -690.7755278982137),
        ("sqrt(0)", 0), ("sqrt(2.25)", 1.5),
        ("floor(2.7)", 2), ("floor(-2.2)", -3), ("floor(3)", 3),
        ("ceil(2.2)", 3), ("ceil(-2.7)", -2), ("ceil(3)", 3),
        ("min(3, 1)", 1), ("min(3, 1, 2)", 1), ("min(-1, -1)", -1),
        ("max(3, 1)", 3), ("max(1, 5, 2, 4)", 5),
        ("mod(7, 3)", 1), ("mod(-1, 3)", 2), ("mod(-7, 3)", 2), ("mod(7, -3)", 1), ("mod(-7, -3)", 2),
        ("mod(6, 3)", 0), ("mod(-6, 3)", 0), ("mod(2.5, 1)", 0.5), ("mod(-0.5, 2)", 1.5),
        ("7 % 3", 1), ("-7 % 3", 2), ("7.5 % 2", 1.5),
        ("pow(2, 10)", 1024), ("pow(-2, 3)", -8), ("pow(4, 0.5)", 2), ("pow(0, 0)", 1), ("pow(-8, 2)", 64),
        ("if(1, 2, 3)", 2), ("if(0, 2, 3)", 3), ("if(-0.5, 2, 3)", 2),
        ("clamp(5, 0, 1)", 1), ("clamp(-5, 0, 1)", 0), ("clamp(0.3, 0, 1)", 0.3), ("clamp(2, 2, 2)", 2),
        ("sum(v)", 6), ("sum(m)", 15), ("sum(m[1])", 12), ("sum(cube)", 28), ("sum(cube[1])", 22),
        ("sum(cube[1][0])", 9), ("sum(nothing)", 0),
        ("min(v)", 1), ("max(v)", 3), ("min(m[1])", 3), ("max(m)", 5), ("max(cube[0])", 3),
    ])
    func values(source: String, expected: Double) throws {
        #expect(isApproximatelyEqual(try fixture.value(source), expected, absolute: 0, relative: 1e-14), "\(source)")
    }

    @Test func percentIsTheNonNegativeRemainder() throws {
        // Unary minus binds tighter than `%`: `-1 % 3` is `(-1) % 3`, the non-negative remainder 2.
        #expect(try fixture.value("(-1) % 3") == 2)
        #expect(try fixture.value("-1 % 3") == 2)
        #expect(try fixture.value("-(1 % 3)") == -1)
        #expect(try fixture.value("x % 4", ["x": -5]) == 3)
        #expect(try fixture.value("x % -4", ["x": 5]) == 1)
        // A tiny negative remainder never rounds up to the divisor.
        let r = try fixture.value("x % 1", ["x": -1e-20])
        #expect(r >= 0 && r < 1)
        // No negative zero.
        #expect(try fixture.value("x % 3", ["x": -3]).sign == .plus)
    }

    @Test func functionsOfVariables() throws {
        let env = try fixture.environment(["x": 2, "y": -3])
        func value(_ source: String) throws -> Double {
            try CompiledExpression(source, schema: fixture.schema).evaluate(in: env)
        }
        #expect(try value("abs(y)") == 3)
        #expect(try value("min(x, y, 0)") == -3)
        #expect(try value("max(x, y, 0)") == 2)
        #expect(try value("pow(x, y)") == 0.125)
        #expect(try value("x ^ y") == 0.125)
        #expect(try value("mod(y, x)") == 1)
        #expect(try value("clamp(y, -1, x)") == -1)
        #expect(try value("if(x > y, x, y)") == 2)
        #expect(try value("sum(mu)") == 1)
        #expect(isApproximatelyEqual(try value("sum(w[1])"), -5, absolute: 0, relative: 1e-9))
        #expect(try value("min(mu)") == 0.1)
        #expect(try value("max(w)") == 5)
        #expect(try value("min(w[0])") == -2)
    }

    @Test func ifIsLazy() throws {
        // Only the chosen branch is evaluated.
        #expect(try fixture.value("if(x > 0, log(x), 0)", ["x": 0]) == 0)
        #expect(try fixture.value("if(x > 0, 0, 1 / x)", ["x": 2]) == 0)
        #expect(try fixture.value("if(x, mu[9], 1)", ["x": 0]) == 1)
        #expect(try fixture.value("if(0, log(0), 7)") == 7)
        let error = try #require(fixture.failure("if(x > 0, 1, log(x))", ["x": 0]))
        #expect(error.kind == .logarithmOfNonPositive(0))
    }

    @Test func andOrShortCircuit() throws {
        #expect(try fixture.value("x > 0 and log(x) > -1", ["x": 0]) == 0)
        #expect(try fixture.value("x == 0 or log(x) > -1", ["x": 0]) == 1)
        #expect(try fixture.value("x and 1 / x", ["x": 0]) == 0)
        #expect(try fixture.value("x or y or t", ["t": 5]) == 1)
        #expect(try fixture.value("x and y and t", ["x": 1, "y": 2, "t": 3]) == 1)
        #expect(try fixture.value("x and y and t", ["x": 1, "y": 2, "t": 0]) == 0)
        // The value of `and` / `or` is always 1 or 0.
        #expect(try fixture.value("x or 0", ["x": 7]) == 1)
        #expect(try fixture.value("0 or x", ["x": 7]) == 1)
        #expect(try fixture.value("1 and x", ["x": -2]) == 1)
    }

    @Test("domain errors", arguments: [
        ("log(0)", ExpressionError.Kind.logarithmOfNonPositive(0)),
        ("log(-1)", .logarithmOfNonPositive(-1)),
        ("sqrt(-4)", .squareRootOfNegative(-4)),
        ("1 / 0", .divisionByZero),
        ("0 / 0", .divisionByZero),
        ("mod(3, 0)", .divisionByZero),
        ("3 % 0", .divisionByZero),
        ("0 ^ -1", .divisionByZero),
        ("pow(0, -2)", .divisionByZero),
        ("(-8) ^ (1/3)", .powerOfNegative(base: -8, exponent: 1.0 / 3.0)),
        ("pow(-2, 0.5)", .powerOfNegative(base: -2, exponent: 0.5)),
        ("clamp(1, 2, 0)", .invalidClampBounds(lower: 2, upper: 0)),
    ])
    func domainErrors(source: String, kind: ExpressionError.Kind) throws {
        // As constants (reported at compile time) and through variables (at evaluation time).
        let error = try #require(fixture.failure(source))
        #expect(error.kind == kind)
        #expect(error.stage == .evaluation)
        let viaVariable = "if(x == 0, \(source), 1)"
        let late = try #require(fixture.failure(viaVariable, ["x": 0]))
        #expect(late.kind == kind)
        #expect(try fixture.value(viaVariable, ["x": 1]) == 1)
    }

    @Test func domainErrorMessagesNameTheSubExpression() throws {
        let error = try #require(fixture.failure("1 + log(mu[s] - 0.1)", ["s": 0]))
        #expect(error.kind == .logarithmOfNonPositive(0))
        #expect(error.excerpt == "log(mu[s] - 0.1)")
        #expect(error.position?.column == 5)
        #expect(error.description == "column 5: in `log(mu[s] - 0.1)`: logarithm of a non-positive number (0)")

        let division = try #require(fixture.failure("2 * (x / y)", ["x": 1, "y": 0]))
        #expect(division.description == "column 6: in `x / y`: division by zero")

        let sqrt = try #require(fixture.failure("sqrt(x - 1)", ["x": 0]))
        #expect(sqrt.description == "column 1: in `sqrt(x - 1)`: square root of a negative number (-1)")
    }

    @Test func nonFiniteResultsAreErrors() throws {
        let overflow = try #require(fixture.failure("1 + exp(x)", ["x": 1000]))
        #expect(overflow.kind == .nonFinite(.infinity))
        #expect(overflow.excerpt == "exp(x)")
        #expect(overflow.position?.column == 5)

        let big = try #require(fixture.failure("x * 1e300 * 1e300", ["x": 1]))
        #expect(big.kind == .nonFinite(.infinity))
        #expect(big.excerpt == "x * 1e300 * 1e300")

        // NaN or infinity coming in through a variable is reported where it is read.
        let nan = try #require(fixture.failure("1 + mu[2]", mu: [0, 0, .nan, 0]))
        #expect(nan.excerpt == "mu[2]")
        if case let .nonFinite(value) = nan.kind { #expect(value.isNaN) } else { Issue.record("\(nan)") }
        let inf = try #require(fixture.failure("y * 0 + x", ["x": .infinity]))
        #expect(inf.excerpt == "x")

        // Intermediate overflow that does not reach the result is fine.
        #expect(try fixture.value("1 / exp(x)", ["x": 1000]) == 0)
        #expect(try fixture.value("min(exp(x), 3)", ["x": 1000]) == 3)
        #expect(try fixture.value("exp(x) > 1", ["x": 1000]) == 1)
    }
}
