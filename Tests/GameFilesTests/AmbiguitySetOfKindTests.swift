import Ambiguity
import Foundation
import GameFiles
import Testing

/// `GameFile.ambiguitySet(_:defaultCost:)`: one file's support, weights and ground cost
/// under another set kind (what a sweep needs), without reloading the file.
@Suite("Ambiguity sets of another kind from one game file")
struct AmbiguitySetOfKindTests {
    static func text(cost: String?, weights: String? = "1 + t", set: String = "tv", support: String = "nominal") -> String {
        """
        name: three
        states: 3
        actions: 2
        discount: 0.9
        reward: "s - a"
        transition: "(t == s)"
        ambiguity:
          set: \(set)
          radius: 0.1
          support: \(support)
        \(cost.map { "  cost: \"\($0)\"\n" } ?? "")\(weights.map { "  weights: \"\($0)\"\n" } ?? "")
        """
    }

    @Test("wasserstein and l1 sets carry the file's cost, weights and support")
    func carriesTheFilesData() throws {
        let file = try GameFile.parse(text: Self.text(cost: "(s - t)^2"), path: "three.yaml")
        // The cost and the weights computed here directly from their formulas.
        let matrix = (0..<3).map { s in (0..<3).map { t in Double((s - t) * (s - t)) } }
        let wasserstein = try file.ambiguitySet(.wasserstein)
        #expect(wasserstein == (try AmbiguitySet(kind: .wasserstein, support: .nominal, cost: try GroundCost(matrix))))
        let l1 = try file.ambiguitySet(.l1)
        #expect(l1 == (try AmbiguitySet(kind: .l1, support: .nominal, weights: [1, 2, 3])))
        #expect(try file.ambiguitySet(.tv) == file.ambiguitySet)
        #expect(try file.ambiguitySet(.kl) == (try AmbiguitySet(kind: .kl, support: .nominal)))
    }

    @Test("without a cost, wasserstein takes the default or names ambiguity.cost")
    func defaultCost() throws {
        let file = try GameFile.parse(text: Self.text(cost: nil), path: "three.yaml")
        do {
            _ = try file.ambiguitySet(.wasserstein)
            Issue.record("built a wasserstein set without any ground cost")
        } catch {
            #expect(error.field == "ambiguity.cost" && error.file == "three.yaml")
        }
        let fallback = try GroundCost([[0, 1, 2], [1, 0, 1], [2, 1, 0]])
        var calls = 0
        let set = try file.ambiguitySet(.wasserstein) { calls += 1; return fallback }
        #expect(set.cost == fallback && calls == 1)
        _ = try file.ambiguitySet(.l1) { calls += 1; return fallback }
        #expect(calls == 1, "the default is built only when it is used")
    }

    /// A cost that is valid as an expression but zero off the diagonal is refused when a
    /// wasserstein set is asked for, naming the field and the states (the file's own set is tv).
    @Test("an invalid cost is refused naming the states")
    func invalidCost() throws {
        // Up to 1,000 states the cost is checked when the file is read, whatever the set.
        #expect(throws: GameFileError.self) { try GameFile.parse(text: Self.text(cost: "abs(s - t) * (s != 1)"), path: "three.yaml") }
    }

    @Test("GroundCostExpression reports typed failures")
    func expressionFailures() throws {
        #expect(try GroundCostExpression.matrix("abs(s - t) / states", states: 2) == [[0, 0.5], [0.5, 0]])
        #expect(throws: (any Error).self) { try GroundCostExpression.matrix("s + u", states: 2) }
        do {
            _ = try GroundCostExpression.matrix("1 / (s + t - 2)", states: 2)
            Issue.record("evaluated a division by zero")
        } catch {
            guard case let .evaluation(s, t, _) = error else { Issue.record("expected an evaluation failure, got \(error)"); return }
            #expect(s == 1 && t == 1)
        }
    }
}
