import Ambiguity
import Testing

/// `WorstCase.multiplier(_:)` is typed: every multiplier a closed form reports has a `DualMultiplier.Name`.
@Suite("Typed multiplier names")
struct MultiplierNameTests {
    @Test func everyReportedMultiplierHasATypedName() throws {
        let p = [0.2, 0.3, 0.5], v = [1.0, 2.0, 3.0]
        for kind in AmbiguityKind.allCases {
            let cost = kind == .wasserstein ? try GroundCost([[0, 1, 2], [1, 0, 1], [2, 1, 0]]) : nil
            let set = try AmbiguitySet(kind: kind, support: .simplex, cost: cost)
            let w = try set.worstCase(nominal: p, values: v, radius: 0.1)
            for m in w.dual {
                let name = try #require(DualMultiplier.Name(rawValue: m.name), "\(kind): '\(m.name)'")
                #expect(w.multiplier(name) == m.value)
            }
        }
    }
}
