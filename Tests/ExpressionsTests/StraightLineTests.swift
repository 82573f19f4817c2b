import Expressions
import PropertyBased
import Testing
import TestSupport

/// The straight-line evaluator of ``CompiledExpression/rowValues(in:states:actions:setting:_:binding:to:)``
/// against the VM it replaces for short programs: the VM's row-by-row evaluations
/// (``CompiledExpression/evaluate(in:setting:to:_:to:binding:to:memo:)``) give the same bits at
/// every row, and the batch is `nil` exactly when one of them throws or is not finite.
@Suite struct StraightLineTests {
    /// Every instruction the evaluator takes: elements of one, two and three indices (whole,
    /// rounded and out of range), each binary operation with node, scalar and constant operands,
    /// the unary operations, `clamp`, and failures at some rows only.
    static let sources = [
        "R[x][y] - 0.5 * mu[x]", "mu[x] * v[y] - noise * mu[x]", "m[x % 2][y] + w[1][y] * x",
        "cube[y % 2][x % 2][1] - cube[1][0][y % 2]", "v[x * 0.4] + mu[y + 0.3]", "v[x * 0.5]", "mu[x - 1]",
        "w[x - 2][y] / (y - 1)", "x + y", "x - y", "x * y", "x / (y + 1)", "2 - x", "2 + y", "3 * x", "x - 0.25",
        "x + 0.5", "x * 1.5", "x % 2 - y ^ 2", "min(x, y) + max(x - 1, mu[y])", "-x + abs(y - 1)", "exp(-x) * log(y + 1)",
        "sqrt(x - 1)", "floor(x / 3) + ceil(y / 2)", "clamp(x - y, 0, 1)", "clamp(x, y, 1)", "mod(x - 5, 3) + pow(y, 0.5)",
        "(x > y) + (x <= y) * 2 + (x == 1) - (y != 2) + (x >= 2) * (y < 1)", "1 / (x - 2)", "log(mu[x] - 0.15)", "exp(300 * x)",
        "x", "mu[x]",
    ]

    static let schema: (schema: Schema, r: ArraySlot) = {
        var schema = fixture.schema
        do {
            let r = try schema.declareArray("R", shape: [4, 3])
            try schema.declareBinding("z", source: "x * y + mu[x]")
            return (schema, r)
        } catch {
            fatalError("straight-line schema: \(error)")
        }
    }()

    static func environment(mu: [Double], r: [Double]) throws(ExpressionError) -> Environment {
        var env = Environment(schema: schema.schema)
        for (name, value) in ["x": 3.0, "y": 2.0, "s": 1.0, "a": 0.5] { try env.set(name, to: value) }
        try env.bind(fixture.mu, to: [0.7, 0.1, 0.1, 0.1])  // replaced by the batch's `mu`
        try env.bind(fixture.w, to: Fixture.defaultW)
        try env.bind(schema.r, to: r)
        return env
    }

    /// The batch against the VM row by row: the same bits, or `nil` when a row fails.
    static func check(_ e: CompiledExpression, _ env: Environment, mu: [Double], _ label: String) {
        let rows = (0..<12).map { row -> Double? in
            guard let v = try? e.evaluate(in: env, setting: fixture.x, to: Double(row / 3), fixture.y, to: Double(row % 3),
                                          binding: fixture.mu, to: mu), v.isFinite else { return nil }
            return v
        }
        let batch = e.rowValues(in: env, states: 4, actions: 3, setting: fixture.x, fixture.y, binding: fixture.mu, to: mu)
        if e.constantValue != nil {
            #expect(batch == nil, "\(label): a constant has no batch")  // the caller reads the constant
        } else if rows.contains(where: { $0 == nil }) {
            #expect(batch == nil, "\(label): a row fails, the batch gave \(String(describing: batch))")
        } else {
            #expect(batch?.map(\.bitPattern) == rows.map { $0?.bitPattern }, "\(label): \(String(describing: batch)) against \(rows)")
        }
    }

    @Test(arguments: sources) func sameBitsAsTheVM(source: String) throws {
        let e = try CompiledExpression(source, schema: Self.schema.schema)
        if e.constantValue == nil { #expect(e.rowValuesInStraightLine, "\(source) should take the straight line") }
        for mu in [Fixture.defaultMu, [0.01, 0.02, 0.03, 0.94], [0.3, 0.2, 0.25, 0.25]] {
            let env = try Self.environment(mu: mu, r: (0..<12).map { Double($0) * 0.37 - 1.1 })
            Self.check(e, env, mu: mu, "\(source) at \(mu)")
        }
    }

    /// Random expression trees of the language (``ReferenceTree``) over `x`, `y` and `mu`, at
    /// random mean fields: the batch against the VM; most of them take the straight line
    /// (those with `if`, `and`, `or` keep the VM, and must agree too).
    @Test func randomProgramsAgreeWithTheVM() async {
        var straight = 0
        await propertyCheck(count: 600, input: Gen.int(in: 0...1_000).array(of: 1...40), Gen.double(in: 0.01...1),
                            Gen.double(in: 0.01...1)) { choices, p, q in
            let source = ReferenceTree.build(choices).description
            let total = p + q + 1.5
            let mu = [p / total, q / total, 1 / total, 0.5 / total]
            let e: CompiledExpression
            do throws(ExpressionError) {
                e = try CompiledExpression(source, schema: Self.schema.schema)
            } catch {
                // Folding constants can fail (`0 / 0`); the text always parses and type-checks.
                #expect(error.stage == .evaluation, "\(source): \(error)")
                return
            }
            guard let env = try? Self.environment(mu: mu, r: Array(repeating: 1, count: 12)) else {
                Issue.record("no environment")
                return
            }
            if e.rowValuesInStraightLine { straight += 1 }
            Self.check(e, env, mu: mu, source)
        }
        #expect(straight > 200, "only \(straight) of 600 random programs took the straight line")
    }

    /// What the evaluator leaves to the VM: jumps, `let` bindings, reductions, dot products.
    @Test func programsWithJumpsBindingsOrReductionsKeepTheVM() throws {
        for source in ["if(x > 1, mu[x], y)", "x > 1 and y < 2", "z + z * y", "sum(mu) * x", "dot(mu, mu) + y"] {
            let e = try CompiledExpression(source, schema: Self.schema.schema)
            #expect(!e.rowValuesInStraightLine, "\(source)")
            Self.check(e, try Self.environment(mu: Fixture.defaultMu, r: Array(repeating: 0, count: 12)), mu: Fixture.defaultMu, source)
        }
    }
}
