import Ambiguity
@testable import MeanField
import Testing
import TestSupport

/// `EquilibriumOptions.exact`: every inner problem of the final pair re-solved by
/// `glp_exact` (rational arithmetic) and compared with the value the solver used.
@Suite struct ExactVerificationTests {
    /// The acceptance rule of `rmfg solve --exact`: `1e-9·(1 + max|V|)`.
    static func accepted(_ report: ExactVerificationReport, _ result: EquilibriumResult) -> Bool {
        Acceptance.accepts(report.maxDisagreement, values: result.values)
            && Acceptance.accepts(report.maxDisagreement, values: result.optimalValues)
    }

    /// Every polyhedral set (radius 0, ordinary and huge radii included), closed forms and
    /// the LP path, on random garnets: the exact LP agrees with the value the solver used,
    /// and the float LP (`verify`) agrees too.
    @Test func agreesOnRandomGarnetsForEveryPolyhedralSet() throws {
        let n = 6, m = 2
        let sets = try BellmanTests.sets(n).filter { $0.0.kind.isPolyhedral }
            + [(.totalVariation(), 0), (.totalVariation(), 50), (try AmbiguitySet(kind: .linf), 1e6)]
        for (k, (set, radius)) in sets.enumerated() {
            for inner in [InnerMethod.closedForm, .lp] where inner == .closedForm || k % 2 == 0 {
                let game = try TestGames.garnet(n: n, m: m, k: 3, set: set, radius: radius, seed: UInt64(700 + k))
                var options = EquilibriumOptions(temperature: 0.3, inner: inner, verify: true)
                options.exact = true
                let result = try game.solveEquilibrium(options: options)
                let report = try #require(result.exactVerification)
                #expect(report.rowsChecked == 2 * n * m && report.isExact && report.nonPolyhedralRows == 0)
                #expect(report.compared == inner)
                #expect(Self.accepted(report, result), "\(set.kind) ρ=\(radius) \(inner): \(report)")
                #expect(try #require(result.verification).maxDisagreement <= 1e-9, "\(set.kind) ρ=\(radius)")
            }
        }
    }

    /// The LP path's counters are the solve's own: the exact check does not add its sweeps.
    @Test func statisticsAreTheSolvesOwn() throws {
        let game = try TestGames.garnet(n: 6, m: 2, k: 3, set: .totalVariation(), radius: 0.2, seed: 5)
        var options = EquilibriumOptions(temperature: 0.3, inner: .lp)
        let plain = try game.solveEquilibrium(options: options)
        options.exact = true
        let checked = try game.solveEquilibrium(options: options)
        #expect(plain.lpStatistics == checked.lpStatistics)
        #expect(plain.meanField == checked.meanField)
    }

    /// Moment and polyhedral row sets (no closed form): the LP path's compact programs agree
    /// with the full programs solved exactly.
    @Test func agreesOnMomentAndPolyhedralGames() throws {
        let n = 7
        for seed in UInt64(40)..<43 {
            let moment = try TestGames.garnet(n: n, m: 2, k: 3, set: .nominalOnly, radius: 0, seed: seed)
                .withRowSets { _, _, _, p throws(AmbiguityError) in
                    try PolyhedralSet.moment(features: [(0..<p.count).map(Double.init), (0..<p.count).map { Double($0 * $0) / 10 }],
                                             radii: [0.3, 0.2], nominal: p)
                }
            let boxInTV = try TestGames.garnet(n: n, m: 2, k: 3, set: .nominalOnly, radius: 0, seed: seed)
                .withRowSets { _, _, _, p throws(AmbiguityError) in
                    let low = (0..<p.count).map { $0 < 3 ? 1.0 : 0 }
                    let mass = zip(low, p).map(*).reduce(0, +)
                    return try PolyhedralSet(constraints: [LinearConstraint(name: "low", coefficients: low, relation: .greaterEqual,
                                                                            bound: mass - 0.05)],
                                             within: .totalVariation(), radius: 0.2)
                }
            for game in [moment, boxInTV] {
                var options = EquilibriumOptions(temperature: 0.3)
                options.exact = true
                let result = try game.solveEquilibrium(options: options)
                let report = try #require(result.exactVerification)
                #expect(report.rowsChecked == 2 * n * 2 && report.isExact && report.compared == .lp)
                #expect(Self.accepted(report, result), "seed \(seed): \(report)")
            }
        }
    }

    /// `kl` and `chi2` are not linear programs: no row is counted as exactly checked; each
    /// is checked by its certified dual instead.
    @Test(arguments: [AmbiguityKind.kl, .chi2])
    func nonPolyhedralSetsAreReportedNotExact(kind: AmbiguityKind) throws {
        let game = try TestGames.garnet(n: 5, m: 2, k: 3, set: AmbiguitySet(kind: kind), radius: 0.2, seed: 9)
        var options = EquilibriumOptions(temperature: 0.5)
        options.exact = true
        let result = try game.solveEquilibrium(options: options)
        let report = try #require(result.exactVerification)
        #expect(!report.isExact && report.rowsChecked == 0 && report.maxDisagreement == 0)
        #expect(report.nonPolyhedralRows == 2 * 5 * 2)
        #expect(Acceptance.accepts(report.certifiedMaxDisagreement, values: result.optimalValues))
    }

    /// The exact LP's optimum equals the closed form to rounding (1e-14 with `|V| ≤ 10`;
    /// GLPK's own reading of non-integral doubles would be off by about 1e-10 here), and the
    /// check sees a wrong value: a `σ` off by 1e-6 is reported as off by 1e-6.
    @Test func aWrongValueIsSeen() throws {
        let n = 6
        let game = try TestGames.garnet(n: n, m: 2, k: 3, set: .totalVariation(), radius: 0.2, seed: 12)
        let snap = try game.snapshot(at: [Double](repeating: 1 / Double(n), count: n))
        var rng = SplitMix64(seed: 4)
        let v = TestGames.randomVector(n, scale: 10, rng: &rng)
        let used = try ExactCheck.usedValues(snapshot: snap, values: v, engine: nil)
        for i in 0..<(n * 2) {
            let right = try ExactCheck.exactDisagreement(snapshot: snap, row: i, values: v, used: used[i])
            let wrong = try ExactCheck.exactDisagreement(snapshot: snap, row: i, values: v, used: used[i] + 1e-6)
            #expect(right <= 1e-14, "row \(i): \(right)")
            #expect(abs(wrong - 1e-6) <= 1e-14, "row \(i): \(wrong)")
        }
        // A non-finite value function is an infinite disagreement, never 0.
        var bad = v
        bad[0] = .nan
        let report = try ExactCheck.verify(snapshot: snap, valueFunctions: [bad], engine: nil)
        #expect(report.maxDisagreement == .infinity && report.rowsChecked == n * 2)
    }
}
