import Expressions
import PropertyBased
import Testing
import TestSupport

/// A schema with scalars `s, t`, `mu` over the grid's cells, and the grid's coordinates.
private func gridSchema(_ shape: [Int]) throws -> (schema: Schema, s: ScalarSlot, t: ScalarSlot, mu: ArraySlot) {
    var schema = Schema()
    let s = try schema.declareScalar("s")
    let t = try schema.declareScalar("t")
    let mu = try schema.declareArray("mu", shape: [shape.reduce(1, *)])
    try schema.declareGrid(shape)
    try schema.declareCoordinates(Array(["x", "y", "z"].prefix(shape.count)), of: s)
    try schema.declareCoordinates(Array(["tx", "ty", "tz"].prefix(shape.count)), of: t)
    return (schema, s, t, mu)
}

@Suite("Grid coordinates, cell and inside")
struct GridTests {
    static let shapes: [[Int]] = [[1, 1], [1, 5], [5, 1], [3, 4], [7, 2], [2, 3, 4], [1, 1, 3], [4, 1, 2], [3, 2, 1]]

    @Test(arguments: shapes)
    func coordinatesAndCellAgreeWithBruteForce(shape: [Int]) throws {
        let (schema, s, t, _) = try gridSchema(shape)
        let names = Array(["x", "y", "z"].prefix(shape.count))
        let coordinates = try names.map { try CompiledExpression($0, schema: schema) }
        let targets = try ["tx", "ty", "tz"].prefix(shape.count).map { try CompiledExpression($0, schema: schema) }
        let cell = try CompiledExpression("cell(\(names.joined(separator: ", ")))", schema: schema)
        var env = Environment(schema: schema)
        let count = shape.reduce(1, *)
        for index in 0..<count {
            // Brute force: the index is x + W·y + W·H·z.
            var expected: [Double] = [], rest = index
            for n in shape { expected.append(Double(rest % n)); rest /= n }
            env[s] = Double(index)
            env[t] = Double(count - 1 - index)
            #expect(try coordinates.map { try $0.evaluate(in: env) } == expected, "s=\(index) in \(shape)")
            #expect(try cell.evaluate(in: env) == Double(index), "cell at s=\(index) in \(shape)")
            var other: [Double] = [], r = count - 1 - index
            for n in shape { other.append(Double(r % n)); r /= n }
            #expect(try targets.map { try $0.evaluate(in: env) } == other, "t=\(count - 1 - index) in \(shape)")
        }
    }

    @Test(arguments: shapes)
    func insideAndCellOverAndAroundTheGrid(shape: [Int]) throws {
        let (schema, s, _, _) = try gridSchema(shape)
        var extended = schema
        let points = try ["px", "py", "pz"].prefix(shape.count).map { try extended.declareScalar($0) }
        let arguments = ["px", "py", "pz"].prefix(shape.count).joined(separator: ", ")
        let inside = try CompiledExpression("inside(\(arguments))", schema: extended)
        let cell = try CompiledExpression("cell(\(arguments))", schema: extended)
        var env = Environment(schema: extended)
        env[s] = 0
        func visit(_ d: Int, _ point: [Int]) throws {
            guard d == shape.count else {
                let ok = zip(point, shape).allSatisfy { $0 >= 0 && $0 < $1 }
                var index = 0, stride = 1
                for (p, n) in zip(point, shape) { index += p * stride; stride *= n }
                // A coordinate within 0.5 of a whole number rounds to it.
                for (slot, p) in zip(points, point) { env[slot] = Double(p) + 0.3 }
                #expect(try inside.evaluate(in: env) == (ok ? 1 : 0), "\(point) in \(shape)")
                do {
                    let value = try cell.evaluate(in: env)
                    #expect(ok && value == Double(index), "\(point) in \(shape): \(value)")
                } catch {
                    #expect(!ok, "\(point) in \(shape): \(error)")
                    guard case .outsideGrid(_, let reported) = error.kind else {
                        Issue.record("\(error)")
                        return
                    }
                    #expect(reported == shape)
                    #expect(error.description.contains("outside the"))
                }
                return
            }
            for p in -2...(shape[d] + 1) { try visit(d + 1, point + [p]) }
        }
        try visit(0, [])
    }

    @Test func coordinatesAreAvailableExactlyWhereTheirBaseIs() throws {
        let (schema, _, _, _) = try gridSchema([3, 4])
        let reward = schema.restricted(toVariables: ["s", "mu"])
        #expect(throws: ExpressionError.self) { try CompiledExpression("tx", schema: reward) }
        #expect(try CompiledExpression("x + y", schema: reward).depends(on: "s"))
        let weights = schema.restricted(toVariables: ["t"])
        #expect(throws: ExpressionError.self) { try CompiledExpression("x", schema: weights) }
        #expect(try CompiledExpression("tx", schema: weights).depends(on: "t"))
        let hidden = schema.hiding(["s"])
        #expect(throws: ExpressionError.self) { try CompiledExpression("y", schema: hidden) }
    }

    @Test func gridFunctionsNeedAGridOfTheirArity() throws {
        var plain = Schema()
        try plain.declareScalar("s")
        let error = #expect(throws: ExpressionError.self) { try CompiledExpression("cell(s, 0)", schema: plain) }
        #expect(error?.kind == .gridFunctionWithoutGrid("cell"))
        let (grid, _, _, _) = try gridSchema([3, 4])
        let arity = #expect(throws: ExpressionError.self) { try CompiledExpression("inside(x, y, 0)", schema: grid) }
        #expect(arity?.stage == .compilation)
        // A constant point outside the grid fails when compiled (it is evaluated once there).
        #expect(throws: ExpressionError.self) { try CompiledExpression("cell(3, 0)", schema: grid) }
        #expect(try CompiledExpression("cell(2, 3)", schema: grid).constantValue == 11)
        #expect(try CompiledExpression("inside(3, 0)", schema: grid).constantValue == 0)
    }
}

@Suite("let bindings and dot")
struct LetAndDotTests {
    /// The fixture's schema with bindings `p = A`, `q = B (uses p)`.
    @Test func bindingsGiveTheSameValuesAsTheExpressionsWrittenOut() async {
        var compared = 0
        await propertyCheck(count: 400, input: PropertyTests.choices, PropertyTests.choices, Gen.double(in: -3...3), Gen.double(in: -3...3)) {
            first, second, x, y in
            let a = ReferenceTree.build(first).description
            let b = ReferenceTree.build(second).description
            var schema = fixture.schema
            do throws(ExpressionError) {
                try schema.declareBinding("p", source: a)
                try schema.declareBinding("q", source: "(\(b)) - p")
            } catch {
                // A binding without variables is evaluated once; it may fail like any constant.
                #expect(error.stage == .evaluation, "\(a); \(b): \(error)")
                return
            }
            let withLet = "q * p + if(p > 0, q, 1)"
            let inline = "((\(b)) - (\(a))) * (\(a)) + if((\(a)) > 0, ((\(b)) - (\(a))), 1)"
            let env = try? fixture.environment(["x": x, "y": y])
            let left = Result { () throws(ExpressionError) in try CompiledExpression(withLet, schema: schema).evaluate(in: env!) }
            let right = Result { () throws(ExpressionError) in try CompiledExpression(inline, schema: schema).evaluate(in: env!) }
            switch (left, right) {
            case let (.success(l), .success(r)):
                #expect(l.bitPattern == r.bitPattern, "\(a); \(b): \(l) vs \(r)")
                compared += 1
            case let (.failure(l), .failure(r)):
                #expect(l.kind == r.kind, "\(a); \(b)")
            default:
                Issue.record("\(a); \(b) at x=\(x), y=\(y): let \(left), inline \(right)")
            }
        }
        #expect(compared > 100)
    }

    @Test func aBindingIsUsableOnlyWhereEveryVariableItNeedsIs() throws {
        var schema = fixture.schema
        try schema.declareBinding("crowd", source: "mu[s] * states")
        try schema.declareBinding("move", source: "crowd + t")
        let reward = schema.restricted(toVariables: ["s", "a", "mu"])
        #expect(try CompiledExpression("crowd", schema: reward).evaluate(in: fixture.environment(["s": 2])) == 0.3 * 4)
        let error = #expect(throws: ExpressionError.self) { try CompiledExpression("1 + move", schema: reward) }
        guard case let .bindingNeedsUnavailable(binding, variable, available)? = error?.kind else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(binding == "move" && variable == "t" && available == ["s", "a", "mu"])
        #expect(schema.declaration(of: "move") == .binding(needs: ["s", "t", "mu"]))
    }

    @Test func bindingDeclarationErrors() throws {
        var schema = fixture.schema
        #expect(throws: ExpressionError.self) { try schema.declareBinding("s", source: "1") }
        #expect(throws: ExpressionError.self) { try schema.declareBinding("b", source: "b + 1") }
        #expect(throws: ExpressionError.self) { try schema.declareBinding("b", source: "mu") }
        // Each binding doubles the previous one: the expansion limit stops the growth.
        try schema.declareBinding("b0", source: "x")
        var failure: ExpressionError?
        for k in 1...30 where failure == nil {
            do { try schema.declareBinding("b\(k)", source: "b\(k - 1) + b\(k - 1)") } catch { failure = error }
        }
        guard case .expansionTooLarge? = failure?.kind else {
            Issue.record("expected expansionTooLarge, got \(String(describing: failure))")
            return
        }
    }

    @Test func evaluationErrorsInsideABindingNameIt() throws {
        var schema = fixture.schema
        try schema.declareBinding("ratio", source: "1 / (x - 1)")
        let error = #expect(throws: ExpressionError.self) {
            try CompiledExpression("2 * ratio", schema: schema).evaluate(in: fixture.environment(["x": 1]))
        }
        #expect(error?.binding == "ratio")
        #expect(error?.kind == .divisionByZero)
        #expect(error?.description.hasPrefix("in let `ratio`: column 1: in `1 / (x - 1)`") == true)
    }

    @Test func dotAgreesWithAPlainLoop() async throws {
        let seed = TestSeed()
        var generator = seed.generator
        for _ in 0..<50 {
            let n = Int.random(in: 1...6, using: &generator), k = Int.random(in: 1...3, using: &generator)
            let tensor = (0..<(k * k * n)).map { _ in Double.random(in: -10...10, using: &generator) }
            let mu = (0..<n).map { _ in Double.random(in: 0...1, using: &generator) }
            var schema = Schema()
            let s = try schema.declareScalar("s")
            let muSlot = try schema.declareArray("mu", shape: [n])
            try schema.declareConstant("C", array: ArrayValue(shape: [k, k, n], elements: tensor))
            let expression = try CompiledExpression("dot(C[s][mod(s + 1, \(k))], mu) + dot(mu, mu)", schema: schema)
            var env = Environment(schema: schema)
            try env.bind(muSlot, to: mu)
            for i in 0..<k {
                env[s] = Double(i)
                let j = (i + 1) % k
                var expected = 0.0
                for t in 0..<n { expected += tensor[(i * k + j) * n + t] * mu[t] }
                var square = 0.0
                for t in 0..<n { square += mu[t] * mu[t] }
                expected += square
                #expect(try expression.evaluate(in: env) == expected, "\(seed)")
            }
            // Both constant: folded to the same sum.
            let folded = try CompiledExpression("dot(C[0][0], C[\(k - 1)][\(k - 1)])", schema: schema)
            var sum = 0.0
            for t in 0..<n { sum += tensor[t] * tensor[((k - 1) * k + k - 1) * n + t] }
            #expect(folded.constantValue == sum, "\(seed)")
        }
    }

    @Test func dotChecksShapesWhenCompiled() throws {
        let mismatch = fixture.failure("dot(mu, v)")
        #expect(mismatch?.kind == .dotShapeMismatch(first: [4], second: [3]))
        #expect(fixture.failure("dot(m, v)")?.kind == .dotShapeMismatch(first: [2, 3], second: [3]))
        #expect(fixture.failure("dot(x, v)")?.kind == .dotShapeMismatch(first: [], second: [3]))
        let row: Double = 3 * 1 + 4 * 2 + 5 * 3
        #expect(try fixture.value("dot(m[1], v)") == row)
        let whole: Double = 0 - 2 + 6 - 12 + 20 - 30
        #expect(try fixture.value("dot(w, m)") == whole)
        // An index out of range is an evaluation error naming the array.
        #expect(fixture.failure("dot(m[x], v)", ["x": 2])?.stage == .evaluation)
    }
}
