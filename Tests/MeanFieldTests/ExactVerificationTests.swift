import Ambiguity
import LinearProgramming
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

/// The LP path's merged "add mass" column for `tv` and equal-weight `l1` on the simplex.
@Suite struct MergedAdditionTests {
    /// `k + 1` columns instead of `n + k` for tv and uniform l1; per-state columns for
    /// weighted l1 and `support: nominal`.
    @Test func columnCounts() throws {
        let n = 50
        let p = SparseDistribution(indices: [3, 7, 20], probabilities: [0.25, 0.5, 0.25])
        let merged = try AmbiguitySet.totalVariation().innerRowProgram(nominal: p, stateCount: n, radius: 0.1, mergingAdditions: true)
        #expect(merged.columnStates == [InnerRowProgram.lowestState, 3, 7, 20])
        let l1 = try AmbiguitySet(kind: .l1).innerRowProgram(nominal: p, stateCount: n, radius: 0.1, mergingAdditions: true)
        #expect(l1.columnStates.count == 4)
        let weighted = try AmbiguitySet(kind: .l1, weights: (0..<n).map { 1 + Double($0 % 2) })
            .innerRowProgram(nominal: p, stateCount: n, radius: 0.1, mergingAdditions: true)
        #expect(weighted.columnStates.count == n + 3)
        let nominal = try AmbiguitySet.totalVariation(support: .nominal)
            .innerRowProgram(nominal: p, stateCount: n, radius: 0.1, mergingAdditions: true)
        #expect(nominal.columnStates == [3, 7, 20, 3, 7, 20])
        #expect(try AmbiguitySet.totalVariation().innerRowProgram(nominal: p, stateCount: n, radius: 0.1).columnStates.count == n + 3)
    }

    /// The lowest `(V_t, t)`: ties go to the lower index, and `−0 = +0`.
    @Test func lowestState() {
        let cases: [([Double], Int)] = [([3, 1, 2], 1), ([1, 0, 0], 1), ([0, -0.0, -1e-300], 2), ([-0.0, 0], 0), ([0, -0.0], 0), ([5], 0)]
        for (v, expected) in cases {
            #expect(v.withUnsafeBufferPointer { InnerRowProgram.lowestState(values: $0) } == expected, "\(v)")
        }
    }

    /// Merged and per-state programs give the same σ (exact LPs, on random values with
    /// ties and zeros), for tv and uniform l1 rows with and without mass at the lowest state.
    @Test func mergedEqualsPerStateExactly() throws {
        var rng = SplitMix64(seed: 2212)
        let n = 8
        for trial in 0..<40 {
            var v = TestGames.randomVector(n, scale: 4, rng: &rng)
            if trial % 2 == 0 { v = v.map { $0.rounded() } }
            let support = [0, 2, 5, trial % n].reduce(into: Set<Int>()) { $0.insert($1) }.sorted()
            let masses = support.map { _ in Double.random(in: 0.1..<1, using: &rng) }
            let total = masses.reduce(0, +)
            let p = SparseDistribution(indices: support, probabilities: masses.map { $0 / total })
            for set in [AmbiguitySet.totalVariation(), try AmbiguitySet(kind: .l1)] {
                let radius = [0.05, 0.3, 2][trial % 3]
                let merged = try set.innerRowProgram(nominal: p, stateCount: n, radius: radius, mergingAdditions: true)
                let lowest = v.withUnsafeBufferPointer { InnerRowProgram.lowestState(values: $0) }
                var c = [Double](repeating: 0, count: merged.columnStates.count)
                let constant = v.withUnsafeBufferPointer { vb in
                    c.withUnsafeMutableBufferPointer { merged.objective(values: vb, lowest: lowest, into: $0) }
                }
                var lp = merged.program
                for j in c.indices { lp.setObjective(c[j], for: j) }
                lp.objectiveConstant = constant
                let a = try lp.solve().objective
                let b = try set.worstCaseLP(nominal: p.dense(count: n), values: v, radius: radius).value
                #expect(abs(a - b) <= 1e-12 * (1 + 4), "trial \(trial) \(set.kind) ρ=\(radius): \(a) vs \(b)")
            }
        }
    }
}
