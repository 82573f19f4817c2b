@testable import Expressions
import Foundation
import PropertyBased
import Testing
import TestSupport

/// Superinstructions (a binary operation with a constant operand in one instruction,
/// ``Instruction/binaryConstant(_:_:)`` and ``Instruction/constantBinary(_:_:)``) and the row
/// scope's aliases that apply one of them without the VM (a weight `1 - go`): the same values,
/// bit for bit, and the same errors (message, position, excerpt) as the plain program, which
/// pushes the constant and runs a `binary`.
@Suite("Superinstructions")
struct SuperinstructionTests {
    /// The fused and the plain compilation of `source`, or `nil` when compiling fails (the
    /// errors must then agree).
    static func pair(_ source: String, _ schema: Schema) -> (fused: CompiledExpression, plain: CompiledExpression)? {
        let fused = Result { () throws(ExpressionError) in try CompiledExpression(source, schema: schema, fusingConstants: true) }
        let plain = Result { () throws(ExpressionError) in try CompiledExpression(source, schema: schema, fusingConstants: false) }
        switch (fused, plain) {
        case let (.success(f), .success(p)): return (f, p)
        case let (.failure(f), .failure(p)): #expect(f.description == p.description, "\(source)")
        default: Issue.record("\(source): fused \(fused), plain \(plain)")
        }
        return nil
    }

    /// Whether a program holds a superinstruction.
    static func isFused(_ expression: CompiledExpression) -> Bool {
        expression.instructions.contains {
            switch $0 {
            case .binaryConstant, .constantBinary: return true
            default: return false
            }
        }
    }

    /// Equal results: the same bits, or errors with the same description.
    static func expectSame(_ l: Result<Double, ExpressionError>, _ r: Result<Double, ExpressionError>, _ label: String) {
        switch (l, r) {
        case let (.success(u), .success(v)): #expect(u.bitPattern == v.bitPattern, "\(label): \(u) vs \(v)")
        case let (.failure(u), .failure(v)): #expect(u.description == v.description, "\(label)")
        default: Issue.record("\(label): \(l) vs \(r)")
        }
    }

    @Test func randomExpressionsGiveThePlainProgramsValuesAndErrors() async {
        var fused = 0
        await propertyCheck(count: 600, input: PropertyTests.choices, Gen.double(in: -3...3), Gen.double(in: -3...3)) {
            choices, x, y in
            let source = ReferenceTree.build(choices).description
            // The tree alone, and combined with constants on both sides (`c op tree`, `tree op c`).
            for text in [source, "2.5 - (\(source))", "(\(source)) * 0.5 + 1", "(\(source)) / 0"] {
                guard let (f, p) = Self.pair(text, fixture.schema), let env = try? fixture.environment(["x": x, "y": y]) else { continue }
                #expect(f.instructions.count <= p.instructions.count, "\(text)")
                #expect(f.program.stackSize <= p.program.stackSize, "\(text)")
                if Self.isFused(f) { fused += 1 }
                Self.expectSame(Result { () throws(ExpressionError) in try f.evaluate(in: env) },
                                Result { () throws(ExpressionError) in try p.evaluate(in: env) }, text)
            }
        }
        #expect(fused > 1_000, "only \(fused) fused programs")
    }

    /// A field that is a binding or a scalar combined with a constant, read in a row scope (the
    /// alias path, without the VM, once the binding is known) and through the plain program alone.
    @Test func combinedAliasesGiveThePlainProgramsValuesAndErrors() throws {
        var schema = fixture.schema
        try schema.declareBinding("go", source: "0.9 * exp(-2 * mu[s] * x)")
        try schema.declareBinding("big", source: "exp(x)")
        let fields = ["go", "1 - go", "go * 3", "go / 0", "big - 1", "2 / big", "x + 0.25", "1 - x", "x / 0", "big * 0",
                      "mod(x, 0.75)", "big"]
        for x in [0.0, 1.5, -2, 1000] {
            let env = try BindingMemoTests.environment(schema, ["x": x, "s": 1])
            let compiled = fields.compactMap { Self.pair($0, schema) }
            #expect(compiled.count == fields.count)
            let alone = compiled.map { e in Result { () throws(ExpressionError) in try e.plain.evaluate(in: env) } }
            let scoped = Self.inScope(env, compiled.map(\.fused))
            for (k, (l, r)) in zip(alone, scoped).enumerated() { Self.expectSame(l, r, "\(fields[k]) at x=\(x)") }
        }
        // Every combined field is an alias: the program is the binding or scalar and one superinstruction.
        for field in ["1 - go", "go * 3", "x + 0.25", "1 - x", "x / 0"] {
            let expression = try CompiledExpression(field, schema: schema)
            switch expression.program.alias {
            case .binding(_, _?), .scalar(_, _?): break
            default: Issue.record("\(field) is not a combined alias")
            }
        }
    }

    /// `expressions` evaluated in order in one row scope through handles (bindings remembered
    /// by the first fields read by the later ones).
    static func inScope(_ env: Environment, _ expressions: [CompiledExpression]) -> [Result<Double, ExpressionError>] {
        let layout = RowScope.Layout(environment: env, expressions: expressions)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: layout.capacity) { storage in
            var scope = try? RowScope(environment: env, layout: layout, storage: storage, setting: fixture.s, to: 1, fixture.a,
                                      to: 0, nil, to: 0, binding: fixture.mu, to: Fixture.defaultMu)
            return expressions.map { e in
                Result { () throws(ExpressionError) in
                    guard var row = scope else { throw ExpressionError(.environmentMismatch) }
                    defer { scope = row }
                    return try row.evaluate(e.unretained)
                }
            }
        }
    }

    /// Hand-checked programs: a constant head and a constant operand fold into the operations.
    @Test func constantOperandsFoldIntoTheirOperations() throws {
        let expression = try CompiledExpression("0.5 * exp(3 * mu[s]) - 1", schema: fixture.schema)
        let kinds = expression.instructions.map { instruction -> String in
            switch instruction {
            case let .constantBinary(c, op): return "\(c) \(op)"
            case let .binaryConstant(op, c): return "\(op) \(c)"
            case .scalar: return "scalar"
            case .element: return "element"
            case let .unary(op): return "\(op)"
            default: return "other"
            }
        }
        #expect(kinds == ["scalar", "element", "3.0 multiply", "exp", "0.5 multiply", "subtract 1.0"])
        let env = try fixture.environment(["s": 2])
        #expect(try expression.evaluate(in: env) == 0.5 * Foundation.exp(3 * 0.3) - 1)
    }
}
