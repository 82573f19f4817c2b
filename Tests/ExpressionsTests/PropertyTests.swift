import Expressions
import PropertyBased
import Testing
import TestSupport

@Suite("Properties")
struct PropertyTests {
    static let choices = Gen.int(in: 0...1_000).array(of: 1...60)

    @Test func compiledEvaluationAgreesWithReferenceEvaluation() async {
        var agreedOnValue = 0
        await propertyCheck(count: 1_500, input: Self.choices, Gen.double(in: -3...3), Gen.double(in: -3...3)) {
            choices, x, y in
            let tree = ReferenceTree.build(choices)
            let source = tree.description
            let mu = [0.1, 0.2, 0.3, 0.4]
            let expected = try? tree.evaluate(x: x, y: y, mu: mu)
            let actual: Double?
            do throws(ExpressionError) {
                actual = try fixture.value(source, ["x": x, "y": y], mu: mu)
            } catch {
                // Only evaluation errors are allowed: the text always parses and type-checks.
                #expect(error.stage == .evaluation, "\(source): \(error)")
                actual = nil
            }
            switch (expected, actual) {
            case let (e?, a?):
                #expect(isApproximatelyEqual(a, e, absolute: 0, relative: 1e-12), "\(source) with x=\(x), y=\(y): \(a) vs \(e)")
                agreedOnValue += 1
            case (nil, nil):
                break
            default:
                Issue.record("\(source) with x=\(x), y=\(y): reference \(String(describing: expected)), compiled \(String(describing: actual))")
            }
        }
        // Most random expressions have a value (the rest hit a domain error in both).
        #expect(agreedOnValue > 750, "only \(agreedOnValue) of 1500 cases had a value")
    }

    @Test func printedTreesReparseToTheSameValueWithRedundantParentheses() async {
        await propertyCheck(count: 300, input: Self.choices, Gen.double(in: -3...3)) { choices, x in
            let source = ReferenceTree.build(choices).description
            let plain = try? fixture.value(source, ["x": x, "y": 1])
            let wrapped = try? fixture.value("((" + source + "))", ["x": x, "y": 1])
            #expect(plain == wrapped || (plain?.isNaN == true && wrapped?.isNaN == true), "\(source)")
        }
    }

    @Test func constantExpressionsFoldToTheirValue() async {
        // With every variable replaced by a literal, compilation alone gives the value.
        await propertyCheck(count: 500, input: Self.choices) { choices in
            let mu = [0.1, 0.2, 0.3, 0.4]
            let tree = ReferenceTree.build(choices).substituting(x: 0.5, y: 2, mu: mu)
            let source = tree.description
            let expected = try? tree.evaluate(x: 0, y: 0, mu: mu)
            do throws(ExpressionError) {
                let expression = try CompiledExpression(source, schema: fixture.schema)
                #expect(expression.isConstant, "\(source)")
                #expect(expression.variables.isEmpty)
                let value = try expression.evaluate(in: Environment(schema: fixture.schema))
                #expect(value == expression.constantValue)
                #expect(expected.map { isApproximatelyEqual($0, value, absolute: 0, relative: 1e-12) } == true, "\(source)")
            } catch {
                // A constant expression that fails, fails when compiled.
                #expect(error.stage == .evaluation, "\(source): \(error)")
                #expect(expected == nil, "\(source): \(error)")
            }
        }
    }
}
