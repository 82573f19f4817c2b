import Ambiguity
import Testing

/// Validated entry points reject bad input with an error naming the field.
@Suite("Validation")
struct ValidationTests {
    func field(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as AmbiguityError {
            if case let .invalidArgument(field, message) = error {
                #expect(!message.isEmpty)
                return field.description
            }
            return "linearProgram"
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func rejectsBadInput() throws {
        let tv = AmbiguitySet.totalVariation()
        #expect(field { _ = try tv.worstCase(nominal: [], values: [], radius: 0.1) } == "nominal")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, .nan], values: [0, 1], radius: 0.1) } == "nominal")
        #expect(field { _ = try tv.worstCase(nominal: [1.5, -0.5], values: [0, 1], radius: 0.1) } == "nominal")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, 0.4], values: [0, 1], radius: 0.1) } == "nominal")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, .infinity], values: [0, 1], radius: 0.1) } == "nominal")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, 0.5], values: [0], radius: 0.1) } == "values")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, 0.5], values: [0, .nan], radius: 0.1) } == "values")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, 0.5], values: [0, -.infinity], radius: 0.1) } == "values")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, 0.5], values: [0, 1], radius: -0.1) } == "radius")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, 0.5], values: [0, 1], radius: .nan) } == "radius")
        #expect(field { _ = try tv.worstCase(nominal: [0.5, 0.5], values: [0, 1], radius: .infinity) } == "radius")
        let l1 = try AmbiguitySet(kind: .l1, weights: [1, 2, 3])
        #expect(field { _ = try l1.worstCase(nominal: [0.5, 0.5], values: [0, 1], radius: 0.1) } == "weights")
        #expect(field { _ = try AmbiguitySet(kind: .l1, weights: [1, 0]) } == "weights")
        #expect(field { _ = try AmbiguitySet(kind: .l1, weights: [1, .nan]) } == "weights")
        #expect(field { _ = try AmbiguitySet(kind: .tv, weights: [1, 1]) } == "weights")
        #expect(field { _ = try AmbiguitySet(kind: .wasserstein) } == "cost")
        #expect(field { _ = try GroundCost([[0, 1], [1, 1]]) } == "cost")
        #expect(field { _ = try GroundCost([[0, -1], [1, 0]]) } == "cost")
        #expect(field { _ = try GroundCost([[0, 1], [1]]) } == "cost")
        // Issue 19: a zero cost off the diagonal is refused (σ would jump at ρ = 0).
        #expect(field { _ = try GroundCost([[0, 0, 1], [1, 0, 1], [1, 1, 0]]) } == "cost")
        let w = try AmbiguitySet(kind: .wasserstein, cost: GroundCost([[0, 1, 1], [1, 0, 1], [1, 1, 0]]))
        #expect(field { _ = try w.worstCase(nominal: [0.5, 0.5], values: [0, 1], radius: 0.1) } == "cost")
        #expect(field { _ = try w.worstCaseLP(nominal: [0.5, 0.5], values: [0, 1], radius: 0.1) } == "cost")
        // kl and chi2 have no LP formulation.
        #expect(field { _ = try AmbiguitySet(kind: .kl).linearProgram(nominal: [0.5, 0.5], values: [0, 1], radius: 0.1) } == "set")
        #expect(field { _ = try AmbiguitySet(kind: .chi2).worstCaseLP(nominal: [0.5, 0.5], values: [0, 1], radius: 0.1) } == "set")
    }

    @Test func acceptsSumWithinTolerance() throws {
        // 1e-10 off is accepted (within 1e-9) and not renormalized: σ uses p as given.
        let w = try AmbiguitySet(kind: .none).worstCase(nominal: [0.5, 0.5 + 1e-10], values: [1, 1], radius: 0)
        #expect(w.value == 0.5 + (0.5 + 1e-10))
    }

    /// The typed fields print as the names the messages (and the CLI's and C ABI's
    /// mappings) have always used, and the error's `field`/`message` split a message.
    @Test func fieldNames() throws {
        let names: [(AmbiguityError.Field, String)] = [
            (.nominal, "nominal"), (.values, "values"), (.radius, "radius"), (.weights, "weights"), (.cost, "cost"),
            (.features, "features"), (.constraints, "constraints"), (.relations, "relations"), (.bounds, "bounds"),
            (.set, "set"), (.ties, "ties"), (.within, "within"),
            (.withinRadius, "within.radius"), (.document("ambiguity.features[2]"), "ambiguity.features[2]"),
            (.row(state: 3, action: 1), "ambiguity at s=3, a=1"),
        ]
        for (field, name) in names { #expect(field.description == name) }
        let error = AmbiguityError.invalidArgument(field: .withinRadius, message: "is -1.0, expected a finite number >= 0")
        #expect(error.description == "within.radius: is -1.0, expected a finite number >= 0")
        #expect(error.field == .withinRadius && error.message == "is -1.0, expected a finite number >= 0")
        #expect(AmbiguityError.linearProgram("infeasible").field == .set)
        #expect(AmbiguityError.outOfRange("σ").message == "σ")
        #expect(throws: AmbiguityError.invalidArgument(field: .withinRadius, message: "is -1.0, expected a finite number >= 0")) {
            try PolyhedralSet(constraints: [], within: .totalVariation(), radius: -1)
        }
    }
}
