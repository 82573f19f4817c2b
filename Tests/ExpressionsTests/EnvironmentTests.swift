import Expressions
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Environments and evaluation")
struct EnvironmentTests {
    @Test func slotsAndBindings() throws {
        let f = fixture
        var env = Environment(schema: f.schema)
        let reward = try CompiledExpression("-abs(s - B) - log(mu[s])", schema: f.schema.restricted(toVariables: ["s", "mu"]))
        let radius = try CompiledExpression("0.1 * (1 - mu[s]) + a", schema: f.schema.restricted(toVariables: ["s", "a", "mu"]))
        var mu: [Double] = [0.25, 0.25, 0.25, 0.25]
        try env.bind(f.mu, to: mu)
        env[f.s] = 1
        env[f.a] = 0
        #expect(env[f.s] == 1)
        #expect(isApproximatelyEqual(try reward.evaluate(in: env), -log(0.25), absolute: 0, relative: 1e-9))
        #expect(isApproximatelyEqual(try radius.evaluate(in: env), 0.075, absolute: 0, relative: 1e-9))
        // Rebinding a new mean field changes the value; the caller's array is not modified.
        mu = [0.1, 0.5, 0.2, 0.2]
        try env.bind(f.mu, to: mu)
        #expect(isApproximatelyEqual(try reward.evaluate(in: env), -log(0.5), absolute: 0, relative: 1e-9))
        env[f.s] = 3
        #expect(isApproximatelyEqual(try reward.evaluate(in: env), -2 - log(0.2), absolute: 0, relative: 1e-9))
        #expect(mu == [0.1, 0.5, 0.2, 0.2])
    }

    @Test func bindingErrors() throws {
        let f = fixture
        var env = Environment(schema: f.schema)
        #expect(throws: ExpressionError(.bindingShapeMismatch(name: "mu", expected: 4, found: 3))) {
            try env.bind(f.mu, to: [1, 2, 3])
        }
        #expect(throws: ExpressionError(.bindingShapeMismatch(name: "w", expected: 6, found: 4))) {
            try env.bind("w", to: [1, 2, 3, 4])
        }
        #expect(throws: ExpressionError.self) { try env.bind("v", to: [1, 2, 3]) }       // constant
        #expect(throws: ExpressionError.self) { try env.bind("s", to: [1]) }             // scalar
        #expect(throws: ExpressionError.self) { try env.set("mu", to: 1) }               // array
        #expect(throws: ExpressionError.self) { try env.set("states", to: 1) }           // constant
        #expect(throws: ExpressionError.self) { try env.set("nope", to: 1) }
    }

    @Test func unboundArrayIsAnError() throws {
        let env = Environment(schema: fixture.schema)
        let expression = try CompiledExpression("1 + mu[0]", schema: fixture.schema)
        let error = try #require(throws: ExpressionError.self) { try expression.evaluate(in: env) }
        #expect(error.kind == .unboundArray("mu"))
        #expect(error.excerpt == "mu[0]")
        let sum = try CompiledExpression("sum(w)", schema: fixture.schema)
        #expect(throws: ExpressionError(.unboundArray("w"), position: SourcePosition(line: 1, column: 1), excerpt: "sum(w)")) {
            try sum.evaluate(in: env)
        }
        // Constant arrays need no binding; scalars start at zero.
        #expect(try CompiledExpression("m[1][s] + x", schema: fixture.schema).evaluate(in: env) == 3)
    }

    @Test func environmentFromAnotherSchemaIsRejected() throws {
        var other = Schema()
        try other.declareScalar("s")
        let expression = try CompiledExpression("s + 1", schema: other)
        #expect(throws: ExpressionError(.environmentMismatch)) {
            try expression.evaluate(in: Environment(schema: fixture.schema))
        }
        // Views share the layout, so one environment serves them all.
        var env = Environment(schema: other.hiding([]))
        try env.set("s", to: 2)
        #expect(try expression.evaluate(in: env) == 3)
        // Declaring more names makes a new layout.
        var extended = other
        try extended.declareScalar("t")
        #expect(throws: ExpressionError(.environmentMismatch)) {
            try expression.evaluate(in: Environment(schema: extended))
        }
    }

    @Test func compiledExpressionsAreSendable() async throws {
        let expression = try CompiledExpression("mu[s] * 2 + s", schema: fixture.schema)
        let results = try await withThrowingTaskGroup(of: Double.self) { group in
            for state in 0..<4 {
                group.addTask {
                    var env = try fixture.environment()
                    env[fixture.s] = Double(state)
                    return try expression.evaluate(in: env)
                }
            }
            var total = 0.0
            for try await value in group { total += value }
            return total
        }
        #expect(isApproximatelyEqual(results, 2 + 6, absolute: 0, relative: 1e-9))
    }

    @Test func manyEvaluationsOfATransition() throws {
        // The shape of the loader's inner loop: set s, a, t; evaluate; no allocation per call.
        let f = fixture
        let p = try CompiledExpression("(1 - noise) * (t == mod(s + a - 1, states)) + noise * (t == s)",
                                       schema: f.schema.restricted(toVariables: ["s", "a", "t"]))
        var env = try f.environment()
        for s in 0..<4 {
            for a in 0..<3 {
                env[f.s] = Double(s)
                env[f.a] = Double(a)
                var row = 0.0
                for t in 0..<4 {
                    env[f.t] = Double(t)
                    let value = try p.evaluate(in: env)
                    #expect(value >= 0)
                    row += value
                }
                #expect(isApproximatelyEqual(row, 1, absolute: 0, relative: 1e-9))
            }
        }
    }
    /// Replacing three scalars and `mu` for one evaluation (the path of the `{next, noise}`
    /// rows of game files) gives the value and the error of binding them in a copy of the
    /// environment, on random values, zeros, out-of-range indices, a wrong `mu` length and a
    /// non-finite result; the environment itself is left unchanged.
    @Test func threeReplacementsEqualBindingInACopy() throws {
        let f = fixture
        let seed = TestSeed()
        var rng = seed.generator
        let sources = [
            "mu[s] * t + a - v[a]",
            "(1 - noise) * exp(-2 * states * mu[mod(s + a + floor(t), states)]) + w[1][a]",
            "if(t > 0, log(mu[s]), mu[a])",  // log of a zero entry: not finite
            "mu[s + floor(t)]",  // out of range for t >= 4 - s
            "sum(mu) + dot(mu, mu) - t",
        ]
        let base = try f.environment(["s": 1, "a": 2, "t": 0.5])
        var outcomes = (values: 0, errors: 0)
        for source in sources {
            let expression = try CompiledExpression(source, schema: f.schema)
            for _ in 0..<40 {
                let s = Double(rng.next() % 4), a = Double(rng.next() % 3)
                let t = rng.next() % 5 == 0 ? 0 : Double(rng.next() % 9) - 2 + (rng.next() % 2 == 0 ? 0 : rng.unit())
                var mu = (0..<4).map { _ in rng.next() % 4 == 0 ? 0 : rng.unit() }
                if rng.next() % 10 == 0 { mu.append(0.5) }  // wrong length: a binding error
                var copy = base
                let want: Result<Double, ExpressionError>
                do throws(ExpressionError) {
                    try copy.bind(f.mu, to: mu)
                    copy[f.s] = s
                    copy[f.a] = a
                    copy[f.t] = t
                    want = .success(try expression.evaluate(in: copy))
                } catch {
                    want = .failure(error)
                }
                let got: Result<Double, ExpressionError>
                do throws(ExpressionError) {
                    got = .success(try expression.evaluate(in: base, setting: f.s, to: s, f.a, to: a, f.t, to: t,
                                                           binding: f.mu, to: mu))
                } catch {
                    got = .failure(error)
                }
                switch (got, want) {
                case let (.success(x), .success(y)):
                    outcomes.values += 1
                    #expect(x == y, "\(source) at s=\(s) a=\(a) t=\(t) mu=\(mu): \(x) != \(y), \(seed)")
                case let (.failure(x), .failure(y)):
                    outcomes.errors += 1
                    #expect(x == y, "\(source): \(x) != \(y), \(seed)")
                default:
                    Issue.record("\(source) at s=\(s) a=\(a) t=\(t) mu=\(mu): \(got) against \(want), \(seed)")
                }
            }
        }
        #expect(outcomes.values >= 50 && outcomes.errors >= 10, "\(outcomes), \(seed)")
        #expect(base[f.s] == 1 && base[f.a] == 2 && base[f.t] == 0.5)
        #expect(try CompiledExpression("sum(mu)", schema: f.schema).evaluate(in: base) == Fixture.defaultMu.reduce(0, +))
    }
}
