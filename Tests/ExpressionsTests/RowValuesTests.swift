import Expressions
import PropertyBased
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TestSupport

/// ``CompiledExpression/rowValues(in:states:actions:setting:_:binding:to:)``, the rewards of every
/// row of a game file at one mean field: bit for bit the row-by-row evaluations, and `nil`
/// whenever one of them throws or is not finite (the caller then reports that row's error).
@Suite struct RowValuesTests {
    static let sources = [
        "-abs(s - B) - log(mu[s]) + a",
        "if(s > a, mu[s] * v[a], m[s % 2][a] - mu[a])",
        "sum(mu) * s - a / 3 + max(mu)",
        "w[s % 2][a] * mu[s] ^ 2 + clamp(s - a, 0, 1)",
        "dot(mu, mu) + mu[(s + a) % states]",
        "x + y * s",
    ]

    static func rowByRow(_ e: CompiledExpression, _ env: Environment, mu: [Double]) -> [Result<Double, ExpressionError>] {
        (0..<4).flatMap { s in
            (0..<3).map { a in
                Result { () throws(ExpressionError) in
                    try e.evaluate(in: env, setting: fixture.s, to: Double(s), fixture.a, to: Double(a), binding: fixture.mu, to: mu)
                }
            }
        }
    }

    @Test(arguments: sources) func sameBitsAsRowByRow(source: String) throws {
        let e = try CompiledExpression(source, schema: fixture.schema)
        // The environment's own `s`, `a` and `mu` must not matter; its other scalars must.
        let env = try fixture.environment(["s": 3, "a": 2, "x": 0.25, "y": -1.5], mu: [0.7, 0.1, 0.1, 0.1])
        for mu in [Fixture.defaultMu, [0.25, 0.25, 0.25, 0.25], [0.01, 0.02, 0.03, 0.94]] {
            let batch = try #require(e.rowValues(in: env, states: 4, actions: 3, setting: fixture.s, fixture.a,
                                                 binding: fixture.mu, to: mu))
            let single = try Self.rowByRow(e, env, mu: mu).map { try $0.get() }
            #expect(batch.map(\.bitPattern) == single.map(\.bitPattern), "\(source) at \(mu)")
        }
    }

    /// A row that throws or is not finite gives `nil`, as does a constant, a wrong `mu` or an
    /// environment of another schema; the rows themselves report the error.
    @Test func failuresGiveNil() throws {
        let env = try fixture.environment()
        for source in ["log(mu[s] - 0.15)", "1 / (s - 2)", "exp(800 * a)", "v[s]"] {
            let e = try CompiledExpression(source, schema: fixture.schema)
            #expect(e.rowValues(in: env, states: 4, actions: 3, setting: fixture.s, fixture.a, binding: fixture.mu,
                                to: Fixture.defaultMu) == nil, "\(source)")
            #expect(Self.rowByRow(e, env, mu: Fixture.defaultMu).contains { if case .failure = $0 { return true }; return false },
                    "\(source)")
        }
        let constant = try CompiledExpression("2 * states", schema: fixture.schema)
        #expect(constant.rowValues(in: env, states: 4, actions: 3, setting: fixture.s, fixture.a, binding: fixture.mu,
                                   to: Fixture.defaultMu) == nil)
        let e = try CompiledExpression("mu[s] + a", schema: fixture.schema)
        #expect(e.rowValues(in: env, states: 4, actions: 3, setting: fixture.s, fixture.a, binding: fixture.mu, to: [0.5, 0.5]) == nil)
        #expect(e.rowValues(in: env, states: 4, actions: 3, setting: fixture.s, fixture.s, binding: fixture.mu,
                            to: Fixture.defaultMu) == nil)
        let other = Environment(schema: Fixture().schema)
        #expect(e.rowValues(in: other, states: 4, actions: 3, setting: fixture.s, fixture.a, binding: fixture.mu,
                            to: Fixture.defaultMu) == nil)
        #expect(e.rowValues(in: env, states: 0, actions: 3, setting: fixture.s, fixture.a, binding: fixture.mu,
                            to: Fixture.defaultMu) == [])
    }

    /// Random mean fields: the batch against row-by-row evaluation and a plain Swift reference.
    @Test func randomMeanFieldsMatchAReference() async {
        let e: CompiledExpression
        do { e = try CompiledExpression("-abs(s - B) - log(mu[s]) + 0.5 * a * mu[a]", schema: fixture.schema) } catch {
            Issue.record("\(error)")
            return
        }
        await propertyCheck(count: 200, input: Gen.double(in: 0.01...1), Gen.double(in: 0.01...1), Gen.double(in: 0.01...1)) { p, q, r in
            let total = p + q + r + 0.5
            let mu = [p / total, q / total, r / total, 0.5 / total]
            guard let env = try? fixture.environment(),
                  let batch = e.rowValues(in: env, states: 4, actions: 3, setting: fixture.s, fixture.a, binding: fixture.mu, to: mu)
            else {
                Issue.record("no batch at \(mu)")
                return
            }
            let single = Self.rowByRow(e, env, mu: mu).map { (try? $0.get()) ?? .nan }
            #expect(batch.map(\.bitPattern) == single.map(\.bitPattern))
            for s in 0..<4 {
                for a in 0..<3 {
                    let reference = -abs(Double(s) - 1) - log(mu[s]) + 0.5 * Double(a) * mu[a]
                    #expect(isApproximatelyEqual(batch[s * 3 + a], reference, absolute: 1e-15, relative: 1e-14))
                }
            }
        }
    }
}
