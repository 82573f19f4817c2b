@testable import Expressions
import Foundation
import Testing

/// `CompiledExpression.rowInputs(knownBindings:)`: which known bindings and whether any scalar an
/// expression reads, the code of known bindings skipped (their values are preloaded).
@Suite("What an expression reads from a row")
struct RowInputsTests {
    /// `p = x + 1`, `q = p * 2`, `g = exp(-mu[1] * q)` (slots 0, 1, 2).
    static func schema() throws -> Schema {
        var schema = fixture.schema
        try schema.declareBinding("p", source: "x + 1")
        try schema.declareBinding("q", source: "p * 2")
        try schema.declareBinding("g", source: "exp(-mu[1] * q)")
        #expect(schema.bindingNames == ["p", "q", "g"])
        return schema
    }

    @Test(arguments: [
        ("g", [1], [1], false),  // the key read, its code (which reads x) skipped
        ("1 - g", [1], [1], false),
        ("g", [0], [0], false),  // q's code runs and recalls p
        ("g", [], [], true),  // everything runs: x
        ("g + x", [1], [1], true),
        ("if(mu[0] > 5, x, g)", [1], [1], true),  // a branch that never runs still counts
        ("g * p", [0, 1], [0, 1], false),
        ("mu[0] * q + g", [1], [1], false),
        ("sum(mu) + 2", [0, 1, 2], [], false),
        ("mu[s]", [0, 1, 2], [], true),
        ("m[0][a]", [], [], true),
        ("g", [2], [2], false),
    ])
    func readsWhatTheCodeOutsideKnownBindingsReads(source: String, known: [Int], bindings: [Int], scalars: Bool) throws {
        let expression = try CompiledExpression(source, schema: Self.schema())
        let inputs = expression.rowInputs(knownBindings: Set(known))
        #expect(inputs.bindings == Set(bindings), "\(source)")
        #expect(inputs.readsScalars == scalars, "\(source)")
    }

    /// The claim behind it: with the known bindings preloaded, an expression that reads no scalar
    /// gives the same bits at every `x`, `y`, `s` (here 200 scattered scalars, `q` known).
    @Test func noScalarsMeansTheSameValueAtEveryRow() throws {
        let schema = try Self.schema()
        let expression = try CompiledExpression("1 - g * mu[2] + q", schema: schema)
        let inputs = expression.rowInputs(knownBindings: [1])
        #expect(inputs.bindings == [1] && !inputs.readsScalars)
        var env = Environment(schema: schema)
        try env.bind(fixture.mu, to: Fixture.defaultMu)
        try env.bind(fixture.w, to: Fixture.defaultW)
        var values = Set<UInt64>()
        try env.withBindingMemo { memo throws(ExpressionError) in
            for i in 0..<200 {
                for (k, name) in ["x", "y", "s"].enumerated() { try env.set(name, to: sin(Double(i * 3 + k)) * 5) }
                memo.clear()
                let vValue = 7.25
                withUnsafePointer(to: 1) { slot in
                    withUnsafePointer(to: vValue) { value in memo.preload(slot, width: 1, values: value, known: nil) }
                }
                var replacements = Replacements.none
                replacements.memo = memo
                values.insert(try expression.evaluate(in: env, replacements).bitPattern)
            }
        }
        #expect(values.count == 1)
    }
}
