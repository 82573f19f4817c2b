import Expressions
import Testing
import TestSupport

@Suite("Names, indexing and compile-time checks")
struct CompilationTests {
    @Test func namesStandForTheirIndex() throws {
        #expect(try fixture.value("right") == 2)
        #expect(try fixture.value("a != stay", ["a": 1]) == 0)
        #expect(try fixture.value("a != stay", ["a": 2]) == 1)
        #expect(try fixture.value("mu[C]") == 0.3)
        #expect(try fixture.value("states * actions") == 12)
        #expect(try fixture.value("noise") == 0.1)
    }

    @Test func indexing() throws {
        #expect(try fixture.value("mu[s]", ["s": 3]) == 0.4)
        #expect(try fixture.value("v[0] + v[2]") == 4)
        #expect(try fixture.value("m[1][2]") == 5)
        #expect(try fixture.value("m[x][y]", ["x": 1, "y": 0]) == 3)
        #expect(try fixture.value("cube[1][0][1]") == 5)
        #expect(try fixture.value("w[1][2]") == -6)
        #expect(try fixture.value("mu[mod(s + 1, states)]", ["s": 3]) == 0.1)
        #expect(try fixture.value("v[v[0]]") == 2)
        #expect(try fixture.value("(m[1])[0]") == 3)
        #expect(try fixture.value("mu[s]^2", ["s": 1]) == 0.04000000000000001)
    }

    @Test("indices are rounded to the nearest integer", arguments: [
        (0.4, 0.1), (0.5, 0.2), (1.49, 0.2), (2.5, 0.4), (-0.4, 0.1), (3.4999, 0.4),
    ])
    func indexRounding(index: Double, expected: Double) throws {
        #expect(try fixture.value("mu[x]", ["x": index]) == expected)
    }

    @Test("out-of-range indices", arguments: [
        ("mu[x]", 4.0, "index of `mu` is 4, out of range (valid: 0...3)"),
        ("mu[x]", -1, "index of `mu` is -1, out of range (valid: 0...3)"),
        ("mu[x]", 3.5, "index of `mu` is 3.5 (rounds to 4), out of range (valid: 0...3)"),
        ("mu[x]", -0.5, "index of `mu` is -0.5 (rounds to -1), out of range (valid: 0...3)"),
        ("mu[x]", .nan, "index of `mu` is NaN, out of range (valid: 0...3)"),
        ("mu[x]", .infinity, "index of `mu` is inf, out of range"),
        ("m[0][x]", 3, "index 2 of 2 of `m` is 3, out of range (valid: 0...2)"),
        ("w[x][0]", 2, "index 1 of 2 of `w` is 2, out of range (valid: 0...1)"),
        ("sum(m[x])", 2, "index 1 of 2 of `m` is 2, out of range (valid: 0...1)"),
        ("nothing[x]", 0, "index of `nothing` is 0, out of range (it has no elements)"),
    ])
    func outOfRange(source: String, index: Double, message: String) throws {
        let error = try #require(fixture.failure(source, ["x": index]))
        #expect(error.stage == .evaluation)
        #expect(error.message == message || error.message.hasPrefix(message), "\(error.message)")
        #expect(error.excerpt == source)
    }

    @Test func outOfRangeKindAndPosition() throws {
        let error = try #require(fixture.failure("1 + m[1][x + 1]", ["x": 2]))
        #expect(error.kind == .indexOutOfRange(array: "m", position: 1, dimensions: 2, value: 3, count: 3))
        #expect(error.position?.column == 5)
        #expect(error.description == "column 5: in `m[1][x + 1]`: index 2 of 2 of `m` is 3, out of range (valid: 0...2)")
        // A constant out-of-range index is reported when compiling.
        let constant = try #require(fixture.failure("v[3]"))
        #expect(constant.kind == .indexOutOfRange(array: "v", position: 0, dimensions: 1, value: 3, count: 3))
    }

    @Test func unknownAndUnavailableNames() throws {
        let reward = fixture.schema.restricted(toVariables: ["s", "a", "mu"])
        let hidden = try #require(fixture.failure("t == s", schema: reward))
        #expect(hidden.stage == .compilation)
        #expect(hidden.position?.column == 1)
        #expect(hidden.message.hasPrefix("`t` is not available here (available: s, a, mu, states, actions, left"))
        if case let .unavailableName(name, available) = hidden.kind {
            #expect(name == "t")
            #expect(!available.contains("t") && !available.contains("x") && !available.contains("w"))
            #expect(available.contains("noise") && available.contains("m"))
        } else {
            Issue.record("wrong kind \(hidden.kind)")
        }
        // The same expression compiles against a view that allows `t`.
        #expect(try fixture.value("t == s", ["t": 1, "s": 1], schema: fixture.schema.hiding(["x"])) == 1)
        #expect(fixture.failure("x", schema: fixture.schema.hiding(["x"]))?.kind
                == .unavailableName("x", available: fixture.schema.hiding(["x"]).names))

        let typo = try #require(fixture.failure("2 * nu[s]"))
        #expect(typo.position?.column == 5)
        #expect(typo.message.hasPrefix("unknown name `nu` (did you mean `mu`? available: s, a, t, x, y, mu, w, states"))

        let unknown = try #require(fixture.failure("zzzzzz + 1"))
        if case let .unknownName(name, suggestion, _) = unknown.kind {
            #expect(name == "zzzzzz")
            #expect(suggestion == nil)
        } else {
            Issue.record("wrong kind \(unknown.kind)")
        }
    }

    @Test("compile-time errors", arguments: [
        ("foo(1)", 1, "unknown function `foo`"),
        ("exps(1)", 1, "unknown function `exps` (did you mean `exp`?"),
        ("exp + 1", 1, "`exp` is a function; call it with arguments, like `exp(x)`"),
        ("log(1, 2)", 1, "`log` takes 1 argument but was given 2"),
        ("abs()", 1, "`abs` takes 1 argument but was given 0"),
        ("clamp(1, 2)", 1, "`clamp` takes 3 arguments but was given 2"),
        ("1 + if(1, 2)", 5, "`if` takes 3 arguments but was given 2"),
        ("mod(1)", 1, "`mod` takes 2 arguments but was given 1"),
        ("max()", 1, "`max` takes 2 or more arguments but was given 0"),
        ("min(s)", 5, "`min` takes two or more numbers, or one array"),
        ("sum(s)", 5, "`sum` takes one array"),
        ("sum(mu[s])", 5, "`sum` takes one array"),
        ("sum(1, 2)", 1, "`sum` takes 1 argument but was given 2"),
        ("s[0]", 1, "`s` is a number and cannot be indexed"),
        ("states[0]", 1, "`states` is a number and cannot be indexed"),
        ("(s + 1)[0]", 1, "`(s + 1)` is a number and cannot be indexed"),
        ("mu[0][1]", 1, "`mu` has 1 dimension but is given 2 indices"),
        ("m[0][1][2]", 1, "`m` has 2 dimensions but is given 3 indices"),
        ("mu + 1", 1, "`mu` is a vector of 4 numbers where a number is needed; it needs an index, like `mu[i]`"),
        ("2 * m[0]", 5, "`m[0]` is a vector of 3 numbers where a number is needed"),
        ("m", 1, "`m` is an array of shape [2, 3] where a number is needed; it needs 2 more indices"),
        ("max(mu, 1)", 5, "`mu` is a vector of 4 numbers where a number is needed"),
        ("min(nothing)", 1, "`min` of `nothing`, which has no elements"),
        ("sum(bogus)", 5, "unknown name `bogus`"),
        ("bogus[0]", 1, "unknown name `bogus`"),
    ])
    func compileErrors(source: String, column: Int, message: String) throws {
        let error = try #require(fixture.failure(source))
        #expect(error.stage == .compilation)
        #expect(error.position?.column == column, "\(error)")
        #expect(error.message.hasPrefix(message), "\(error.message)")
    }

    @Test func compileErrorsDoNotDependOnValues() {
        // Errors are found in branches that would never be evaluated.
        #expect(fixture.failure("if(1, 2, mu + 1)")?.stage == .compilation)
        #expect(fixture.failure("0 and foo(1)")?.stage == .compilation)
    }

    @Test func constantsAndVariables() throws {
        let schema = fixture.schema
        let constant = try CompiledExpression("2 * states + sum(v) - right", schema: schema)
        #expect(constant.isConstant)
        #expect(constant.constantValue == 12)
        #expect(constant.variables.isEmpty)
        #expect(constant.names == ["states", "v", "right"])

        let folded = try CompiledExpression("if(1, 3, mu[s])", schema: schema)
        #expect(folded.constantValue == 3)
        #expect(!folded.depends(on: "mu"))

        let absorbed = try CompiledExpression("1 / exp(1000)", schema: schema)
        #expect(absorbed.constantValue == 0)

        let reward = try CompiledExpression("-abs(s - B) / states - noise * log(mu[s]) - 0.1 * (a != stay)", schema: schema)
        #expect(!reward.isConstant)
        #expect(reward.constantValue == nil)
        #expect(reward.variables == ["s", "a", "mu"])
        #expect(reward.depends(on: "mu"))
        #expect(!reward.depends(on: "t"))
        #expect(reward.names == ["s", "B", "states", "noise", "mu", "a", "stay"])
        #expect(reward.source == "-abs(s - B) / states - noise * log(mu[s]) - 0.1 * (a != stay)")
        #expect(reward.description == reward.source)

        let transition = try CompiledExpression("(1 - noise) * (t == mod(s + a - 1, states)) + noise * (t == s)", schema: schema)
        #expect(transition.variables == ["s", "a", "t"])
        #expect(!transition.depends(on: "mu"))
        #expect(try CompiledExpression("w[0][1] + m[1][1]", schema: schema).variables == ["w"])
        #expect(try CompiledExpression("x + 0 * y", schema: schema).variables == ["x", "y"])
    }

    @Test func schemaDeclarations() throws {
        var schema = Schema()
        let s = try schema.declareScalar("s")
        #expect(schema.declaration(of: "s") == .scalar(s))
        #expect(throws: ExpressionError(.duplicateName("s"))) { try schema.declareConstant("s", value: 1) }
        #expect(throws: ExpressionError(.invalidName("2x"))) { try schema.declareScalar("2x") }
        #expect(throws: ExpressionError(.invalidName("and"))) { try schema.declareScalar("and") }
        #expect(throws: ExpressionError(.invalidName("left-side"))) { try schema.declareConstant("left-side", value: 0) }
        #expect(throws: ExpressionError(.invalidName(""))) { try schema.declareScalar("") }
        #expect(throws: ExpressionError(.invalidShape(shape: [], elementCount: 0))) { try schema.declareArray("e", shape: []) }
        #expect(throws: ExpressionError(.invalidShape(shape: [-1], elementCount: 0))) { try schema.declareArray("e", shape: [-1]) }
        #expect(throws: ExpressionError.self) { try schema.declareArray("huge", shape: [Int.max, 2]) }
        #expect(throws: ExpressionError(.nonFinite(.infinity), excerpt: "big")) { try schema.declareConstant("big", value: .infinity) }
        #expect(Schema.isValidName("_x1") && Schema.isValidName("S") && !Schema.isValidName("not"))
        let mu = try schema.declareArray("mu", shape: [3])
        #expect(schema.declaration(of: "mu") == .array(mu, shape: [3]))
        try schema.declareConstant("k", value: 2)
        #expect(schema.declaration(of: "k") == .constant(2))
        try schema.declareConstant("p", array: ArrayValue([1, 2]))
        if case let .constantArray(_, value)? = schema.declaration(of: "p") {
            #expect(value == ArrayValue([1, 2]))
        } else {
            Issue.record("p should be a constant array")
        }
        #expect(schema.declaration(of: "nope") == nil)
        #expect(schema.hiding(["s"]).declaration(of: "s") == nil)
        #expect(schema.names == ["s", "mu", "k", "p"])
        #expect(schema.restricted(toVariables: ["mu"]).names == ["mu", "k", "p"])
        // A function name may be declared as a variable; a call still means the function.
        try schema.declareScalar("exp")
        var env = Environment(schema: schema)
        try env.set("exp", to: 2)
        #expect(isApproximatelyEqual(try CompiledExpression("exp(exp)", schema: schema).evaluate(in: env), 7.38905609893065, absolute: 0, relative: 1e-9))
    }

    @Test func arrayValues() throws {
        let matrix = try ArrayValue(stacking: [ArrayValue([1, 2]), ArrayValue([3, 4])])
        #expect(matrix.shape == [2, 2])
        #expect(matrix.elements == [1, 2, 3, 4])
        #expect(try ArrayValue(stacking: []).shape == [0])
        #expect(throws: ExpressionError.self) { try ArrayValue(stacking: [ArrayValue([1, 2]), ArrayValue([3])]) }
        #expect(throws: ExpressionError(.invalidShape(shape: [2, 2], elementCount: 3))) {
            try ArrayValue(shape: [2, 2], elements: [1, 2, 3])
        }
        #expect(throws: ExpressionError.self) { try ArrayValue(shape: [], elements: []) }
        let cube = try ArrayValue(stacking: [matrix, matrix])
        #expect(cube.shape == [2, 2, 2])
        var schema = Schema()
        #expect(throws: ExpressionError.self) { try schema.declareConstant("bad", array: ArrayValue([1, .nan])) }
    }
}
